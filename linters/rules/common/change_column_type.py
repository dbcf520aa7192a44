"""Column type changed in place.

## What it does
Reports `ALTER COLUMN c [SET DATA] TYPE t` (PostgreSQL) and `MODIFY [COLUMN]` /
`CHANGE [COLUMN]` (MySQL, MariaDB) on an existing table, unless the change is known to be safe.

A change is known to be safe when the column's old type is known from an earlier statement of
the same file (it was added or retyped there) and the change is on the safe list:
- PostgreSQL (no `USING`): `varchar(n)` to `varchar(m >= n)`, `varchar` or `text`; `text` to
  `varchar`; `numeric(p, s)` to `numeric(q >= p, s)` or `numeric`; `cidr` to `inet`; a
  timestamp precision increase; `timestamp` <-> `timestamptz` when an earlier `SET TIME ZONE
  'UTC'` in the file makes the session UTC (PostgreSQL 12+, assumed without a configured
  `postgres_version`).
- MySQL / MariaDB: the same type (only other attributes change), or a `VARCHAR` that grows
  while its length prefix keeps its size: both sizes at most 255 bytes, or both above
  (utf8mb4: 63 characters, utf8mb3: 85, latin1: 255; utf8mb4 unless the definition names a
  character set).

When the old type is not in sight (usually: the column comes from an earlier migration), the
change is reported and the help names the old types that would make it safe; if yours is one
of them, suppress the finding with that reason. `citext` <-> `text` skips the rewrite but
rebuilds the column's indexes, and is reported. Ignores tables created earlier in the change.

## Why is this bad?
PostgreSQL rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock: reads
and writes are blocked for the whole rewrite. MySQL copies the table with writes blocked.
Clients that read the column may break on the new type.

## Example
```sql
ALTER TABLE orders ALTER COLUMN amount TYPE bigint;
-- ACCESS EXCLUSIVE on orders: reads and writes blocked while the table and its indexes are rebuilt
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN amount_v2 bigint;
-- dual write from the application (or a trigger), backfill in batches,
-- switch reads to amount_v2, then drop amount in a later migration
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL, POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.object_names import qualified_name
from linters.sql.schema_facts import facts_before
from linters.sql.type_change_safety import (
    mysql_bytes_per_character,
    mysql_safe_sources,
    mysql_type_change_is_safe,
    pg_safe_sources,
    pg_type_change_is_safe,
)
from linters.statement import Statement

_UTC_NAMES = frozenset({"UTC", "ETC/UTC", "UCT", "GMT", "ETC/GMT", "Z", "ZULU", "+00:00", "0"})
_RECIPE = "add a new column, dual write, backfill in batches, switch reads, drop the old one"


def _new_type(subcommand: AlterSubcommand, dialect: str) -> exp.DataType | None:
    """The type a retyping subcommand sets; None when it sets none we can read."""
    node = subcommand.node
    if isinstance(node, exp.AlterColumn):
        data_type = node.args.get("dtype")
        return data_type if isinstance(data_type, exp.DataType) else None
    if dialect != "postgres" and isinstance(node, exp.ModifyColumn):
        kind = node.this.args.get("kind") if isinstance(node.this, exp.ColumnDef) else None
        return kind if isinstance(kind, exp.DataType) else None
    return None


def _retypes(subcommand: AlterSubcommand, dialect: str) -> bool:
    if dialect == "postgres":
        return subcommand.words[:1] == ("ALTER",) and "TYPE" in subcommand.definition_words
    return subcommand.words[:1] in (("MODIFY",), ("CHANGE",))


def _utc_session(statement: Statement, context: Context) -> bool:
    """Whether an earlier ``SET [LOCAL] TIME ZONE 'UTC'`` / ``SET timezone = 'UTC'`` applies."""
    version = context.server_version
    if version is not None and version < (12,):
        return False
    utc = False
    for earlier in context.statements[: statement.index]:
        words = earlier.words
        if words[:1] == ("SET",) and ("TIMEZONE" in words or "ZONE" in words):
            utc = words[-1].upper() in _UTC_NAMES
    return utc


def _charset(subcommand: AlterSubcommand) -> str | None:
    constraint = subcommand.node.find(exp.CharacterSetColumnConstraint) if subcommand.node else None
    return constraint.name if constraint is not None else None


def _safe_sources(
    new: exp.DataType | None, subcommand: AlterSubcommand, dialect: str
) -> str | None:
    if new is None:
        return None
    if dialect == "postgres":
        return pg_safe_sources(new)
    per_character = mysql_bytes_per_character(_charset(subcommand))
    return mysql_safe_sources(new, bytes_per_character=per_character)


def _known_safe(
    old: exp.DataType, new: exp.DataType, subcommand: AlterSubcommand, utc_session: bool
) -> bool:
    if isinstance(subcommand.node, exp.AlterColumn):
        if subcommand.node.args.get("using") or subcommand.node.args.get("collate"):
            return False  # USING is evaluated for every row; a new collation rebuilds indexes
        return pg_type_change_is_safe(old, new, utc_session=utc_session)
    per_character = mysql_bytes_per_character(_charset(subcommand))
    return mysql_type_change_is_safe(old, new, bytes_per_character=per_character)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    table = qualified_name(alter.table)
    for subcommand in alter.subcommands:
        column = subcommand.column_name
        if column is None or not _retypes(subcommand, statement.dialect):
            continue
        new = _new_type(subcommand, statement.dialect)
        facts = facts_before(statement, context).table(alter.table)
        known = facts.columns.get(column.lower()) if facts is not None else None
        old = known.data_type if known is not None else None
        if old is not None and new is not None:
            if _known_safe(old, new, subcommand, _utc_session(statement, context)):
                continue
            written = f"{old.sql(dialect='postgres')} to {new.sql(dialect='postgres')}".lower()
            help_text = f"Changing {written} rewrites the table: {_RECIPE}"
        else:
            sources = _safe_sources(new, subcommand, statement.dialect)
            help_text = (
                f"Safe only if the old type is {sources} (then suppress with that reason); "
                f"otherwise {_RECIPE}"
                if sources
                else f"The table is rewritten: {_RECIPE}"
            )
        yield Violation(
            message=f"Add a new column instead of changing the type of `{column}` on `{table}`",
            help=help_text,
        )


RULE = StatementRule(
    id="change-column-type",
    severity=Severity.ERROR,
    dialects=POSTGRES | MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    alter_actions=frozenset({"ALTER", "MODIFY", "CHANGE"}),
    check=check,
)
