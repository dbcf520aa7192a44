"""Index built concurrently on PostgreSQL 14.0 to 14.3.

## What it does
Reports `CREATE INDEX CONCURRENTLY` and `REINDEX ... CONCURRENTLY` when the configured
`postgres_version` is 14.0, 14.1, 14.2 or 14.3, or just `14` (minor release unknown).

Ignores indexes on tables created earlier in the same change: with no concurrent writes the bug
cannot strike. Quiet when no `postgres_version` is configured (a current release is assumed).

## Why is this bad?
PostgreSQL 14.0 to 14.3 can build a corrupt index with `CONCURRENTLY` when rows are updated
during the build: the index silently misses entries, and queries using it return wrong
results. 14.4 fixed it, and indexes built concurrently before the upgrade should be rebuilt.

## Example
```sql
-- postgres_version = "14.2"
CREATE INDEX CONCURRENTLY ix_users_email ON users (email);
-- may silently miss rows updated during the build
```

## Use instead
Upgrade the server to 14.4 or later first, then build the index:
```sql
-- postgres_version = "14.4"
CREATE INDEX CONCURRENTLY ix_users_email ON users (email);
```
If the server already runs 14.4 or later, set `postgres_version` to the exact release.

## References
- [PostgreSQL 14.4 release notes](https://www.postgresql.org/docs/release/14.4/)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.index_creations import index_creation
from linters.sql.maintenance_commands import maintenance_command
from linters.sql.object_names import qualified_name
from linters.statement import Statement

#: The first 14.x release with the fix.
_FIXED_MINOR = 4


def _buggy(version: tuple[int, ...] | None) -> bool:
    if version is None or version[0] != 14:
        return False
    return len(version) == 1 or version[1] < _FIXED_MINOR


def _concurrent_build(statement: Statement, context: Context) -> str | None:
    """What the statement builds concurrently, for the message; None if nothing."""
    index = index_creation(statement)
    if index is not None:
        if not index.concurrently or context.is_new_table(index.table):
            return None
        return f"building {index.label(qualified_name(index.table))}"
    command = maintenance_command(statement)
    if command is None or command.verb != "REINDEX" or "CONCURRENTLY" not in command.options:
        return None
    names = ", ".join(qualified_name(target) for target in command.targets)
    kind = (command.kind or "").lower()
    return f"rebuilding {kind} `{names}`" if names else f"rebuilding the {kind} indexes"


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    version = context.server_version
    if not _buggy(version):
        return
    what = _concurrent_build(statement, context)
    if what is None:
        return
    release = ".".join(str(part) for part in version or ())
    yield Violation(
        message=f"Upgrade PostgreSQL {release} to 14.4 or later before {what} CONCURRENTLY",
        help="14.0-14.3 can silently corrupt indexes built CONCURRENTLY; if the server is "
        "14.4+, set postgres_version to the exact release",
    )


RULE = StatementRule(
    id="create-index-concurrently-buggy-version",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create, exp.Command),
    check=check,
)
