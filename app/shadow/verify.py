"""Verify a pull request's migrations on a scratch database: the one call the review makes.

SQL from a pull request never reaches a real environment: it runs only on a database created
for this run on the repository's shadow server (which the config refuses to be an environment)
and dropped afterwards, whatever happens. Pull requests from forks get no shadow run at all:
their SQL is nobody's word on this repository.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

import structlog

from app.config import Repository
from app.migrations import MigrationError
from app.migrations.claim import connected
from app.shadow.apply import ShadowLimits, apply_base, run_pull_request
from app.shadow.database import ShadowServer, scratch_database, shadow_server
from app.shadow.database import sweep_stale_databases as sweep
from app.shadow.results import ShadowReport
from app.shadow.schema import diff_snapshots, read_snapshot
from app.shadow.seed import seed_tables
from app.shadow.sources import load_migrations

__all__ = ["FORK_REASON", "verify_pull_request"]

log = structlog.get_logger(__name__)

FORK_REASON = (
    "this pull request comes from a fork, and SQL from a fork never runs anywhere, not even on "
    "a scratch database; only the static checks ran"
)
_ENGINE_OF_DIALECT = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}


def _driver_errors() -> tuple[type[BaseException], ...]:
    import psycopg
    import pymysql

    return (psycopg.Error, pymysql.MySQLError, MigrationError, OSError)


def _why_not(repository: Repository, new_files: Mapping[str, str], fork: bool) -> str | None:
    if fork:
        return FORK_REASON
    if repository.shadow_url is None:
        return "no shadow_url is configured for this repository"
    engine = shadow_server(repository.shadow_url.get_secret_value()).engine
    if _ENGINE_OF_DIALECT.get(repository.dialect) != engine:
        return (
            f"the repository's dialect is {repository.dialect}, but its shadow server is "
            f"{'PostgreSQL' if engine == 'postgres' else 'MariaDB/MySQL'}"
        )
    if not new_files:
        return "this pull request adds no migrations to try"
    return None


def _one_line(message: str, server: ShadowServer) -> str:
    """A driver's message for the summary: on one line, and never with the password."""
    password = unquote(server.parts.password or "")
    text = " ".join(message.split())
    return text.replace(password, "***") if password else text


def _sweep_leftovers(server: ShadowServer) -> None:
    """Drop what killed runs left behind; a failure here must not stop this run."""
    try:
        dropped = sweep(server)
    except _driver_errors() as error:
        log.warning("shadow.sweep_failed", error=str(error))
        return
    if dropped:
        log.info("shadow.swept", databases=dropped)


def _verify(
    server: ShadowServer,
    repository: Repository,
    base_files: Mapping[str, str],
    new_files: Mapping[str, str],
    scheme: str,
    limits: ShadowLimits,
    workdir: Path,
) -> ShadowReport:
    directory = repository.migrations
    base = load_migrations(base_files, directory=directory, into=workdir / "base", scheme=scheme)
    new = load_migrations(new_files, directory=directory, into=workdir / "new", scheme=scheme)
    if not new:
        return ShadowReport("skipped", "this pull request adds no migrations to try")
    report = ShadowReport("applied", engine=server.engine, files=[path for path, _ in new])
    _sweep_leftovers(server)
    with scratch_database(server) as database:
        log.info("shadow.database_created", database=database.name)
        report.database = database.name
        if base:
            report.base_migrations, failure = apply_base(database.url, workdir / "base", limits)
            if failure is not None:
                report.status = "base-failed"
                report.reason = (
                    "the base branch's migrations fail on an empty database, so this pull "
                    f"request's were not tried: {failure}"
                )
                return report
        with connected(database.url) as target:
            report.notes += target.apply_timeouts(limits.seed)
            before = read_snapshot(target, server.engine)
            if repository.shadow_rows:
                report.seed = seed_tables(target, repository.shadow_rows)
            target.apply_timeouts(limits.statements)
            report.statements, notes = run_pull_request(target, new, set(before), limits.statements)
            report.notes += notes
            report.changes = diff_snapshots(before, read_snapshot(target, server.engine))
    if report.failure is not None:
        report.status = "failed"
    return report


def verify_pull_request(
    *,
    repository: Repository,
    base_files: Mapping[str, str],
    new_files: Mapping[str, str],
    forge_is_fork: bool,
    scheme: str = "auto",
    limits: ShadowLimits | None = None,
) -> ShadowReport:
    """Apply the base branch's migrations to a fresh scratch database, then the pull request's
    new ones statement by statement, and report what happened; the database is dropped after.

    ``base_files`` and ``new_files`` map repository paths to texts: every migration on the
    base commit, and the ones this pull request adds (or, repeatable ones, changes). Never
    raises for what the databases say: a server that cannot be reached gives an
    ``unavailable`` report, files the runner cannot read a ``skipped`` one.
    """
    reason = _why_not(repository, new_files, forge_is_fork)
    if reason is not None:
        return ShadowReport("skipped", reason)
    assert repository.shadow_url is not None
    server = shadow_server(repository.shadow_url.get_secret_value())
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="schemabot-shadow-") as workdir:
            report = _verify(
                server, repository, base_files, new_files, scheme, limits or ShadowLimits(),
                Path(workdir),
            )  # fmt: skip
    except _driver_errors() as error:
        message = _one_line(str(error), server)
        log.warning("shadow.unavailable", repository=repository.name, error=message)
        report = ShadowReport("unavailable", f"the shadow run could not finish: {message}")
    report.duration_ms = (time.perf_counter() - started) * 1000
    return report
