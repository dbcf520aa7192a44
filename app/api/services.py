"""What the app holds while it runs: config, store, queue. Built at startup, closed at shutdown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from app.config import Config
from app.jobs import JobContext
from app.queue import Queue, create_queue
from app.store import Store

__all__ = ["Services"]

log = structlog.get_logger(__name__)


@dataclass
class Services:
    config: Config
    store: Store
    queue: Queue

    @classmethod
    async def start(cls, config: Config) -> Services:
        store = Store(config.server.state_url)
        await asyncio.to_thread(store.upgrade)
        queue = create_queue(JobContext(config=config, store=store))
        await queue.start()
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
        return cls(config=config, store=store, queue=queue)

    async def stop(self) -> None:
        await self.queue.stop()
        await asyncio.to_thread(self.store.close)
        log.info("service.stopped")


def _masked_state(config: Config) -> str:
    from app.dsn import masked

    return masked(config.server.state_url)
