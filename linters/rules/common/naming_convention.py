"""Name that does not follow the naming convention.

## What it does
Checks every name a migration chooses (in `CREATE`, `ADD`, `RENAME TO`) against a pattern per
kind of object. A pattern is a regular expression the whole name must match; it may contain
placeholders filled in from the statement: `{table}`, `{columns}` (the key columns joined by
`_`), `{referenced_table}`, `{referenced_columns}`. So `idx_{table}_{columns}` requires exactly
`idx_orders_user_id_created_at` for an index on `orders (user_id, created_at)`, and
`idx_{table}_.+` only the prefix. An empty pattern switches a kind off. Off by default: a
team policy.

Names the database generates (an unnamed constraint or index) are not checked. A pattern whose
placeholder cannot be filled (the columns of a renamed index, an expression key) is not
checked for that name. On MySQL the primary key is always named `PRIMARY` and is not checked.
Unquoted PostgreSQL names are compared folded to lower case, as the server stores them;
patterns with placeholders compare without regard to case.

## Why is this bad?
Names are the interface of a schema: people search for them, tools derive them (ORMs, admin
panels, monitoring that alerts on `idx_*` bloat), and error messages show them (`duplicate key
value violates unique constraint "uk_users_email"` tells the reader what broke; `users_key3`
does not). Mixed conventions make every one of those a guess.

## Example
```sql
CREATE INDEX OrdersByUser ON orders (user_id);  -- the convention says idx_orders_user_id
```

## Use instead
```sql
CREATE INDEX idx_orders_user_id ON orders (user_id);
```

## References
- [Bytebase: naming conventions](https://docs.bytebase.com/sql-review/review-rules#naming)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL, MYSQL
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import OptionError, PatternOption
from linters.sql.declared_names import DeclaredName, declared_names
from linters.sql.node_spans import violation_at
from linters.statement import Statement

RULE_ID = "naming-convention"
_WORD = "[a-z][a-z0-9_]*"
DEFAULT_PATTERNS = {
    "table": _WORD,
    "view": _WORD,
    "column": _WORD,
    "schema": _WORD,
    "index": "idx_{table}_{columns}",
    "unique": "uk_{table}_{columns}",
    "primary_key": "pk_{table}",
    "foreign_key": "fk_{table}_{columns}_{referenced_table}",
    "check": "ck_{table}_.+",
    "other": _WORD,
}
_PLACEHOLDER = re.compile(r"\{(table|columns|referenced_table|referenced_columns)\}")


class NamePatternOption(PatternOption):
    """A regular expression that may hold ``{table}``, ``{columns}``, ``{referenced_table}``
    and ``{referenced_columns}``; empty: names of that kind are not checked."""

    def parse(self, value: object) -> str:
        if not isinstance(value, str):
            raise self._wrong(value)
        try:
            re.compile(_PLACEHOLDER.sub("x", value))
        except re.error as error:
            raise OptionError(f"expected a regular expression, got {value!r}: {error}") from None
        return value


_KIND_HELP = {
    "table": "Table names.",
    "view": "View names.",
    "column": "Column names.",
    "schema": "Schema names.",
    "index": "Index names.",
    "unique": "Unique constraints and unique indexes.",
    "primary_key": "Primary key constraints (PostgreSQL; MySQL names them all PRIMARY).",
    "foreign_key": "Foreign key constraints.",
    "check": "Check constraints.",
    "other": "Sequences, types, functions, procedures, triggers, events.",
}
PATTERNS = {
    kind: NamePatternOption(RULE_ID, kind, default, _KIND_HELP[kind])
    for kind, default in DEFAULT_PATTERNS.items()
}


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    for declared in declared_names(statement):
        kind = declared.kind if declared.kind in DEFAULT_PATTERNS else "other"
        if kind == "primary_key" and context.dialect in MYSQL:
            continue
        template = PATTERNS[kind].value(context.config)
        if not template:
            continue
        pattern = _pattern(template, declared)
        if pattern is None:
            continue
        name = declared.name
        if context.dialect == "postgres" and not declared.quoted:
            name = name.lower()
        if pattern.fullmatch(name):
            continue
        wanted = _literal(pattern.pattern) if pattern.pattern != template else None
        target = f"`{wanted}`" if wanted else f"match `{pattern.pattern}`"
        label = declared.kind.replace("_", " ")
        yield violation_at(
            statement,
            declared.identifier,
            message=f"Rename {label} `{declared.name}` to {target}",
            help=f"The naming convention for {label} names is `{template}`",
        )


def _pattern(template: str, declared: DeclaredName) -> re.Pattern[str] | None:
    """The compiled pattern for this name; None when a placeholder cannot be filled."""
    expected = _expected(template, declared)
    if expected is None:
        return None
    return re.compile(expected, re.IGNORECASE if expected != template else 0)


def _expected(template: str, declared: DeclaredName) -> str | None:
    """The template with its placeholders filled in (escaped); None if one is unknown."""
    values = {
        "table": declared.table,
        "columns": _joined(declared.columns),
        "referenced_table": declared.referenced_table,
        "referenced_columns": _joined(declared.referenced_columns),
    }
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        value = values[match.group(1)]
        if value is None:
            missing = True
            return ""
        return re.escape(value.lower())

    expected = _PLACEHOLDER.sub(fill, template)
    return None if missing else expected


def _joined(columns: tuple[str, ...] | None) -> str | None:
    if not columns or any(not column.replace("_", "").isalnum() for column in columns):
        return None
    return "_".join(columns)


def _literal(pattern: str) -> str | None:
    """The one name a pattern accepts, when it has no regex syntax left."""
    text = pattern.replace("\\_", "_")
    if re.search(r"[\\.^$*+?{}\[\]|()]", text):
        return None
    return text


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter, exp.Command),
    check=check,
    options=tuple(PATTERNS.values()),
)
