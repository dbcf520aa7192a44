"""What the app holds while it runs: config, store, queue. Built at startup, closed at shutdown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from app.config import Config
from app.jobs import JobContext
from app.queue import Queue, create_queue
from app.rollout import RolloutRecovery
from app.store import Store

__all__ = ["Services"]

log = structlog.get_logger(__name__)


@dataclass
class Services:
    config: Config
    store: Store
    queue: Queue
    rollout_recovery: RolloutRecovery | None = None

    @classmethod
    async def start(cls, config: Config) -> Services:
        store = Store(config.server.state_url)
        await asyncio.to_thread(store.upgrade)
        context = JobContext(config=config, store=store)
        queue = create_queue(context)
        context.queue = queue
        await queue.start()
        # Rollouts left queued, running or waiting are queued again; a sweep then wakes those
        # whose worker died or whose wait ended.
        rollout_recovery = RolloutRecovery(store=store, queue=queue)
        await rollout_recovery.start()
        for forge_name, forge in (
            ("github", config.forges.github),
            ("gitlab", config.forges.gitlab),
        ):
            if forge.enabled:
                log.info("forge.enabled", forge=forge_name)
            else:
                log.warning("forge.disabled", forge=forge_name, reason=forge.disabled_reason)
        log.info(
            "service.started",
            repositories=len(config.repositories),
            queue=queue.description,
            state=_masked_state(config),
        )
        return cls(config=config, store=store, queue=queue, rollout_recovery=rollout_recovery)

    async def stop(self) -> None:
        if self.rollout_recovery is not None:
            await self.rollout_recovery.stop()
        await self.queue.stop()
        await asyncio.to_thread(self.store.close)
        log.info("service.stopped")


def _masked_state(config: Config) -> str:
    from app.dsn import masked

    return masked(config.server.state_url)
