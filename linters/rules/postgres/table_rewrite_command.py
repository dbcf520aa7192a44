"""Command that rewrites a whole table under an exclusive lock.

## What it does
Reports `VACUUM FULL`, `CLUSTER`, and `ALTER TABLE ... SET LOGGED | SET UNLOGGED |
SET TABLESPACE | SET ACCESS METHOD` (also `ALTER TABLE ALL IN TABLESPACE`, and `SET TABLESPACE`
on an index or a materialized view).

Ignores tables (and indexes on tables) created earlier in the same change. `VACUUM FULL` and
`CLUSTER` without a table name act on every table, and are always reported.

## Why is this bad?
Each of these writes a new copy of the table (or index) and holds an ACCESS EXCLUSIVE lock
until it is done: every read and write waits, for minutes to hours on a large table.

## Example
```sql
VACUUM FULL orders;
-- ACCESS EXCLUSIVE on orders: reads and writes blocked while the table is copied
```

## Use instead
Reclaim space or reorder rows online with the `pg_repack` extension (PostgreSQL 19:
`REPACK (CONCURRENTLY)`), run outside migrations:
```sql
-- shell: pg_repack --table=orders [--order-by=created_at] [--tablespace=fast] app
```
A plain `VACUUM` (without FULL) needs no exclusive lock. For `SET LOGGED` / `SET UNLOGGED` /
`SET ACCESS METHOD`, create a new table with the wanted setting and move the rows in batches,
or use a maintenance window.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.alter_subcommands import alter_subcommands
from linters.sql.maintenance_commands import maintenance_command
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.sql.schema_facts import facts_before
from linters.statement import Statement

_REPACK = "use pg_repack outside migrations (PostgreSQL 19: REPACK CONCURRENTLY)"
_NEW_TABLE = "create a new table with the setting and move the rows, or use a maintenance window"
#: Where the name starts in ALTER INDEX / ALTER MATERIALIZED VIEW.
_RELATION_NAME_AT: dict[tuple[str, ...], int] = {
    ("ALTER", "INDEX"): 2,
    ("ALTER", "MATERIALIZED"): 3,
}
_REWRITING_SETTINGS = {
    ("SET", "LOGGED"): ("SET LOGGED", _NEW_TABLE),
    ("SET", "UNLOGGED"): ("SET UNLOGGED", _NEW_TABLE),
    ("SET", "TABLESPACE"): ("SET TABLESPACE", "use pg_repack --tablespace outside migrations"),
    ("SET", "ACCESS"): ("SET ACCESS METHOD", _NEW_TABLE),
}


def _maintenance(statement: Statement, context: Context) -> Iterator[Violation]:
    command = maintenance_command(statement)
    if command is None or command.verb not in ("VACUUM", "CLUSTER"):
        return
    if command.verb == "VACUUM" and "FULL" not in command.options:
        return
    what = "VACUUM FULL" if command.verb == "VACUUM" else "CLUSTER"
    facts = facts_before(statement, context)
    if command.targets and all(facts.is_new_table(table) for table in command.targets):
        return
    names = ", ".join(f"`{qualified_name(table)}`" for table in command.targets)
    yield Violation(
        message=f"Do not rewrite {names or 'every table'} with {what} in a migration",
        help=f"{what} holds ACCESS EXCLUSIVE for the whole rewrite: {_REPACK}",
    )


def _alter_table(statement: Statement, context: Context) -> Iterator[Violation]:
    alter = alter_subcommands(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    for subcommand in alter.subcommands:
        words = subcommand.top_words
        setting = _REWRITING_SETTINGS.get((words[0], words[1])) if len(words) > 1 else None
        if setting is not None:
            what, alternative = setting
            yield Violation(
                message=f"Do not rewrite `{qualified_name(alter.table)}` with {what} in a "
                "migration",
                help=f"{what} rewrites the table under ACCESS EXCLUSIVE: {alternative}",
            )


def _other_relation(statement: Statement, context: Context) -> Iterator[Violation]:
    """``ALTER INDEX | MATERIALIZED VIEW ... SET TABLESPACE``, ``ALTER TABLE ALL IN ...``."""
    words = statement.words
    if words[:5] == ("ALTER", "TABLE", "ALL", "IN", "TABLESPACE"):
        yield Violation(
            message="Do not move every table of a tablespace in a migration",
            help=f"Each table is rewritten under ACCESS EXCLUSIVE: {_REPACK}",
        )
        return
    start = _RELATION_NAME_AT.get(words[:2])
    if start is None:
        return
    what = "SET TABLESPACE" if statement.has_words("SET", "TABLESPACE") else "SET ACCESS METHOD"
    if not statement.has_words(*what.split()):
        return
    position = start + 2 if words[start : start + 2] == ("IF", "EXISTS") else start
    name, _ = qualified_name_tokens(statement.tokens, position)
    facts = facts_before(statement, context)
    index = facts.index(name.name) if name is not None and words[1] == "INDEX" else None
    if name is None or facts.is_new_table(name) or (index and facts.is_new_table(index.table)):
        return
    yield Violation(
        message=f"Do not rewrite `{qualified_name(name)}` with {what} in a migration",
        help=f"It is copied under ACCESS EXCLUSIVE: {_REPACK}",
    )


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    yield from _maintenance(statement, context)
    yield from _alter_table(statement, context)
    yield from _other_relation(statement, context)


RULE = StatementRule(
    id="table-rewrite-command",
    severity=Severity.ERROR,
    dialects=POSTGRES,
    doc=__doc__ or "",
    # CLUSTER reaches us as whatever sqlglot made of it (a command, a column, an alias).
    on=(exp.Expression,),
    needs_words=frozenset({"VACUUM", "CLUSTER", "SET", "TABLESPACE"}),
    check=check,
)
