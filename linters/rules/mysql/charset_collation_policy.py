"""Character set or collation outside the team's policy.

## What it does
A policy rule, off by default. Reports, in MySQL / MariaDB DDL:
- a character set or collation that is not in the allow-lists, wherever it is stated
  (`CREATE/ALTER DATABASE`, `CREATE/ALTER TABLE`, `CONVERT TO CHARACTER SET`, a column);
- a character set or collation stated on a column, when `column_level = "forbid"` (default);
- one stated on a table, when `table_level = "forbid"`; or a `CREATE TABLE` that states none,
  when `table_level = "require"`.

`utf8` is read as `utf8mb3` (what it means on MySQL 8 and MariaDB), in statements and options.

## Why is this bad?
Columns and tables with different collations do not compare cleanly: joins and `WHERE a = b`
across them fail with "Illegal mix of collations" or cannot use an index, and sort orders
differ. A column stated as `latin1` or `utf8mb3` cannot store emoji and many scripts. Changing
it later is a table copy (`mysql-convert-charset`). One character set and collation, stated
once at the database level, avoids all of this.

## Example
```sql
-- charsets = ["utf8mb4"], column_level = "forbid"
CREATE TABLE comments (
    id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    body text CHARACTER SET latin1
    -- latin1 is not allowed, and is set on a column
);
```

## Use instead
```sql
ALTER DATABASE shop CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
CREATE TABLE comments (
    id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
    body text
);
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot import exp

from linters.dialects import MYSQL
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import ChoiceOption, StringListOption
from linters.sql.column_definitions import created_table
from linters.sql.mysql_alter import alter_table
from linters.sql.mysql_column import charset_of, collation_of
from linters.sql.node_spans import span_of
from linters.sql.object_names import qualified_name
from linters.statement import Statement

RULE_ID = "charset-collation-policy"
CHARSETS = StringListOption(
    RULE_ID, "charsets", ("utf8mb4",), "Allowed character sets; `[]` allows any."
)
COLLATIONS = StringListOption(RULE_ID, "collations", (), "Allowed collations; `[]` allows any.")
COLUMN_LEVEL = ChoiceOption(
    RULE_ID,
    "column_level",
    "forbid",
    "May columns state their own character set or collation?",
    choices=("forbid", "allow"),
)
TABLE_LEVEL = ChoiceOption(
    RULE_ID,
    "table_level",
    "allow",
    "May, must not, or must tables state theirs?",
    choices=("allow", "forbid", "require"),
)
_HELP = "Set the character set and collation once, at the database level, from the allow-list"


@dataclass(frozen=True)
class _Stated:
    """A character set or collation written somewhere: ``kind`` is "charset" or "collation"."""

    where: str
    kind: str
    name: str
    #: "database", "table" or "column".
    level: str = "table"
    #: The column definition, to point the finding at its line.
    column: exp.ColumnDef | None = None


def _normal(name: str) -> str:
    name = name.lower().strip("`'\"")
    return "utf8mb3" + name[4:] if name == "utf8" or name.startswith("utf8_") else name


def _properties(where: str, node: exp.Expression, level: str = "table") -> list[_Stated]:
    found = []
    for prop in node.find_all(exp.CharacterSetProperty, exp.CollateProperty):
        kind = "charset" if isinstance(prop, exp.CharacterSetProperty) else "collation"
        found.append(_Stated(where, kind, _normal(prop.name), level))
    return found


def _columns(where: str, columns: list[exp.ColumnDef]) -> list[_Stated]:
    found = []
    for column in columns:
        label = f"{where}.{column.name}"
        charset, collation = charset_of(column), collation_of(column)
        if charset:
            found.append(_Stated(label, "charset", _normal(charset), "column", column))
        if collation:
            found.append(_Stated(label, "collation", _normal(collation), "column", column))
    return found


def _from_words(where: str, words: tuple[str, ...], level: str) -> list[_Stated]:
    """``CHARACTER SET x`` / ``CHARSET x`` / ``COLLATE x`` in a command's words."""
    found = []
    for i, word in enumerate(words):
        at = i + 2 if words[i : i + 2] == ("CHARACTER", "SET") else i + 1
        at += 1 if words[at : at + 1] == ("=",) else 0
        if at < len(words) and (word == "CHARSET" or words[i : i + 2] == ("CHARACTER", "SET")):
            found.append(_Stated(where, "charset", _normal(words[at]), level))
        elif at < len(words) and word == "COLLATE":
            found.append(_Stated(where, "collation", _normal(words[at]), level))
    return found


def _stated(statement: Statement) -> tuple[list[_Stated], str | None]:
    """Everything the statement states, and the table a CREATE TABLE creates (if it does)."""
    expression = statement.expression
    table = created_table(expression)
    if isinstance(expression, exp.Create) and table is not None:
        name = qualified_name(table)
        schema = expression.this
        elements = schema.expressions if isinstance(schema, exp.Schema) else []
        columns = [e for e in elements if isinstance(e, exp.ColumnDef)]
        properties = expression.args.get("properties")
        own = _properties(name, properties) if isinstance(properties, exp.Expression) else []
        return own + _columns(name, columns), name
    if isinstance(expression, exp.Create) and str(expression.args.get("kind")) in (
        "DATABASE",
        "SCHEMA",
    ):
        return _properties(qualified_name(expression.this), expression, "database"), None
    words = statement.words
    if words[:1] == ("ALTER",) and words[1:2] in (("DATABASE",), ("SCHEMA",)):
        return _from_words(words[2].lower(), words[3:], "database"), None
    alter = alter_table(statement)
    if alter is None:
        return [], None
    name = alter.table_name
    columns = alter.added_columns() + [c.definition for c in alter.changed_columns()]
    own = [p for option in alter.options() for p in _properties(name, option)]
    if alter.is_command:
        own = _from_words(name, alter.clause_words, "table")
    return own + _columns(name, columns), None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    stated, created = _stated(statement)
    allowed = {
        "charset": frozenset(_normal(name) for name in CHARSETS.value(context.config)),
        "collation": frozenset(_normal(name) for name in COLLATIONS.value(context.config)),
    }
    column_level = COLUMN_LEVEL.value(context.config)
    table_level = TABLE_LEVEL.value(context.config)
    for item in stated:
        if allowed[item.kind] and item.name not in allowed[item.kind]:
            names = ", ".join(sorted(allowed[item.kind]))
            yield Violation(
                message=f"Use an allowed {item.kind} for `{item.where}`, not {item.name} "
                f"(allowed: {names})",
                help=_HELP,
                span=span_of(statement, item.column),
            )
    for item in stated:
        forbidden = column_level if item.level == "column" else table_level
        if forbidden == "forbid" and item.level != "database":
            yield Violation(
                message=f"Do not set a {item.kind} on {item.level} `{item.where}`: "
                "keep the database default",
                help=_HELP,
                span=span_of(statement, item.column),
            )
    table_items = [item for item in stated if item.level == "table"]
    if table_level == "require" and created is not None and not table_items:
        yield Violation(
            message=f"State the character set of table `{created}` (DEFAULT CHARSET=...)",
            help="Add DEFAULT CHARSET and COLLATE from the allow-list to CREATE TABLE",
        )


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter, exp.Command),
    check=check,
    options=(
        CHARSETS,
        COLLATIONS,
        COLUMN_LEVEL,
        TABLE_LEVEL,
    ),
)
