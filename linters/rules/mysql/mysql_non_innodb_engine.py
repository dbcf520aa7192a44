"""Table created or converted with a storage engine other than InnoDB.

## What it does
Reports `CREATE TABLE ... ENGINE=x` and `ALTER TABLE ... ENGINE=x` where `x` is not InnoDB
(MyISAM, MEMORY, Aria, ARCHIVE, CSV, ...). New tables are not exempt: the engine is the
problem. `CREATE TEMPORARY TABLE` is exempt: a session's scratch table is gone when the
migration ends.

## Why is this bad?
Only InnoDB gives transactions, crash recovery, row-level locking and foreign keys. A MyISAM or
Aria table locks the whole table for every write, can be corrupted by a crash, and is ignored by
the transaction the application thinks it is in; a MEMORY table loses its rows on every
restart. Converting an existing table to another engine also copies it with writes blocked.

## Example
```sql
CREATE TABLE audit_log (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, entry text)
    ENGINE=MyISAM;
-- table-level locks, no crash safety, no transactions
```

## Use instead
```sql
CREATE TABLE audit_log (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, entry text)
    ENGINE=InnoDB;
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.column_definitions import created_table, is_temporary
from linters.sql.mysql_alter import alter_table
from linters.sql.object_names import qualified_name
from linters.statement import Statement


def _engine(statement: Statement) -> tuple[str, str] | None:
    """(table, engine) a CREATE TABLE or ALTER TABLE asks for."""
    expression = statement.expression
    if isinstance(expression, exp.Create) and str(expression.args.get("kind")) == "TABLE":
        engine = expression.find(exp.EngineProperty)
        table = created_table(expression)
        if engine is None or table is None or is_temporary(expression):
            return None
        return qualified_name(table), engine.name
    alter = alter_table(statement)
    if alter is None:
        return None
    for option in alter.options():
        if isinstance(option, exp.EngineProperty):
            return alter.table_name, option.name
    words = alter.clause_words
    if "ENGINE" in words:
        at = words.index("ENGINE") + 1
        at += 1 if words[at : at + 1] == ("=",) else 0
        if at < len(words):
            return alter.table_name, words[at]
    return None


def _with_innodb(statement: Statement, engine: str) -> str | None:
    """A CREATE TABLE with its engine replaced; converting an existing table has no such fix."""
    if not isinstance(statement.expression, exp.Create):
        return None
    pattern = re.compile(rf"(ENGINE\s*=?\s*)[`'\"]?{re.escape(engine)}[`'\"]?", re.IGNORECASE)
    fixed, count = pattern.subn(r"\g<1>InnoDB", statement.text, count=1)
    return fixed if count else None


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    found = _engine(statement)
    if found is None or found[1].lower() == "innodb":
        return
    table, engine = found
    yield Violation(
        message=f"Use InnoDB for table `{table}`, not ENGINE={engine}",
        help="ENGINE=InnoDB: transactions, row locks, crash recovery, foreign keys",
        suggestion=_with_innodb(statement, engine),
    )


RULE = StatementRule(
    id="mysql-non-innodb-engine",
    severity=Severity.ERROR,
    dialects=MYSQL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter, exp.Command),
    check=check,
)
