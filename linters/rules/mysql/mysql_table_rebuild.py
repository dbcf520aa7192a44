"""Statement that only rebuilds a table: OPTIMIZE TABLE, ALTER TABLE ... FORCE, ENGINE=InnoDB.

## What it does
Reports, for tables that existed before this change: `OPTIMIZE TABLE`, `ALTER TABLE ... FORCE`,
`ALTER TABLE ... ENGINE=InnoDB` (the "null rebuild"), and `ALTER TABLE ... ROW_FORMAT=` /
`KEY_BLOCK_SIZE=`, which rewrite every row too. An `ALTER ... ALGORITHM=COPY` is left to
`mysql-copy-algorithm`; `ENGINE=` another engine to `mysql-non-innodb-engine`.

## Why is this bad?
InnoDB runs `OPTIMIZE TABLE` as "recreate + analyze": like `FORCE` and `ENGINE=InnoDB`, it
rewrites the table and all its indexes. It is online (`ALGORITHM=INPLACE, LOCK=NONE`), but
takes as long as a full copy, needs free disk space for a second copy, holds an exclusive
metadata lock at the start and the end (queueing every query behind a long transaction), and
replicas replay it serially afterwards: replication lag as long as the rebuild. A migration
is the wrong place for maintenance of unknown duration.

## Example
```sql
OPTIMIZE TABLE orders;
-- orders and all its indexes are rewritten; replicas lag for as long
```

## Use instead
Rebuild big tables outside migrations, with a tool that throttles on replica lag:
```sql
-- pt-online-schema-change --alter "ENGINE=InnoDB" D=shop,t=orders --execute
-- gh-ost --alter="ENGINE=InnoDB" --table=orders ...
```
Exempt: tables created earlier in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.object_names import qualified_name_tokens
from linters.statement import Statement

_HELP = (
    "Rebuild big tables outside migrations, with pt-online-schema-change "
    '--alter "ENGINE=InnoDB" or gh-ost, which throttle on replica lag'
)


def _optimized_tables(statement: Statement) -> list[exp.Table]:
    words, tokens = statement.words, statement.tokens
    if words[:1] != ("OPTIMIZE",) or "TABLE" not in words:
        return []
    tables: list[exp.Table] = []
    index = words.index("TABLE") + 1
    while True:
        table, index = qualified_name_tokens(tokens, index)
        if table is None:
            return tables
        tables.append(table)
        index += 1  # the comma


def _rebuild_clause(alter: AlterTable) -> str | None:
    if alter.algorithm == "COPY":
        return None
    if any(isinstance(a, exp.ForceProperty) for a in alter.actions) or alter.has_clause("FORCE"):
        return "FORCE"
    for option in alter.options():
        if isinstance(option, exp.EngineProperty) and option.name.lower() == "innodb":
            return "ENGINE=InnoDB"
        if isinstance(option, exp.RowFormatProperty):
            return "ROW_FORMAT=" + option.name.upper()
        if isinstance(option, exp.Property) and option.name.upper() == "KEY_BLOCK_SIZE":
            return "KEY_BLOCK_SIZE"
    if alter.has_clause("ENGINE", "=", "INNODB") or alter.has_clause("ENGINE", "INNODB"):
        return "ENGINE=InnoDB"
    return None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    for table in _optimized_tables(statement):
        if not context.is_new_table(table):
            name = ".".join(part.name for part in table.parts)
            yield Violation(
                message=f"Do not rebuild table `{name}` in a migration (OPTIMIZE TABLE)",
                help=_HELP,
            )
    alter = alter_table(statement)
    if alter is None or context.is_new_table(alter.table):
        return
    clause = _rebuild_clause(alter)
    if clause is not None:
        yield Violation(
            message=f"Do not rebuild table `{alter.table_name}` in a migration ({clause})",
            help=_HELP,
        )


RULE = StatementRule(
    id="mysql-table-rebuild",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    check=check,
)
