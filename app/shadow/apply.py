"""Build the scratch database up to the base branch, then try the pull request's migrations.

The base branch's migrations are applied by the runner itself, as a rollout would apply them,
file by file. The pull request's go statement by statement (``run_postgres`` / ``run_mysql``)
under short timeouts, so each statement's duration, error, locks and rewrites are its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.migrations import MigrationError, Timeouts
from app.migrations import apply as apply_migrations
from app.migrations.files import Migration
from app.migrations.targets.base import Target
from app.shadow.constants import LOCK_TIMEOUT, SEED_TIMEOUT, STATEMENT_TIMEOUT
from app.shadow.results import StatementRun

__all__ = ["APPLIED_BY", "ShadowLimits", "apply_base", "run_pull_request"]

#: Who the scratch database's history says applied the base branch.
APPLIED_BY = "schemabot shadow"
#: How long the runner waits for its own lock on a database nobody else knows about.
_RUNNER_LOCK_WAIT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class ShadowLimits:
    """Seconds each statement may run and wait for a lock, and the seed may take."""

    statement_timeout: float = STATEMENT_TIMEOUT.total_seconds()
    lock_timeout: float = LOCK_TIMEOUT.total_seconds()
    seed_timeout: float = SEED_TIMEOUT.total_seconds()

    @property
    def statements(self) -> Timeouts:
        return Timeouts(self.lock_timeout, self.statement_timeout)

    @property
    def seed(self) -> Timeouts:
        return Timeouts(self.lock_timeout, self.seed_timeout)


def apply_base(url: str, directory: Path, limits: ShadowLimits) -> tuple[int, str | None]:
    """Apply the base branch's migrations in ``directory``: (files applied, failure or None)."""
    try:
        report = apply_migrations(
            target_url=url,
            migrations=directory,
            applied_by=APPLIED_BY,
            timeouts=limits.statements,
            lock_wait=_RUNNER_LOCK_WAIT_SECONDS,
        )
    except MigrationError as error:
        return 0, str(error)
    if report.failure is not None:
        return len(report.steps), str(report.failure)
    return len(report.steps), None


def run_pull_request(
    target: Target, migrations: list[tuple[str, Migration]], tables: set[str], limits: Timeouts
) -> tuple[list[StatementRun], list[str]]:
    """Every statement of the pull request's ``migrations`` (repository path, migration)
    under ``limits``, and notes on what could not be measured; ``tables`` are the tables that
    exist before them."""
    if target.engine == "postgres":
        from app.migrations.targets.postgres import PostgresTarget
        from app.shadow.run_postgres import run_postgres_migrations

        assert isinstance(target, PostgresTarget)
        return run_postgres_migrations(target, migrations, limits), []
    from app.migrations.targets.mysql import MysqlTarget
    from app.shadow.run_mysql import run_mysql_migrations

    assert isinstance(target, MysqlTarget)
    return run_mysql_migrations(target, migrations, tables, limits)
