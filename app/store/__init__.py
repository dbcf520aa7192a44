"""The service's own state (SQLite for one machine, PostgreSQL for several replicas)."""

from __future__ import annotations

from sqlalchemy import text

from app.store.approvals import ApprovalRecord, Approvals
from app.store.audit import Audit, AuditEntry
from app.store.database import StoreUnavailable, open_engine, upgrade_schema
from app.store.deliveries import Deliveries
from app.store.jobs import JobRecord, Jobs
from app.store.reviews import CommentClaim, PullRequestRef, ReviewRecord, Reviews
from app.store.rollout_records import RolloutRecord, StepRecord
from app.store.rollouts import Rollouts

__all__ = [
    "ApprovalRecord",
    "Audit",
    "AuditEntry",
    "CommentClaim",
    "JobRecord",
    "PullRequestRef",
    "ReviewRecord",
    "RolloutRecord",
    "StepRecord",
    "Store",
    "StoreUnavailable",
]


class Store:
    """One handle on the state store; each noun has its own small API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = open_engine(url)
        self.deliveries = Deliveries(self.engine)
        self.jobs = Jobs(self.engine)
        self.audit = Audit(self.engine)
        self.reviews = Reviews(self.engine)
        self.rollouts = Rollouts(self.engine)
        self.approvals = Approvals(self.engine)

    def upgrade(self) -> None:
        """Create or upgrade the schema (safe when several replicas start at once)."""
        upgrade_schema(self.engine)

    def ping(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # readiness reports any failure the same way
            raise StoreUnavailable(
                f"{type(error).__name__}: {str(error).splitlines()[0]}"
            ) from error

    def close(self) -> None:
        self.engine.dispose()
