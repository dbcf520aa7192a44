"""Statement that schemabot does not understand.

## What it does
Reports a statement that the SQL parser reads only as an opaque command and that is not one of
the command shapes schemabot recognises by its words (`VACUUM`, `ALTER TABLE ... VALIDATE
CONSTRAINT`, `ALTER TYPE ... ADD VALUE`, `RENAME TABLE`, `DO` blocks and so on).

When a line inside the statement begins another statement (`CREATE`, `ALTER`, `DROP`,
`INSERT`... at the start of a line, after text that reads as a statement of its own), the
message says that a `;` is probably missing there.

## Why is this bad?
No rule can look inside a statement nobody understands, so its locks, rewrites and data loss go
unchecked. It may be a typo the server rejects at deploy time (`ADD COLUM`), or valid syntax the
linter does not know yet. Either way a person should look at it, rather than it passing in
silence.

## Example
```sql
-- typo: the parser gives up on the action and keeps the statement opaque
ALTER TABLE users ADD COLUM email text;

-- valid, but nothing in schemabot knows what it locks
ALTER TABLE users OF user_row;
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN email text;
```
When the statement is right for your server, say so on it:
`-- schemabot:ignore unsupported-statement -- <why it is safe>`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from sqlglot import exp

from linters.dialects import ALL, Dialect
from linters.finding import Severity
from linters.parse import missing_delimiter
from linters.rule import Context, StatementRule, Violation
from linters.statement import Statement

#: Commands in every dialect: session settings and transaction control.
_EVERYWHERE = (
    "SET",
    "START TRANSACTION",
    "SAVEPOINT",
    "RELEASE",
    "CALL",
)

#: The generic commands rules recognise, as ``Statement.matches`` shapes: leading words, then
#: ``...`` for any words before the next ones. Each was checked against what sqlglot gives.
UNDERSTOOD: dict[Dialect, tuple[str, ...]] = {
    "postgres": (
        *_EVERYWHERE,
        # ALTER TABLE actions sqlglot does not model; an unknown action (a typo) stays unknown
        "ALTER TABLE ... VALIDATE CONSTRAINT",
        "ALTER TABLE ... ATTACH PARTITION",
        "ALTER TABLE ... DETACH PARTITION",
        "ALTER TABLE ... ALTER CONSTRAINT",
        "ALTER TABLE ... RENAME CONSTRAINT",
        "ALTER TABLE ... USING INDEX",
        "ALTER TABLE ... OWNER TO",
        "ALTER TABLE ... SET SCHEMA",
        "ALTER TABLE ... ENABLE",
        "ALTER TABLE ... DISABLE",
        "ALTER TABLE ... ROW LEVEL SECURITY",
        "ALTER TABLE ... REPLICA IDENTITY",
        "ALTER TABLE ... INHERIT",
        "ALTER TABLE ... CLUSTER ON",
        "ALTER TABLE ... SET WITHOUT CLUSTER",
        "ALTER TABLE ... RESET (",
        "ALTER TABLE ... SET (",
        "ALTER TABLE ... SET STATISTICS",
        "ALTER TABLE ... SET STORAGE",
        "ALTER TABLE ... SET COMPRESSION",
        "ALTER TABLE ... ADD GENERATED",
        "ALTER TABLE ... SET GENERATED",
        "ALTER TABLE ... DROP IDENTITY",
        "ALTER TABLE ... DROP EXPRESSION",
        "ALTER INDEX ... ATTACH PARTITION",
        "ALTER INDEX ... ALTER COLUMN",
        "ALTER INDEX ... RESET (",
        # types, domains, schemas and other objects
        "ALTER TYPE ... ADD VALUE",
        "ALTER TYPE ... RENAME VALUE",
        "ALTER TYPE ... RENAME TO",
        "ALTER TYPE ... ATTRIBUTE",
        "ALTER TYPE ... OWNER TO",
        "ALTER TYPE ... SET SCHEMA",
        "CREATE TYPE",
        "CREATE DOMAIN",
        "ALTER DOMAIN",
        "DROP DOMAIN",
        "CREATE SCHEMA",
        "ALTER SCHEMA ... RENAME TO",
        "ALTER SCHEMA ... OWNER TO",
        "ALTER SEQUENCE",
        "ALTER VIEW ... OWNER TO",
        "ALTER MATERIALIZED VIEW",
        "CREATE MATERIALIZED VIEW",
        "CREATE RECURSIVE VIEW",
        "REFRESH MATERIALIZED VIEW",
        "CREATE FOREIGN TABLE",
        "ALTER FOREIGN TABLE",
        "DROP FOREIGN TABLE",
        # maintenance: rewrites and locks that rules judge by these words
        "VACUUM",
        "REINDEX",
        "CLUSTER",
        "LOCK",
        "CHECKPOINT",
        # code: functions, procedures, triggers, rules, policies, anonymous blocks
        "DO",
        "CREATE FUNCTION",
        "CREATE PROCEDURE",
        "CREATE OR REPLACE FUNCTION",
        "CREATE OR REPLACE PROCEDURE",
        "ALTER FUNCTION",
        "ALTER PROCEDURE",
        "ALTER ROUTINE",
        "DROP FUNCTION",
        "DROP PROCEDURE",
        "DROP ROUTINE",
        "CREATE TRIGGER",
        "CREATE OR REPLACE TRIGGER",
        "CREATE CONSTRAINT TRIGGER",
        "ALTER TRIGGER",
        "CREATE EVENT TRIGGER",
        "ALTER EVENT TRIGGER",
        "CREATE RULE",
        "CREATE OR REPLACE RULE",
        "DROP RULE",
        "CREATE POLICY",
        "ALTER POLICY",
        "DROP POLICY",
        "CREATE AGGREGATE",
        "CREATE OR REPLACE AGGREGATE",
        "DROP AGGREGATE",
        "CREATE CAST",
        "DROP CAST",
        "CREATE OPERATOR",
        "ALTER OPERATOR",
        "CREATE COLLATION",
        "ALTER COLLATION",
        "CREATE TEXT SEARCH",
        "ALTER TEXT SEARCH",
        "CREATE STATISTICS",
        "ALTER STATISTICS",
        "CREATE LANGUAGE",
        # extensions, privileges, documentation
        "CREATE EXTENSION",
        "ALTER EXTENSION",
        "DROP EXTENSION",
        "GRANT",
        "REVOKE",
        "ALTER DEFAULT PRIVILEGES",
        "REASSIGN OWNED",
        "DROP OWNED",
        "COMMENT ON",
        "SECURITY LABEL",
        "CREATE ROLE",
        "ALTER ROLE",
        "DROP ROLE",
        "CREATE USER",
        "ALTER USER",
        "DROP USER",
        # server-level objects: other rules decide whether they belong in a migration
        "CREATE DATABASE",
        "ALTER DATABASE",
        "ALTER SYSTEM",
        "CREATE TABLESPACE",
        "ALTER TABLESPACE",
        "CREATE PUBLICATION",
        "ALTER PUBLICATION",
        "DROP PUBLICATION",
        "CREATE SUBSCRIPTION",
        "ALTER SUBSCRIPTION",
        "CREATE SERVER",
        "ALTER SERVER",
        "DROP SERVER",
        "CREATE FOREIGN DATA WRAPPER",
        "IMPORT FOREIGN SCHEMA",
        # session and transaction control
        "RESET",
        "DISCARD",
        "ABORT",
        "PREPARE TRANSACTION",
        "COMMIT PREPARED",
        "ROLLBACK PREPARED",
        "LISTEN",
        "UNLISTEN",
        "NOTIFY",
    ),
    "mysql": (
        *_EVERYWHERE,
        # ALTER TABLE forms sqlglot does not model
        "ALTER TABLE ... PARTITION",
        "ALTER TABLE ... PARTITIONING",
        "ALTER TABLE ... CONVERT TO CHARACTER SET",
        "ALTER TABLE ... DISCARD TABLESPACE",
        "ALTER TABLE ... IMPORT TABLESPACE",
        "ALTER TABLE ... ENABLE KEYS",
        "ALTER TABLE ... DISABLE KEYS",
        "ALTER TABLE ... ADD COLUMN (",
        "ALTER TABLE ... ADD (",
        "ALTER TABLE ... ALTER CHECK",
        "ALTER TABLE ... SYSTEM VERSIONING",
        "ALTER TABLE ... WAIT",
        "ALTER TABLE ... NOWAIT",
        "ALTER ONLINE TABLE",
        "ALTER IGNORE TABLE",
        # indexes with ALGORITHM= / LOCK= clauses, and kinds sqlglot keeps opaque
        "CREATE INDEX",
        "CREATE UNIQUE INDEX",
        "CREATE FULLTEXT INDEX",
        "CREATE SPATIAL INDEX",
        "RENAME TABLE",
        # maintenance
        "OPTIMIZE",
        "CHECK TABLE",
        "REPAIR TABLE",
        "CHECKSUM TABLE",
        "FLUSH",
        "LOCK TABLE",
        "LOCK TABLES",
        "UNLOCK TABLES",
        # stored programs, with or without DEFINER=
        *(
            f"{create} {definer}{kind}"
            for create in ("CREATE", "CREATE OR REPLACE")
            for definer in ("", "DEFINER ... ")
            for kind in ("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT")
        ),
        "CREATE AGGREGATE FUNCTION",
        "ALTER PROCEDURE",
        "ALTER FUNCTION",
        "ALTER EVENT",
        "ALTER DEFINER ... EVENT",
        "DROP EVENT",
        "BEGIN NOT ATOMIC",
        "DO",
        "PREPARE",
        "EXECUTE",
        "DEALLOCATE PREPARE",
        # data, schemas and accounts
        "REPLACE",
        "LOAD DATA",
        "ALTER DATABASE",
        "ALTER SCHEMA",
        "ALTER SEQUENCE",
        "CREATE TABLESPACE",
        "GRANT",
        "REVOKE",
        "CREATE USER",
        "ALTER USER",
        "DROP USER",
        "RENAME USER",
        "CREATE ROLE",
        "DROP ROLE",
    ),
    "sqlite": (
        *_EVERYWHERE,
        "VACUUM",
        "REINDEX",
        "CREATE TRIGGER",
        "CREATE TEMP TRIGGER",
        "CREATE TEMPORARY TRIGGER",
        "CREATE TABLE ... WITHOUT ROWID",
        "ALTER TABLE ... ADD",
        "REPLACE",
        "UPDATE OR",
        "END",
    ),
}
UNDERSTOOD["mariadb"] = UNDERSTOOD["mysql"]


def understood(statement: Statement) -> bool:
    """Whether some rule knows this generic command by its words."""
    shapes = _shapes_by_first_word(statement.dialect)
    first = statement.words[:1]
    candidates = shapes.get(first[0], ()) if first else ()
    return any(statement.matches(shape) for shape in (*candidates, *shapes.get("", ())))


@cache
def _shapes_by_first_word(dialect: Dialect) -> dict[str, tuple[str, ...]]:
    """``UNDERSTOOD`` shapes by the word they must start with ("" when any word may lead): a
    statement is matched against its own first word's shapes alone."""
    shapes: dict[str, tuple[str, ...]] = {}
    for shape in UNDERSTOOD[dialect]:
        first = shape.split("...", 1)[0].split()[:1]
        key = first[0] if first else ""
        shapes[key] = (*shapes.get(key, ()), shape)
    return shapes


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    if understood(statement):
        return
    first_line = statement.text.splitlines()[0][:60]
    line = missing_delimiter(statement)
    if line is not None:
        yield Violation(
            message=f"Add the `;` that is probably missing before line {line}: the server reads "
            f"`{first_line}` and the next statement as one, and fails",
            help="End every statement with `;`",
        )
        return
    yield Violation(
        message=f"Review `{first_line}` by hand: schemabot cannot analyse this statement",
        help="Check the syntax; if the server accepts it, suppress with a reason",
    )


RULE = StatementRule(
    id="unsupported-statement",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Command,),
    check=check,
)
