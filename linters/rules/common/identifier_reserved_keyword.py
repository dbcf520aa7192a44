"""Identifier that is a reserved word.

## What it does
Reports a name chosen by the migration (table, view, column, index, constraint, schema, type,
function...) that is a reserved word of the dialect: PostgreSQL's reserved key words (`user`,
`order`, `group`, `table`, `check`...) or MySQL 8.0's (`key`, `rank`, `groups`, `order`...).
Quoted names are reported too: quoting makes the statement work, but every later query must
quote the name as well. Off by default: a naming policy. Names only referred to are not checked.

## Why is this bad?
An unquoted reserved word is a syntax error, and the error message rarely says why. A quoted
one works, until someone writes the name without quotes in a query, a view, an ORM mapping or a
BI tool; words that became reserved in a newer server version (`rank`, `groups` in MySQL 8.0)
break queries that used to work. The cost of a different name is a few letters.

## Example
```sql
CREATE TABLE "user" (  -- every query must write "user": SELECT * FROM user returns the role
    id bigint PRIMARY KEY,
    "order" int
);
```

## Use instead
```sql
CREATE TABLE users (
    id bigint PRIMARY KEY,
    sort_order int
);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import StringListOption
from linters.sql.declared_names import declared_names
from linters.sql.node_spans import violation_at
from linters.sql.reserved_words import is_reserved
from linters.statement import Statement

RULE_ID = "identifier-reserved-keyword"
ALLOW = StringListOption(RULE_ID, "allow", (), "Reserved words accepted anyway.")
EXTRA = StringListOption(
    RULE_ID,
    "extra",
    (),
    "More words to report (e.g. words reserved by another database the schema is replicated to).",
)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    allowed = {word.lower() for word in ALLOW.value(context.config)}
    added = {word.lower() for word in EXTRA.value(context.config)}
    server = "PostgreSQL" if context.dialect == "postgres" else "MySQL"
    for declared in declared_names(statement):
        word = declared.name.lower()
        if word in allowed:
            continue
        if not is_reserved(word, context.dialect) and word not in added:
            continue
        kind = declared.kind.replace("_", " ")
        yield violation_at(
            statement,
            declared.identifier,
            message=f"Rename {kind} `{declared.name}`: it is a reserved word"
            f"{' in ' + server if word not in added else ''}",
            help="A reserved word must be quoted in every query that uses it; choose another name",
        )


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter, exp.Command),
    check=check,
    options=(ALLOW, EXTRA),
)
