"""The pull request's migrations on a PostgreSQL scratch database, statement by statement.

Each file runs as the runner runs it: one transaction for a transactional file, autocommit for
a file marked no-transaction. After every statement, still inside the file's transaction, the
session's locks on relations that existed before the pull request are read from ``pg_locks``;
the ones not held before are the statement's. A lock is held until its transaction ends, so
its holding time runs from the statement's start to the commit: a quick ALTER followed by a
slow backfill in the same file blocks for as long as both.

Statements outside a transaction (``CREATE INDEX CONCURRENTLY`` and the like) release their
locks before anything can read them, so their locks are reported as not captured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from psycopg import pq

from app.migrations.durations import Timeouts
from app.migrations.files import Migration
from app.migrations.targets.base import StatementFailure
from app.migrations.targets.postgres import PostgresTarget
from app.shadow.locks import (
    ExistingRelation,
    blocks_writes,
    existing_relations,
    held_locks,
    lock_taken,
    mode_name,
    mode_rank,
    storage_of,
)
from app.shadow.results import Rewrite, StatementRun
from app.shadow.statements import changes_settings, statement_runs

__all__ = ["NOT_CAPTURED", "run_postgres_migrations"]

#: SQLSTATE of a statement cancelled by statement_timeout.
_QUERY_CANCELED = "57014"
NOT_CAPTURED = "runs outside a transaction, so its locks end before they can be read"


@dataclass
class _OpenLock:
    """A lock taken by ``run`` that its transaction still holds."""

    run: StatementRun
    relation: ExistingRelation
    mode: str
    since: float


@dataclass
class _Session:
    target: PostgresTarget
    existing: dict[int, ExistingRelation]
    limits: Timeouts
    held: set[tuple[int, str]] = field(default_factory=set)
    open_locks: list[_OpenLock] = field(default_factory=list)

    @property
    def oids(self) -> list[int]:
        return list(self.existing)

    @property
    def table_oids(self) -> list[int]:
        return [oid for oid, relation in self.existing.items() if relation.is_table]

    def in_transaction(self) -> bool:
        return self.target.conn.pgconn.transaction_status != pq.TransactionStatus.IDLE

    def release_locks(self) -> None:
        """The transaction ended: every open lock was held until now."""
        ended = time.perf_counter()
        for item in self.open_locks:
            held_ms = (ended - item.since) * 1000
            item.run.locks.append(lock_taken(item.relation, item.mode, held_ms))
        self.open_locks.clear()
        self.held.clear()

    def rows_in(self, oid: int) -> int:
        name = self.target.query(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = %s",
            (oid,),
        )
        counted = self.target.query(f"SELECT count(*) FROM {name[0][0]}")
        return int(str(counted[0][0]))

    def strongest_held(self) -> dict[int, _OpenLock]:
        strongest: dict[int, _OpenLock] = {}
        for item in self.open_locks:
            current = strongest.get(item.relation.oid)
            if current is None or mode_rank(item.mode) > mode_rank(current.mode):
                strongest[item.relation.oid] = item
        return strongest

    def record_new_locks(self, run: StatementRun, started: float) -> None:
        """The statement's locks: those its transaction did not hold before, the strongest per
        relation, unless the transaction already held one at least as strong there."""
        before = self.strongest_held()
        now = held_locks(self.target, self.oids)
        strongest: dict[int, str] = {}
        for oid, mode in now - self.held:
            if mode_rank(mode) > mode_rank(strongest.get(oid, "")):
                strongest[oid] = mode
        self.held |= now
        for oid, mode in sorted(strongest.items()):
            relation = self.existing[oid]
            had = before.get(oid)
            if relation.reported and (had is None or mode_rank(had.mode) < mode_rank(mode)):
                self.open_locks.append(_OpenLock(run, relation, mode, started))

    def note_locks_held(self, run: StatementRun) -> None:
        """A statement that adds no lock may still run while the file blocks others."""
        blocking = [
            f"{mode_name(item.mode)} on `{item.relation.name}` (line {item.run.line})"
            for item in self.strongest_held().values()
            if blocks_writes(item.mode)
        ]
        if blocking:
            run.locks_note = "runs while this file's transaction holds " + ", ".join(blocking)

    def run(self, run: StatementRun) -> bool:
        """Run one statement and record what it did; False when it failed."""
        if self.in_transaction():
            self.note_locks_held(run)
        storage_before = storage_of(self.target, self.table_oids)
        was_in_transaction = self.in_transaction()
        started = time.perf_counter()
        try:
            self.target.run_statement(run.text)
        except StatementFailure as failure:
            run.duration_ms = (time.perf_counter() - started) * 1000
            run.error = failure.message
            run.timed_out = failure.sqlstate == _QUERY_CANCELED
            return False
        run.duration_ms = (time.perf_counter() - started) * 1000
        if changes_settings(run.text):
            # A file's SET may raise the limits: the shadow run keeps its own.
            self.target.apply_timeouts(self.limits)
        if self.in_transaction():
            self.record_new_locks(run, started)
        elif was_in_transaction:
            self.release_locks()  # the statement ended the transaction (a COMMIT in the file)
        else:
            run.locks_captured = False
            run.locks_note = NOT_CAPTURED
        storage_after = storage_of(self.target, self.table_oids)
        for oid, node in storage_before.items():
            if storage_after.get(oid, node) != node:
                run.rewrites.append(Rewrite(self.existing[oid].name, self.rows_in(oid)))
        return True

    def end_transaction(self, last: StatementRun | None) -> bool:
        """Commit what the file left open; a deferred constraint may fail here."""
        if not self.in_transaction():
            return True
        try:
            self.target.run_statement("COMMIT")
        except StatementFailure as failure:
            if last is not None:
                last.error = f"at COMMIT: {failure.message}"
            return False
        finally:
            self.release_locks()
        return True

    def abandon_transaction(self) -> None:
        if self.in_transaction():
            self.target.run_statement("ROLLBACK")
        self.release_locks()


def run_postgres_migrations(
    target: PostgresTarget, migrations: list[tuple[str, Migration]], limits: Timeouts
) -> list[StatementRun]:
    """Every statement of ``migrations`` (repository path, migration) in order, under
    ``limits``; stops at the first failure, the statements after it listed as not run."""
    session = _Session(target, existing_relations(target), limits)
    runs: list[StatementRun] = []
    failed = False
    for path, migration in migrations:
        script = migration.up
        file_runs = statement_runs(path, script, "postgres")
        runs += file_runs
        if failed or not file_runs:
            continue
        if not script.no_transaction("postgres"):
            target.run_statement("BEGIN")
        for run in file_runs:
            if not session.run(run):
                session.abandon_transaction()
                failed = True
                break
        else:
            failed = not session.end_transaction(file_runs[-1])
    return runs
