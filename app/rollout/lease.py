"""A job's hold on one rollout: taken in the store, renewed by a heartbeat, given up at the end.

The queue's at-least-once delivery means two jobs for one rollout can run at once (a retry
next to a resumed job); the lease lets exactly one act. A holder that stops renewing (killed,
stalled) loses it after ``lease_seconds``, and the next job takes over. The heartbeat also
carries a ``/schemabot cancel`` to the running migration: it sets :attr:`Lease.stop`, which the
runner checks between files.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
import uuid
from types import TracebackType

import structlog

from app.rollout.timing import RolloutTiming
from app.store import RolloutRecord, Store

__all__ = ["Lease", "new_holder"]

log = structlog.get_logger(__name__)


def new_holder() -> str:
    """Who holds a lease, readable in the store: host, process, and this job."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(
        self, *, store: Store, rollout_id: int, holder: str, timing: RolloutTiming
    ) -> None:
        self.store = store
        self.rollout_id = rollout_id
        self.holder = holder
        self.timing = timing
        #: Set when the runner should stop between files: the lease was lost or a cancel came.
        self.stop = threading.Event()
        self.lost = False
        self.cancel_requested_by: str | None = None
        self._renewed = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def acquire(
        cls, *, store: Store, rollout_id: int, timing: RolloutTiming
    ) -> tuple[Lease, RolloutRecord] | None:
        """The lease and the rollout as it is now; None while another live job holds it."""
        holder = new_holder()
        record = await asyncio.to_thread(
            store.rollouts.acquire, rollout_id, holder=holder, ttl=timing.lease
        )
        if record is None:
            return None
        return cls(store=store, rollout_id=rollout_id, holder=holder, timing=timing), record

    async def __aenter__(self) -> Lease:
        self._task = asyncio.create_task(self._beat(), name=f"rollout {self.rollout_id} heartbeat")
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.quiet()
        if kind is not None and not issubclass(kind, asyncio.CancelledError):
            # The job failed: leave the lease to expire, as a crashed worker's would, and the
            # sweep tries the rollout again then (a forge outage gets a pause, not a storm).
            log.warning("rollout.job_failed", rollout=self.rollout_id, error=repr(error))
            return
        if not self.lost:
            # Shielded: a job cancelled at shutdown still gives its lease back, so the next
            # process need not wait for it to expire.
            await asyncio.shield(
                asyncio.to_thread(self.store.rollouts.release, self.rollout_id, holder=self.holder)
            )

    async def quiet(self) -> None:
        """Stop renewing (the lease was released with the rollout's last change)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.timing.heartbeat_seconds)
            try:
                record = await asyncio.to_thread(
                    self.store.rollouts.renew,
                    self.rollout_id,
                    holder=self.holder,
                    ttl=self.timing.lease,
                )
            except Exception as error:  # the store may be back before the lease runs out
                log.warning("rollout.heartbeat_failed", rollout=self.rollout_id, error=str(error))
                if time.monotonic() - self._renewed > self.timing.lease_seconds:
                    self._lose("not renewed in time")
                    return
                continue
            if record is None:
                self._lose("taken over")
                return
            self._renewed = time.monotonic()
            if record.cancel_requested_by and not self.stop.is_set():
                self.cancel_requested_by = record.cancel_requested_by
                self.stop.set()

    def _lose(self, why: str) -> None:
        # Another job may run the rollout now: stop between files, write nothing more.
        log.warning("rollout.lease_lost", rollout=self.rollout_id, holder=self.holder, why=why)
        self.lost = True
        self.stop.set()
