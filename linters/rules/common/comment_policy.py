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
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.rule import (
    Change,
    ChangedFile,
    ChangeRule,
    LintedFile,
    Violation,
    plain_span,
    span_from_plain,
    table_key,
)
from linters.rule_options import BooleanOption, IntegerOption
from linters.sql.column_definitions import created_table, is_temporary, statement_columns
from linters.sql.node_spans import finding_span
from linters.statement import Statement

RULE_ID = "comment-policy"
REQUIRE_TABLE_COMMENT = BooleanOption(
    RULE_ID, "require_table_comment", True, "Tables created in the change need a comment."
)
REQUIRE_COLUMN_COMMENT = BooleanOption(
    RULE_ID, "require_column_comment", False, "Columns created in the change need a comment."
)
MAX_LENGTH = IntegerOption(
    RULE_ID, "max_length", 0, "The longest comment in characters; 0: no limit."
)

#: A table by ``table_key``, or a column as [table key, column].
Key = str | list[str]


def comment_facts(file: LintedFile) -> list[dict[str, Any]]:
    """Per statement: the tables and columns it creates (with where to point) and the
    comments it writes (with their length)."""
    found = []
    for statement in file.up_statements:
        facts = _statement_facts(statement)
        if any(facts.values()):
            found.append(facts)
    return found


def _statement_facts(statement: Statement) -> dict[str, Any]:
    expression = statement.expression
    tables: list[list[Any]] = []
    columns: list[list[Any]] = []
    comments: list[list[Any]] = []
    table = created_table(expression)
    judged = table is not None and isinstance(expression, exp.Create) and _judged(expression)
    if table is not None and judged:
        place = plain_span(finding_span(statement, table))
        tables.append([table_key(table), f"table `{table.name}`", place])
    for column in statement_columns(statement):
        key = [table_key(column.table), column.column]
        place = plain_span(finding_span(statement, column.name))
        if column.action == "add" or (column.action == "create" and judged):
            columns.append([key, f"column `{column.table.name}.{column.name.name}`", place])
        comment = column.constraint(exp.CommentColumnConstraint)
        if comment is not None:
            comments.append([key, _length(comment.this), place])
    target = table or (expression.this if isinstance(expression, exp.Alter) else None)
    if isinstance(target, exp.Table) and expression is not None:
        place = plain_span(finding_span(statement, target))
        for comment in expression.find_all(exp.SchemaCommentProperty):
            comments.append([table_key(target), _length(comment.this), place])
    if isinstance(expression, exp.Comment):
        commented = _comment_on(expression)
        if commented is not None:
            place = plain_span(finding_span(statement, expression.this))
            comments.append([commented, _length(expression.expression), place])
    return {"tables": tables, "columns": columns, "comments": comments}


def _comment_on(comment: exp.Comment) -> Key | None:
    target = comment.this
    if isinstance(target, exp.Table):
        return table_key(target)
    if isinstance(target, exp.Column) and target.table:
        table = exp.Table(this=target.args["table"], db=target.args.get("db"))
        return [table_key(table), target.name.lower()]
    return None


def _length(text: exp.Expression | None) -> int:
    """The comment's length; 0 for an empty comment, which counts as none."""
    return len(text.this) if isinstance(text, exp.Literal) and text.is_string else 0


def _hashable(key: Key) -> Hashable:
    return key if isinstance(key, str) else tuple(key)


def _judged(create: exp.Create) -> bool:
    return not is_temporary(create) and create.find(exp.PartitionedOfProperty) is None


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    max_length = MAX_LENGTH.value(change.config)
    #: What needs a comment: key -> file, name and place.
    tables: dict[Hashable, tuple[ChangedFile, str, list[int] | None]] = {}
    columns: dict[Hashable, tuple[ChangedFile, str, list[int] | None]] = {}
    commented: set[Hashable] = set()
    for file in change.files:
        for facts in file.facts(comment_facts):
            for key, name, place in facts["tables"]:
                tables[_hashable(key)] = (file, name, place)
            for key, name, place in facts["columns"]:
                columns[_hashable(key)] = (file, name, place)
            for key, length, place in facts["comments"]:
                if length:
                    commented.add(_hashable(key))
                if 0 < max_length < length:
                    yield (
                        file,
                        Violation(
                            message=f"Shorten the comment to {max_length} characters "
                            f"(it has {length})",
                            help="Keep comments to what a reader of the schema needs; link to "
                            "longer docs",
                            span=span_from_plain(place),
                        ),
                    )
    missing = []
    if REQUIRE_TABLE_COMMENT.value(change.config):
        missing += [place for key, place in tables.items() if key not in commented]
    if REQUIRE_COLUMN_COMMENT.value(change.config):
        missing += [place for key, place in columns.items() if key not in commented]
    for file, name, place in missing:
        yield (
            file,
            Violation(
                message=f"Add a comment to {name}",
                help="MySQL: COMMENT '...' in the definition; PostgreSQL: COMMENT ON ... IS '...'",
                span=span_from_plain(place),
            ),
        )


RULE = ChangeRule(
    id=RULE_ID,
    severity=None,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    facts=(comment_facts,),
    check=check,
    options=(REQUIRE_TABLE_COMMENT, REQUIRE_COLUMN_COMMENT, MAX_LENGTH),
)
