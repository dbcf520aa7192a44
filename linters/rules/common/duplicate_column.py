"""Same column named twice in one list.

## What it does
Reports a column that appears twice in: the columns of a `CREATE TABLE` or the `ADD COLUMN`s of
one `ALTER TABLE`; a view's column list; the `SET` list of an `UPDATE` (and of `ON CONFLICT DO
UPDATE` / `ON DUPLICATE KEY UPDATE`); the column list of an `INSERT`; the key columns of an
index, primary key, unique or foreign key. Names compare the way the server compares them:
case-insensitively, except quoted names on PostgreSQL. Expression index keys (`lower(email)`)
are not columns and are not compared.

## Why is this bad?
Most of these fail when the migration runs ("column specified more than once", "multiple
assignments to same column"), after earlier statements of a non-transactional file already
went through. The others are silent and worse: MySQL and SQLite keep only the last of two
`SET a = ...` assignments, and PostgreSQL accepts `(a, a)` as an index key that only costs
space. Either way the statement does not do what its author meant.

## Example
```sql
UPDATE accounts SET status = 'active', status = 'verified' WHERE id = 1;  -- which one?
```

## Use instead
```sql
UPDATE accounts SET status = 'verified' WHERE id = 1;
```

## References
- [Squawk: ban-duplicate-column-assignments](https://squawkhq.com/docs/ban-duplicate-column-assignments)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlglot import exp

from linters.dialects import ALL, Dialect
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.column_definitions import statement_columns
from linters.sql.foreign_key_definitions import statement_foreign_keys
from linters.sql.index_definitions import statement_indexes
from linters.sql.node_spans import violation_at
from linters.statement import Statement

#: A column as compared (normalised), with the node to point the finding at.
Named = tuple[str, exp.Expression | None]


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    for where, names in _column_lists(statement, context.dialect):
        seen: set[str] = set()
        for name, node in names:
            if name in seen:
                yield violation_at(
                    statement,
                    node,
                    message=f"Remove the second `{name}` from {where}",
                    help="Name each column once",
                )
                break
            seen.add(name)


def _comparable(name: exp.Identifier, dialect: Dialect) -> Named:
    # PostgreSQL folds unquoted names to lower case and keeps quoted ones exact; MySQL and
    # SQLite compare column names case-insensitively either way.
    quoted = dialect == "postgres" and name.args.get("quoted")
    return (name.name if quoted else name.name.lower()), name


def _column_lists(statement: Statement, dialect: Dialect) -> Iterator[tuple[str, list[Named]]]:
    # The statement's columns, indexes and foreign keys as other rules read them (once).
    expression = statement.expression
    if isinstance(expression, exp.Create | exp.Alter):
        definitions = [
            column for column in statement_columns(statement) if column.action != "retype"
        ]
        if definitions:
            names = [_comparable(column.name, dialect) for column in definitions]
            yield f"the columns of `{definitions[0].table.name}`", names
        if isinstance(expression, exp.Create) and expression.kind == "VIEW":
            schema = expression.this
            if isinstance(schema, exp.Schema):
                names = [_comparable(name, dialect) for name in _identifiers(schema.expressions)]
                yield f"the columns of view `{schema.name}`", names
        yield from _key_lists(statement)
    elif isinstance(expression, exp.Update):
        yield "the SET list", [_comparable(name, dialect) for name in _assigned(expression)]
    elif isinstance(expression, exp.Insert):
        target = expression.this
        if isinstance(target, exp.Schema):
            names = [_comparable(name, dialect) for name in _identifiers(target.expressions)]
            yield "the INSERT column list", names
        conflict = expression.args.get("conflict")
        if isinstance(conflict, exp.OnConflict):
            yield (
                "the conflict SET list",
                [_comparable(name, dialect) for name in _assigned(conflict)],
            )


def _key_lists(statement: Statement) -> Iterator[tuple[str, list[Named]]]:
    # Index keys arrive normalised (lower case); expression keys such as `lower(email)` are
    # not columns and are left out.
    for index in statement_indexes(statement):
        keys = [(key, index.anchor) for key in index.keys if "(" not in key]
        yield f"the keys of index `{index.label}`", keys
    for foreign_key in statement_foreign_keys(statement):
        columns = [(column, foreign_key.anchor) for column in foreign_key.columns]
        yield f"the columns of foreign key `{foreign_key.label}`", columns


def _identifiers(nodes: Iterable[exp.Expression]) -> list[exp.Identifier]:
    return [
        node if isinstance(node, exp.Identifier) else exp.to_identifier(node.name)
        for node in nodes
        if isinstance(node, exp.Identifier | exp.Column)
    ]


def _assigned(statement: exp.Expression) -> list[exp.Identifier]:
    names = []
    for assignment in statement.expressions:
        target = assignment.this if isinstance(assignment, exp.EQ) else None
        if isinstance(target, exp.Column) and isinstance(target.this, exp.Identifier):
            names.append(target.this)
    return names


RULE = StatementRule(
    id="duplicate-column",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter, exp.Update, exp.Insert),
    check=check,
)
