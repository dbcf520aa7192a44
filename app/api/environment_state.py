"""What each environment's database says about itself: applied version and dirty state.

The target's ``schemabot_history`` table is the truth (DESIGN: history lives in each target),
so the repositories page asks the runner, read-only, rather than trusting the service store.
The migration files live in the forge, not here: the runner is asked with no files, which
yields the applied rows and the dirty state (its "file missing" problems are meaningless then
and ignored); pending migrations come from the rollouts instead.

Reads are bounded in time and cached briefly: a dashboard open on several screens, refreshing
every few seconds, must not become load on a production database, and an unreachable database
must not hold a page.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from app.config import Environment, Repository
from app.dsn import mask_passwords
from app.migrations import status

__all__ = [
    "STATE_CACHE_SECONDS",
    "STATE_READ_SECONDS",
    "DirtyMigration",
    "EnvironmentStates",
    "EnvironmentStatesDep",
    "TargetState",
]

#: How long one read of a target is reused: fresher than a person can act on, and one query
#: per environment per few seconds whatever the number of open dashboards.
STATE_CACHE_SECONDS = 5.0
#: A page waits this long for a database before showing it as unreachable (the runner's own
#: connect timeout is 10 s; the read goes on in its thread and fills the cache when it ends).
STATE_READ_SECONDS = 4.0


@dataclass(frozen=True, slots=True)
class DirtyMigration:
    version: str | None
    script: str
    #: "failed": the runner saw the error; "interrupted": the runner died mid-file.
    state: str
    line: int | None
    statement: str | None
    error: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class TargetState:
    reachable: bool
    #: Why the database could not be read (connection refused, timeout...), passwords masked.
    error: str | None = None
    applied_version: str | None = None
    applied_count: int = 0
    last_applied_at: datetime | None = None
    dirty: DirtyMigration | None = None


def _read(environment: Environment) -> TargetState:
    report = status(
        target_url=environment.url.get_secret_value(),
        migrations=[],
        allow_out_of_order=environment.allow_out_of_order,
    )
    newest = report.applied[-1] if report.applied else None
    finished = [row.finished_at for row in report.applied if row.finished_at is not None]
    dirty = None
    if report.dirty is not None:
        row = report.dirty.row
        dirty = DirtyMigration(
            version=row.version,
            script=row.script,
            state=report.dirty.state,
            line=row.statement_line,
            statement=report.dirty.statement,
            error=row.error,
            explanation=report.dirty.explanation,
        )
    return TargetState(
        reachable=True,
        applied_version=newest.version if newest is not None else None,
        applied_count=len(report.applied),
        last_applied_at=max(finished) if finished else None,
        dirty=dirty,
    )


class EnvironmentStates:
    """Reads targets with a time bound and a short cache; one instance per app."""

    def __init__(
        self,
        *,
        cache_seconds: float = STATE_CACHE_SECONDS,
        read_seconds: float = STATE_READ_SECONDS,
    ) -> None:
        self._cache_seconds = cache_seconds
        self._read_seconds = read_seconds
        self._cache: dict[tuple[str, str, str], tuple[float, TargetState]] = {}
        self._reading: dict[tuple[str, str, str], asyncio.Task[TargetState]] = {}

    async def of(self, repository: Repository, environment: Environment) -> TargetState:
        key = (repository.forge, repository.name, environment.name)
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        # One read per target at a time: concurrent pages share it instead of piling up.
        task = self._reading.get(key)
        if task is None:
            task = asyncio.create_task(self._read_and_cache(key, environment))
            self._reading[key] = task
            task.add_done_callback(lambda _: self._reading.pop(key, None))
        try:
            return await asyncio.wait_for(asyncio.shield(task), self._read_seconds)
        except TimeoutError:
            return TargetState(reachable=False, error=f"no answer within {self._read_seconds:g} s")

    async def _read_and_cache(
        self, key: tuple[str, str, str], environment: Environment
    ) -> TargetState:
        try:
            state = await asyncio.to_thread(_read, environment)
        except Exception as error:  # any failure to read is shown on the page, with its reason
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            state = TargetState(
                reachable=False,
                error=mask_passwords(f"{type(error).__name__}: {first_line}".rstrip(": ")),
            )
        self._cache[key] = (time.monotonic(), state)
        return state


def _environment_states(request: Request) -> EnvironmentStates:
    """The app's reader, made on first use (its cache lives as long as the app)."""
    states: EnvironmentStates | None = getattr(request.app.state, "environment_states", None)
    if states is None:
        states = EnvironmentStates()
        request.app.state.environment_states = states
    return states


EnvironmentStatesDep = Annotated[EnvironmentStates, Depends(_environment_states)]
