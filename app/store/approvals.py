"""Approvals of rollout environments: who let a gated environment go ahead, and with which role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from app.store.tables import rollout_approvals

__all__ = ["ApprovalRecord", "Approvals"]


@dataclass(frozen=True)
class ApprovalRecord:
    rollout_id: int
    environment: str
    username: str
    #: The approver's role on the repository when they approved (``maintain``, ``admin`` ...).
    permission: str
    approved_at: datetime


class Approvals:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, *, rollout_id: int, environment: str, username: str, permission: str) -> bool:
        """Record an approval; False when the environment of that rollout was approved already."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(rollout_approvals).values(
                        rollout_id=rollout_id,
                        environment=environment,
                        username=username,
                        permission=permission,
                        approved_at=datetime.now(UTC),
                    )
                )
        except IntegrityError:
            return False
        return True

    def of_rollout(self, rollout_id: int) -> dict[str, ApprovalRecord]:
        """Approvals by environment name."""
        with self._engine.connect() as connection:
            rows = (
                connection.execute(
                    select(rollout_approvals).where(rollout_approvals.c.rollout_id == rollout_id)
                )
                .mappings()
                .all()
            )
        return {
            row["environment"]: ApprovalRecord(
                row["rollout_id"],
                row["environment"],
                row["username"],
                row["permission"],
                row["approved_at"]
                if row["approved_at"].tzinfo
                else row["approved_at"].replace(tzinfo=UTC),
            )
            for row in rows
        }
