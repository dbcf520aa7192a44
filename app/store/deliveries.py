"""Webhook deliveries seen: each one is handled once, however often it is redelivered."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from app.store.tables import deliveries

__all__ = ["Deliveries"]


class Deliveries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, *, forge: str, key: str, event: str) -> bool:
        """Remember a delivery; False when it was seen before (by this or another replica)."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(deliveries).values(
                        forge=forge, delivery_key=key, event=event, received_at=datetime.now(UTC)
                    )
                )
        except IntegrityError:
            return False
        return True
