"""Nothing lost: at startup, every unfinished rollout is queued again; while running, a sweep
wakes rollouts whose job died or whose wait is over.

Every process that can enqueue runs one (the API with the in-process queue, each arq worker, and
API replicas with Redis): a killed worker's rollout is picked up by whichever process sweeps
first, and a wake-up is counted once per round however many sweep.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from app.rollout.service import RolloutQueue, resume_unfinished, sweep
from app.rollout.timing import RolloutTiming
from app.store import Store

__all__ = ["RolloutRecovery"]

log = structlog.get_logger(__name__)


class RolloutRecovery:
    def __init__(
        self, *, store: Store, queue: RolloutQueue, timing: RolloutTiming | None = None
    ) -> None:
        self.store = store
        self.queue = queue
        self.timing = timing or RolloutTiming()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Resume unfinished rollouts, then sweep every ``sweep_seconds``. A queue that cannot
        take jobs now (Redis down) must not keep the service from starting: resuming is tried
        again each round until it works."""
        self._task = asyncio.create_task(self._recover(), name="schemabot-rollout-recovery")
        # Give the first resume its chance before start-up goes on (it is quick when it works).
        await asyncio.sleep(0)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _recover(self) -> None:
        resumed = False
        while True:
            try:
                if not resumed:
                    await resume_unfinished(store=self.store, queue=self.queue)
                    resumed = True
                else:
                    await sweep(store=self.store, queue=self.queue, timing=self.timing)
            except Exception as error:  # a store or queue outage must not end the recovery
                log.warning("rollout.recovery_failed", error=f"{type(error).__name__}: {error}")
            await asyncio.sleep(self.timing.sweep_seconds)
