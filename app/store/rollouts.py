"""Rollouts and their steps: what was decided, what ran, and who holds each rollout now.

Every change a job makes while running a rollout is guarded by its lease (``lease_holder``):
a worker that lost its lease (it stalled, another took over) cannot write over the new holder.
Changes from outside (a command, a newer rollout superseding an older one) are compare-and-set
on the status and bump ``wakes``, so a job about to park the rollout sees them and looks again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, and_, exists, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.store.rollout_records import (
    ACTIVE,
    RolloutRecord,
    StepRecord,
    now,
    rollout_record,
    step_record,
)
from app.store.tables import rollout_steps, rollouts

__all__ = ["Rollouts"]


def _held_by(rollout_id: int, holder: str) -> Any:
    return and_(rollouts.c.id == rollout_id, rollouts.c.lease_holder == holder)


class Rollouts:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- creating and finding ----------------------------------------------------------------

    def create(
        self,
        *,
        forge: str,
        repository: str,
        commit_sha: str,
        branch: str,
        environments: Sequence[str],
        pull_number: int | None,
        trigger: str,
    ) -> tuple[RolloutRecord, str | None]:
        """The rollout of this commit, created with one pending step per environment if it is
        new, and what this call changed: ``created``, ``attached`` (a later call that knows the
        pull request, the merged event after the push, records its number), or None."""
        at = now()
        try:
            with self._engine.begin() as connection:
                key = connection.execute(
                    insert(rollouts).values(
                        forge=forge,
                        repository=repository,
                        commit_sha=commit_sha,
                        branch=branch,
                        pull_number=pull_number,
                        trigger=trigger[:200],
                        status="queued",
                        wakes=0,
                        created_at=at,
                        updated_at=at,
                    )
                ).inserted_primary_key
                assert key is not None
                rollout_id = int(key[0])
                if environments:
                    connection.execute(
                        insert(rollout_steps),
                        [
                            {
                                "rollout_id": rollout_id,
                                "environment": name,
                                "position": index,
                                "status": "pending",
                                "applied": [],
                                "attempts": 0,
                            }
                            for index, name in enumerate(environments)
                        ],
                    )
        except IntegrityError:
            existing = self.for_commit(forge, repository, commit_sha)
            if existing is None:  # pragma: no cover - the unique row vanished: never deleted
                raise
            if pull_number is not None and existing.pull_number is None:
                with self._engine.begin() as connection:
                    attached = connection.execute(
                        update(rollouts)
                        .where(and_(rollouts.c.id == existing.id, rollouts.c.pull_number.is_(None)))
                        .values(pull_number=pull_number)
                    ).rowcount
                if attached == 1:
                    return self.get(existing.id) or existing, "attached"
            return existing, None
        created = self.get(rollout_id)
        assert created is not None
        return created, "created"

    def get(self, rollout_id: int) -> RolloutRecord | None:
        with self._engine.connect() as connection:
            row = (
                connection.execute(select(rollouts).where(rollouts.c.id == rollout_id))
                .mappings()
                .first()
            )
        return rollout_record(row) if row is not None else None

    def for_commit(self, forge: str, repository: str, commit_sha: str) -> RolloutRecord | None:
        return self._first(
            and_(
                rollouts.c.forge == forge,
                rollouts.c.repository == repository,
                rollouts.c.commit_sha == commit_sha,
            )
        )

    def for_pull_request(self, forge: str, repository: str, number: int) -> RolloutRecord | None:
        """The newest rollout of a pull request's merge."""
        return self._first(
            and_(
                rollouts.c.forge == forge,
                rollouts.c.repository == repository,
                rollouts.c.pull_number == number,
            )
        )

    def _first(self, condition: Any) -> RolloutRecord | None:
        with self._engine.connect() as connection:
            row = (
                connection.execute(
                    select(rollouts).where(condition).order_by(rollouts.c.id.desc()).limit(1)
                )
                .mappings()
                .first()
            )
        return rollout_record(row) if row is not None else None

    def of_repository(
        self, forge: str, repository: str, *, statuses: Iterable[str] | None = None
    ) -> list[RolloutRecord]:
        """The repository's rollouts, oldest first."""
        query = select(rollouts).where(
            and_(rollouts.c.forge == forge, rollouts.c.repository == repository)
        )
        if statuses is not None:
            query = query.where(rollouts.c.status.in_(list(statuses)))
        with self._engine.connect() as connection:
            rows = connection.execute(query.order_by(rollouts.c.id)).mappings().all()
        return [rollout_record(row) for row in rows]

    def superseded_into(self, rollout_id: int) -> list[RolloutRecord]:
        """Rollouts this one carries on: those it superseded, and those they had superseded."""
        found: list[RolloutRecord] = []
        frontier = [rollout_id]
        with self._engine.connect() as connection:
            while frontier:
                rows = (
                    connection.execute(
                        select(rollouts)
                        .where(rollouts.c.superseded_by.in_(frontier))
                        .order_by(rollouts.c.id)
                    )
                    .mappings()
                    .all()
                )
                records = [rollout_record(row) for row in rows]
                found.extend(records)
                frontier = [record.id for record in records]
        return sorted(found, key=lambda record: record.id)

    def unfinished(self) -> list[RolloutRecord]:
        with self._engine.connect() as connection:
            rows = (
                connection.execute(
                    select(rollouts).where(rollouts.c.status.in_(ACTIVE)).order_by(rollouts.c.id)
                )
                .mappings()
                .all()
            )
        return [rollout_record(row) for row in rows]

    def due(self, *, throttle: timedelta) -> list[int]:
        """Rollouts a sweep should wake: a running one whose job died or stopped renewing its lease,
        a waiting one whose time has come (soak over, database lock worth another try), one
        whose report could not be written — each at most once per ``throttle``, however many
        processes sweep."""
        at = now()
        query = select(rollouts.c.id).where(
            and_(
                or_(
                    and_(
                        rollouts.c.status == "running",
                        or_(rollouts.c.lease_holder.is_(None), rollouts.c.lease_expires_at < at),
                    ),
                    and_(
                        rollouts.c.status.in_(("queued", "waiting")),
                        rollouts.c.lease_holder.is_not(None),
                        rollouts.c.lease_expires_at < at,
                    ),
                    and_(rollouts.c.status == "waiting", rollouts.c.wait_until <= at),
                    rollouts.c.report_due_at <= at,
                ),
                or_(rollouts.c.woken_at.is_(None), rollouts.c.woken_at < at - throttle),
            )
        )
        with self._engine.connect() as connection:
            return [int(row[0]) for row in connection.execute(query.order_by(rollouts.c.id))]

    # -- waking ------------------------------------------------------------------------------

    def wake(self, rollout_id: int, *, throttle: timedelta | None = None) -> int | None:
        """Count one more wake-up and return the new count (the next job's id); None when a
        wake-up within ``throttle`` already did it."""
        at = now()
        condition = rollouts.c.id == rollout_id
        if throttle is not None:
            condition = and_(
                condition,
                or_(rollouts.c.woken_at.is_(None), rollouts.c.woken_at < at - throttle),
            )
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(rollouts).where(condition).values(wakes=rollouts.c.wakes + 1, woken_at=at)
            )
            if changed.rowcount != 1:
                return None
            wakes = connection.execute(
                select(rollouts.c.wakes).where(rollouts.c.id == rollout_id)
            ).scalar_one()
        return int(wakes)

    # -- the lease ---------------------------------------------------------------------------

    def acquire(self, rollout_id: int, *, holder: str, ttl: timedelta) -> RolloutRecord | None:
        """Take the rollout if nobody holds it or its holder's lease expired."""
        at = now()
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(rollouts)
                .where(
                    and_(
                        rollouts.c.id == rollout_id,
                        or_(rollouts.c.lease_holder.is_(None), rollouts.c.lease_expires_at < at),
                    )
                )
                .values(lease_holder=holder, lease_expires_at=at + ttl, heartbeat_at=at)
            )
            if changed.rowcount != 1:
                return None
        return self.get(rollout_id)

    def renew(self, rollout_id: int, *, holder: str, ttl: timedelta) -> RolloutRecord | None:
        """Extend the lease; None when it is no longer ours."""
        at = now()
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(rollouts)
                .where(_held_by(rollout_id, holder))
                .values(lease_expires_at=at + ttl, heartbeat_at=at)
            )
        if changed.rowcount != 1:
            return None
        return self.get(rollout_id)

    def release(self, rollout_id: int, *, holder: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(rollouts)
                .where(_held_by(rollout_id, holder))
                .values(lease_holder=None, lease_expires_at=None)
            )

    # -- changes by the lease holder ---------------------------------------------------------

    def update(
        self,
        rollout_id: int,
        *,
        holder: str,
        expect_wakes: int | None = None,
        release: bool = False,
        **values: Any,
    ) -> bool:
        """Change the rollout if ``holder`` still holds it (and, with ``expect_wakes``, if
        nobody woke it since); ``release`` gives the lease up in the same update."""
        condition = _held_by(rollout_id, holder)
        if expect_wakes is not None:
            condition = and_(condition, rollouts.c.wakes == expect_wakes)
        if release:
            values |= {"lease_holder": None, "lease_expires_at": None}
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(rollouts).where(condition).values(updated_at=now(), **values)
            )
        return changed.rowcount == 1

    def steps(self, rollout_id: int) -> list[StepRecord]:
        with self._engine.connect() as connection:
            rows = (
                connection.execute(
                    select(rollout_steps)
                    .where(rollout_steps.c.rollout_id == rollout_id)
                    .order_by(rollout_steps.c.position)
                )
                .mappings()
                .all()
            )
        return [step_record(row) for row in rows]

    def update_step(self, rollout_id: int, environment: str, *, holder: str, **values: Any) -> bool:
        with self._engine.begin() as connection:
            return self._update_step(connection, rollout_id, environment, holder, values)

    def add_applied(
        self, rollout_id: int, environment: str, *, holder: str, entry: dict[str, Any]
    ) -> bool:
        """Record one more migration applied by the running step, as soon as it is."""
        with self._engine.begin() as connection:
            applied = connection.execute(
                select(rollout_steps.c.applied).where(
                    and_(
                        rollout_steps.c.rollout_id == rollout_id,
                        rollout_steps.c.environment == environment,
                    )
                )
            ).scalar_one_or_none()
            values = {"applied": [*(applied or []), entry], "current_script": None}
            return self._update_step(connection, rollout_id, environment, holder, values)

    @staticmethod
    def _update_step(
        connection: Connection,
        rollout_id: int,
        environment: str,
        holder: str,
        values: dict[str, Any],
    ) -> bool:
        holds = exists().where(_held_by(rollout_id, holder))
        changed = connection.execute(
            update(rollout_steps)
            .where(
                and_(
                    rollout_steps.c.rollout_id == rollout_id,
                    rollout_steps.c.environment == environment,
                    holds,
                )
            )
            .values(**values)
        )
        return changed.rowcount == 1

    # -- changes from outside (commands, newer rollouts) -------------------------------------

    def change_status(
        self, rollout_id: int, *, when: Sequence[str], **values: Any
    ) -> RolloutRecord | None:
        """Compare-and-set from one of the ``when`` statuses, waking whoever holds it; the
        record after the change, or None when the status was another."""
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(rollouts)
                .where(and_(rollouts.c.id == rollout_id, rollouts.c.status.in_(list(when))))
                .values(wakes=rollouts.c.wakes + 1, updated_at=now(), **values)
            )
        return self.get(rollout_id) if changed.rowcount == 1 else None

    def reset_step(self, rollout_id: int, environment: str, *, when: Sequence[str]) -> bool:
        """Make a failed (or cancelled) step pending again, for a retry."""
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(rollout_steps)
                .where(
                    and_(
                        rollout_steps.c.rollout_id == rollout_id,
                        rollout_steps.c.environment == environment,
                        rollout_steps.c.status.in_(list(when)),
                    )
                )
                .values(status="pending", current_script=None)
            )
        return changed.rowcount == 1
