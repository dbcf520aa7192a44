"""Read-only queries of the dashboard and the REST API, over the review and rollout tables.

The review and rollout stores answer what their jobs need (one rollout, one pull request);
people browsing need lists across repositories, pages, and each environment's latest step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, and_, func, select

from app.store.reviews import ReviewRecord
from app.store.rollout_records import RolloutRecord, StepRecord, rollout_record, step_record
from app.store.tables import reviews, rollout_steps, rollouts

__all__ = ["DashboardQueries", "EnvironmentActivity", "Page"]

#: Steps that say something about an environment; ``pending`` and ``skipped`` say nothing.
_TELLING_STEPS = ("waiting", "running", "succeeded", "failed", "cancelled")


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


@dataclass(frozen=True)
class EnvironmentActivity:
    """The newest rollout step that did (or waits to do) something in an environment."""

    rollout: RolloutRecord
    step: StepRecord


class DashboardQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def rollouts(
        self,
        *,
        repository: str | None = None,
        forge: str | None = None,
        statuses: Sequence[str] = (),
        limit: int,
        offset: int,
    ) -> Page[RolloutRecord]:
        """Rollouts newest first, filtered, one page of them and how many match in all."""
        conditions: list[Any] = []
        if repository is not None:
            conditions.append(func.lower(rollouts.c.repository) == repository.lower())
        if forge is not None:
            conditions.append(rollouts.c.forge == forge)
        if statuses:
            conditions.append(rollouts.c.status.in_(list(statuses)))
        where = and_(*conditions) if conditions else None
        query = select(rollouts).order_by(rollouts.c.id.desc()).limit(limit).offset(offset)
        count = select(func.count()).select_from(rollouts)
        if where is not None:
            query, count = query.where(where), count.where(where)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
            total = int(connection.execute(count).scalar_one())
        return Page([rollout_record(row) for row in rows], total)

    def steps_of(self, rollout_ids: Sequence[int]) -> dict[int, list[StepRecord]]:
        """The steps of several rollouts at once (a list page), each in rollout order."""
        found: dict[int, list[StepRecord]] = {rollout_id: [] for rollout_id in rollout_ids}
        if not rollout_ids:
            return found
        query = (
            select(rollout_steps)
            .where(rollout_steps.c.rollout_id.in_(list(rollout_ids)))
            .order_by(rollout_steps.c.rollout_id, rollout_steps.c.position)
        )
        with self._engine.connect() as connection:
            for row in connection.execute(query).mappings():
                found[row["rollout_id"]].append(step_record(row))
        return found

    def environment_activity(self, forge: str, repository: str) -> dict[str, EnvironmentActivity]:
        """For each environment of a repository, its newest telling step and that rollout."""
        query = (
            select(rollout_steps, rollouts)
            .join(rollouts, rollouts.c.id == rollout_steps.c.rollout_id)
            .where(
                and_(
                    rollouts.c.forge == forge,
                    rollouts.c.repository == repository,
                    rollout_steps.c.status.in_(_TELLING_STEPS),
                )
            )
            .order_by(rollouts.c.id.desc())
        )
        newest: dict[str, EnvironmentActivity] = {}
        with self._engine.connect() as connection:
            for row in connection.execute(query).mappings():
                name = row["environment"]
                if name not in newest:
                    newest[name] = EnvironmentActivity(rollout_record(row), step_record(row))
        return newest

    def reviews(self, *, limit: int, offset: int) -> Page[ReviewRecord]:
        """Reviews most recently updated first."""
        query = (
            select(reviews)
            .order_by(reviews.c.updated_at.desc(), reviews.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        count = select(func.count()).select_from(reviews)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
            total = int(connection.execute(count).scalar_one())
        # The review columns are the record's fields, one to one.
        return Page([ReviewRecord(**dict(row)) for row in rows], total)
