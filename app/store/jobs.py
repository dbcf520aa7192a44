"""Jobs of the in-process queue, persisted: a restart resumes what was queued or running."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.store.tables import jobs

__all__ = ["JobRecord", "Jobs"]


@dataclass(frozen=True)
class JobRecord:
    id: str
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    max_tries: int
    error: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def _record(row: Any) -> JobRecord:
    return JobRecord(
        row["id"],
        row["kind"],
        row["payload"],
        row["status"],
        row["attempts"],
        row["max_tries"],
        row["error"],
    )


class Jobs:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, *, job_id: str, kind: str, payload: dict[str, Any], max_tries: int) -> bool:
        """Queue a job; False when a job with that id exists (queued, running or finished)."""
        now = _now()
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(jobs).values(
                        id=job_id,
                        kind=kind,
                        payload=payload,
                        status="queued",
                        attempts=0,
                        max_tries=max_tries,
                        run_after=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def claim_next(self) -> JobRecord | None:
        """Take the oldest due job and mark it running (one attempt more)."""
        now = _now()
        with self._engine.begin() as connection:
            while True:
                row = (
                    connection.execute(
                        select(jobs)
                        .where(and_(jobs.c.status == "queued", jobs.c.run_after <= now))
                        .order_by(jobs.c.run_after, jobs.c.created_at)
                        .limit(1)
                    )
                    .mappings()
                    .first()
                )
                if row is None:
                    return None
                claimed = connection.execute(
                    update(jobs)
                    .where(and_(jobs.c.id == row["id"], jobs.c.status == "queued"))
                    .values(status="running", attempts=row["attempts"] + 1, updated_at=now)
                )
                if claimed.rowcount == 1:
                    return JobRecord(
                        row["id"],
                        row["kind"],
                        row["payload"],
                        "running",
                        row["attempts"] + 1,
                        row["max_tries"],
                        row["error"],
                    )

    def finish(self, job_id: str, *, failed: bool = False, error: str | None = None) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(status="failed" if failed else "done", error=error, updated_at=_now())
            )

    def retry_later(self, job_id: str, *, delay: timedelta, error: str | None) -> None:
        now = _now()
        with self._engine.begin() as connection:
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(status="queued", run_after=now + delay, error=error, updated_at=now)
            )

    def requeue(self, job_id: str, *, undo_attempt: bool) -> None:
        """Put an interrupted job back; a shutdown does not count as a failed attempt."""
        values: dict[str, Any] = {"status": "queued", "updated_at": _now()}
        if undo_attempt:
            values["attempts"] = jobs.c.attempts - 1
        with self._engine.begin() as connection:
            connection.execute(update(jobs).where(jobs.c.id == job_id).values(**values))

    def requeue_interrupted(self) -> int:
        """Jobs left running by a process that died: queue them again (at-least-once)."""
        with self._engine.begin() as connection:
            result = connection.execute(
                update(jobs)
                .where(jobs.c.status == "running")
                .values(status="queued", updated_at=_now())
            )
        return int(result.rowcount)

    def get(self, job_id: str) -> JobRecord | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return _record(row) if row is not None else None

    def count(self, *statuses: str) -> int:
        """Jobs in any of these statuses, counted in one query."""
        from sqlalchemy import func

        with self._engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(jobs).where(jobs.c.status.in_(statuses))
                ).scalar_one()
            )
