"""PostgreSQL locks: which relations existed, which locks a session holds on them, and what each
lock mode blocks.

A statement's locks are read from ``pg_locks`` inside its transaction, before the commit
releases them. What a mode blocks follows from PostgreSQL's conflict table: a plain SELECT
takes ACCESS SHARE, INSERT/UPDATE/DELETE take ROW EXCLUSIVE, so a mode blocks reads when it
conflicts with ACCESS SHARE and writes when it conflicts with ROW EXCLUSIVE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.migrations.constants import HISTORY_TABLE
from app.shadow.results import LockTaken
from app.shadow.schema import Queryable

__all__ = [
    "CONFLICTS",
    "ExistingRelation",
    "blocks_reads",
    "blocks_writes",
    "existing_relations",
    "held_locks",
    "lock_taken",
    "mode_name",
    "mode_rank",
    "storage_of",
]

_MODES = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)
#: The "Conflicting Lock Modes" table of the PostgreSQL manual (explicit-locking.html), by the
#: names pg_locks uses: each mode -> the modes it conflicts with.
CONFLICTS: dict[str, frozenset[str]] = {
    "AccessShareLock": frozenset(_MODES[7:]),
    "RowShareLock": frozenset(_MODES[6:]),
    "RowExclusiveLock": frozenset(_MODES[4:]),
    "ShareUpdateExclusiveLock": frozenset(_MODES[3:]),
    "ShareLock": frozenset({"RowExclusiveLock", "ShareUpdateExclusiveLock", *_MODES[5:]}),
    "ShareRowExclusiveLock": frozenset(_MODES[2:]),
    "ExclusiveLock": frozenset(_MODES[1:]),
    "AccessExclusiveLock": frozenset(_MODES),
}
_READ, _WRITE = "AccessShareLock", "RowExclusiveLock"
_KINDS = {
    "r": "table",
    "p": "partitioned table",
    "i": "index",
    "I": "partitioned index",
    "S": "sequence",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}

_EXISTING_SQL = f"""
SELECT c.oid::bigint, c.relkind::text,
       CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
  AND c.relname NOT LIKE '{HISTORY_TABLE}%'
"""
_HELD_SQL = """
SELECT relation::bigint, mode FROM pg_locks
WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted
  AND relation = ANY(%s::oid[])
"""
_STORAGE_SQL = """
SELECT oid::bigint, relfilenode::bigint FROM pg_class
WHERE oid = ANY(%s::oid[]) AND relkind IN ('r', 'm') AND relfilenode <> 0
"""


@dataclass(frozen=True, slots=True)
class ExistingRelation:
    oid: int
    name: str
    kind: str

    @property
    def is_table(self) -> bool:
        return self.kind in ("table", "partitioned table", "materialized view")

    @property
    def reported(self) -> bool:
        """Whether its locks are worth a line: an index's or a sequence's come with a lock on
        their table, which says what waits."""
        return self.kind not in ("index", "partitioned index", "sequence")


def mode_rank(mode: str) -> int:
    """Weakest (ACCESS SHARE, 0) to strongest (ACCESS EXCLUSIVE, 7); each blocks at least what
    the ones before it block."""
    return _MODES.index(mode) if mode in _MODES else -1


def mode_name(mode: str) -> str:
    """``AccessExclusiveLock`` -> ``ACCESS EXCLUSIVE``, as the manual and LOCK TABLE write it."""
    return " ".join(re.findall(r"[A-Z][a-z]+", mode.removesuffix("Lock"))).upper()


def blocks_reads(mode: str) -> bool:
    return _READ in CONFLICTS.get(mode, frozenset())


def blocks_writes(mode: str) -> bool:
    return _WRITE in CONFLICTS.get(mode, frozenset())


def lock_taken(relation: ExistingRelation, mode: str, held_ms: float | None) -> LockTaken:
    return LockTaken(
        relation.name,
        relation.kind,
        mode_name(mode),
        blocks_reads(mode),
        blocks_writes(mode),
        held_ms,
    )


def _int(value: object) -> int:
    return int(str(value))


def existing_relations(session: Queryable) -> dict[int, ExistingRelation]:
    """The user's relations now (before the pull request's migrations), by oid."""
    return {
        _int(oid): ExistingRelation(_int(oid), str(name), _KINDS[str(kind)])
        for oid, kind, name in session.query(_EXISTING_SQL)
    }


def held_locks(session: Queryable, oids: list[int]) -> set[tuple[int, str]]:
    """(relation oid, mode) of the relation locks this session holds on ``oids``."""
    return {(_int(oid), str(mode)) for oid, mode in session.query(_HELD_SQL, (oids,))}


def storage_of(session: Queryable, oids: list[int]) -> dict[int, int]:
    """Table oid -> relfilenode: a new relfilenode means the table was written anew."""
    return {_int(oid): _int(node) for oid, node in session.query(_STORAGE_SQL, (oids,))}
