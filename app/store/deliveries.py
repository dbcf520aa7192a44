"""Webhook deliveries seen: each one is handled once, however often it is redelivered.

The dedupe of the in-process queue (no Redis). With Redis the webhook claims a delivery in Redis,
in the same atomic step that queues its job (``app.queue.arq_queue``), and this table is not
written for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from app.store.tables import deliveries

__all__ = ["Deliveries"]

# Built once: constructing a statement costs more than the SQLite insert itself, and a reused
# statement object also reuses its compiled form from the engine's cache.
_INSERT = insert(deliveries)


class Deliveries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, *, forge: str, key: str, event: str) -> bool:
        """Remember a delivery; False when it was seen before (by this or another replica)."""
        row = {
            "forge": forge,
            "delivery_key": key,
            "event": event,
            "received_at": datetime.now(UTC),
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(_INSERT, row)
        except IntegrityError:
            return False
        return True

    def forget(self, *, forge: str, key: str) -> None:
        """Undo ``record`` when the delivery's job could not be queued: the forge's redelivery
        must then be handled as new, not answered as a duplicate."""
        with self._engine.begin() as connection:
            connection.execute(
                delete(deliveries).where(
                    deliveries.c.forge == forge, deliveries.c.delivery_key == key
                )
            )
