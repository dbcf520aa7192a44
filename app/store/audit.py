"""The audit log: every approval, command and step, with who and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from app.store.tables import audit_log

__all__ = ["Audit", "AuditEntry"]


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


class Audit:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self, *, actor: str, action: str, subject: str, detail: dict[str, Any] | None = None
    ) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(audit_log).values(
                    at=datetime.now(UTC),
                    actor=actor,
                    action=action,
                    subject=subject,
                    detail=detail or {},
                )
            )

    def entries(self, *, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if subject is not None:
            query = query.where(audit_log.c.subject == subject)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            AuditEntry(row["at"], row["actor"], row["action"], row["subject"], row["detail"])
            for row in rows
        ]
