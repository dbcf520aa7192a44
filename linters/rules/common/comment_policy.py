"""Table or column without a comment, or with one that is too long.

## What it does
With `require_table_comment`, reports a table created in the change that gets no comment
anywhere in the change: MySQL `COMMENT '...'` in `CREATE TABLE` or `ALTER TABLE ... COMMENT =`,
PostgreSQL `COMMENT ON TABLE ... IS '...'` (in any later statement or file of the change). With
`require_column_comment`, the same for every column created by `CREATE TABLE` or `ADD COLUMN`
(MySQL inline `COMMENT`, PostgreSQL `COMMENT ON COLUMN`). With `max_length`, reports comments
longer than that many characters. An empty comment counts as none. Off by default: a
documentation policy. Exempt: temporary tables and partitions (`PARTITION OF`).

## Why is this bad?
The schema outlives the people who designed it. A comment is the one piece of documentation
that travels with the table into every client, dump, data catalog and BI tool; a column called
`state` or `amount` without one is guessed at by every new reader (which states? which
currency? cents or units?).

## Example
```sql
CREATE TABLE payouts (  -- what is a payout, and what unit is amount in?
    id bigint PRIMARY KEY,
    amount bigint NOT NULL
);
```

## Use instead
```sql
CREATE TABLE payouts (
    id bigint PRIMARY KEY,
    amount bigint NOT NULL
);
COMMENT ON TABLE payouts IS 'Money sent to a seller''s bank account, one row per transfer';
COMMENT ON COLUMN payouts.amount IS 'Amount in minor units (cents) of the seller currency';
```

## Options
- `require_table_comment` (boolean, default `true`).
- `require_column_comment` (boolean, default `false`).
- `max_length` (integer, default `0`: no limit): the longest comment in characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.rule import Change, ChangeRule, LintedFile, Violation, table_key
from linters.rule_options import boolean_option, integer_option
from linters.sql.column_definitions import column_definitions, created_table, is_temporary
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "comment-policy"
#: (file, statement, the name to point at, what to call it in the message)
Place = tuple[LintedFile, Statement, exp.Expression, str]


@dataclass
class _Comments:
    """New tables and columns of the change, and the comments the change gives them."""

    tables: dict[str, Place] = field(default_factory=dict)
    columns: dict[tuple[str, str], Place] = field(default_factory=dict)
    commented: set[str | tuple[str, str]] = field(default_factory=set)

    def observe(
        self, file: LintedFile, statement: Statement, max_length: int, note: str
    ) -> Iterator[Violation]:
        expression = statement.expression
        table = created_table(expression)
        if table is not None and isinstance(expression, exp.Create) and _judged(expression):
            self.tables[table_key(table)] = (file, statement, table, f"table `{table.name}`")
        for column in column_definitions(expression):
            key = (table_key(column.table), column.column)
            new_in_judged_table = column.action == "create" and key[0] in self.tables
            if column.action == "add" or new_in_judged_table:
                name = f"column `{column.table.name}.{column.name.name}`"
                self.columns[key] = (file, statement, column.name, name)
            comment = column.constraint(exp.CommentColumnConstraint)
            if comment is not None:
                yield from self._record(key, comment.this, statement, column.name, max_length, note)
        target = table or (expression.this if isinstance(expression, exp.Alter) else None)
        if isinstance(target, exp.Table) and expression is not None:
            for comment in expression.find_all(exp.SchemaCommentProperty):
                yield from self._record(
                    table_key(target), comment.this, statement, target, max_length, note
                )
        if isinstance(expression, exp.Comment):
            yield from self._comment_on(expression, statement, max_length, note)

    def _comment_on(
        self, comment: exp.Comment, statement: Statement, max_length: int, note: str
    ) -> Iterator[Violation]:
        target = comment.this
        if isinstance(target, exp.Table):
            key: str | tuple[str, str] = table_key(target)
        elif isinstance(target, exp.Column) and target.table:
            table = exp.Table(this=target.args["table"], db=target.args.get("db"))
            key = (table_key(table), target.name.lower())
        else:
            return
        yield from self._record(key, comment.expression, statement, target, max_length, note)

    def _record(
        self,
        key: str | tuple[str, str],
        text: exp.Expression | None,
        statement: Statement,
        anchor: exp.Expression,
        max_length: int,
        note: str,
    ) -> Iterator[Violation]:
        value = text.this if isinstance(text, exp.Literal) and text.is_string else ""
        if value:
            self.commented.add(key)
        if 0 < max_length < len(value):
            yield violation_at(
                statement,
                anchor,
                message=f"Shorten the comment to {max_length} characters "
                f"(it has {len(value)}){note}",
                help="Keep comments to what a reader of the schema needs; link to longer docs",
            )


def _judged(create: exp.Create) -> bool:
    return not is_temporary(create) and create.find(exp.PartitionedOfProperty) is None


def check(change: Change) -> Iterator[tuple[LintedFile | None, Violation]]:
    comments = _Comments()
    if not change.files:
        return
    # Every file of a change is linted with the same configuration.
    context = change.files[0].context
    require_table, note_t = boolean_option(context, RULE_ID, "require_table_comment", True)
    require_column, note_c = boolean_option(context, RULE_ID, "require_column_comment", False)
    max_length, note_m = integer_option(context, RULE_ID, "max_length", 0)
    for file in change.files:
        for statement in file.statements:
            for violation in comments.observe(file, statement, max_length, note_m):
                yield file, violation
    missing: list[tuple[Place, str]] = []
    if require_table:
        missing += [
            (place, note_t)
            for key, place in comments.tables.items()
            if key not in comments.commented
        ]
    if require_column:
        missing += [
            (place, note_c)
            for key, place in comments.columns.items()
            if key not in comments.commented
        ]
    for (file, statement, anchor, name), note in missing:
        yield (
            file,
            violation_at(
                statement,
                anchor,
                message=f"Add a comment to {name}{note}",
                help="MySQL: COMMENT '...' in the definition; PostgreSQL: COMMENT ON ... IS '...'",
            ),
        )


RULE = ChangeRule(
    id=RULE_ID,
    severity=None,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    check=check,
)
