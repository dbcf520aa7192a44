"""The rollout job: one rollout's environments in order, each through its gate and the runner.

A job holds the rollout's lease and moves it on as far as it can: past open gates, through the
runner, until it succeeds, fails, or has to wait (an approval, a soak, another rollout). Then it
*parks* the rollout and ends; nothing holds a job open while a person decides. The rollout is
woken again by whatever changes its situation: an approval, a retry, the end of a soak (the
sweep), an older rollout of the repository finishing.

Parking is compare-and-set on the rollout's wake counter, in the same update that gives the
lease up: a wake-up arriving while the job decides makes the park fail, and the job looks
again, instead of ending with the approval it just missed.

Serialisation, per repository: at most one rollout runs at a time, in the order the merges
arrived. A newer rollout supersedes older ones that are waiting or queued (it carries their
migrations on), waits behind one that is running or failed, and an older rollout that finds a
newer one at a step boundary hands over to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog

from app.config import Config, Environment, Repository
from app.forges.base import Forge, ForgeError
from app.rollout.gates import gate_for
from app.rollout.lease import Lease
from app.rollout.publish import load_view, publish
from app.rollout.snapshot import fetch_migrations
from app.rollout.step import StepOutcome, pending_scripts, progress_recorder, run_step
from app.rollout.timing import RolloutTiming
from app.store import RolloutRecord, StepRecord, Store
from app.store.rollout_records import ACTIVE, FINISHED, now

__all__ = ["RolloutRun", "Waker"]

log = structlog.get_logger(__name__)

#: Wake a rollout: count the wake-up and queue a job for it.
Waker = Callable[[int], Awaitable[None]]

AGAIN, STOP = True, False
#: What a superseded or cancelled rollout's unfinished steps become.
_CLOSED_STEP = {"superseded": "skipped", "cancelled": "cancelled"}


class RolloutRun:
    """One job's turn at one rollout, holding its lease."""

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        forge: Forge,
        repository: Repository,
        lease: Lease,
        timing: RolloutTiming,
        wake: Waker,
    ) -> None:
        self.config = config
        self.store = store
        self.rollouts = store.rollouts
        self.forge = forge
        self.repository = repository
        self.environments = {env.name: env for env in repository.environments}
        self.lease = lease
        self.holder = lease.holder
        self.timing = timing
        self.wake = wake
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._migrations: Path | None = None

    async def run(self) -> None:
        try:
            while await self._advance():
                pass
        except asyncio.CancelledError:
            # Shutdown or the job's timeout: the runner's thread cannot be interrupted, but it
            # stops after the file it is running; the next job waits for the database's lock.
            self.lease.stop.set()
            raise
        finally:
            if self._workdir is not None:
                self._workdir.cleanup()

    # -- deciding ----------------------------------------------------------------------------

    async def _advance(self) -> bool:
        rollout = await asyncio.to_thread(self.rollouts.get, self.lease.rollout_id)
        if rollout is None or rollout.lease_holder != self.holder:
            return STOP  # taken over: the new holder decides now
        if rollout.status in FINISHED or rollout.status == "failed":
            await self._close_steps(rollout)
            return await self._settle(rollout)
        if rollout.cancel_requested_by:
            return await self._end(rollout, "cancelled", "rollout.cancelled")
        active = await asyncio.to_thread(
            self.rollouts.of_repository, rollout.forge, rollout.repository, statuses=ACTIVE
        )
        newer = [other for other in active if other.id > rollout.id]
        if newer:
            return await self._hand_over(rollout, newer[-1])
        await self._supersede_older(rollout, [o for o in active if o.id < rollout.id])
        blocker = await self._blocker(rollout)
        if blocker is not None:
            return await self._park(
                rollout, waiting_for="rollout", blocked_by=blocker.id, wait_until=None
            )
        steps = await asyncio.to_thread(self.rollouts.steps, rollout.id)
        step = next((s for s in steps if s.status not in ("succeeded", "skipped")), None)
        if step is None:
            return await self._end(rollout, "succeeded", "rollout.succeeded")
        environment = self.environments.get(step.environment)
        if environment is None:
            # Removed from the server config since the merge: nothing to apply it to.
            await self._step(rollout, step.environment, status="skipped")
            await self._audit(rollout, "step.skipped", environment=step.environment)
            return AGAIN
        previous = next((s for s in steps if s.position == step.position - 1), None)
        approvals = await asyncio.to_thread(self.store.approvals.of_rollout, rollout.id)
        gate = gate_for(
            environment,
            approved=step.environment in approvals,
            previous_finished_at=previous.finished_at if previous else None,
            now=now(),
        )
        if gate.kind != "open":
            pending = step.pending
            if pending is None:
                pending = await self._pending(rollout, environment)
            await self._step(rollout, step.environment, status="waiting", pending=pending)
            return await self._park(
                rollout, waiting_for=gate.kind, wait_until=gate.until, blocked_by=None
            )
        approval = approvals.get(step.environment)
        who = f"schemabot (approved by {approval.username})" if approval else "schemabot"
        return await self._run(rollout, step, environment, applied_by=who)

    async def _blocker(self, rollout: RolloutRecord) -> RolloutRecord | None:
        stuck = await asyncio.to_thread(
            self.rollouts.of_repository,
            rollout.forge,
            rollout.repository,
            statuses=("running", "failed"),
        )
        return next((other for other in stuck if other.id < rollout.id), None)

    async def _supersede_older(self, rollout: RolloutRecord, older: list[RolloutRecord]) -> None:
        for other in older:
            if other.status not in ("queued", "waiting"):
                continue
            changed = await asyncio.to_thread(
                self.rollouts.change_status,
                other.id,
                when=("queued", "waiting"),
                status="superseded",
                superseded_by=rollout.id,
                waiting_for=None,
                wait_until=None,
                blocked_by=None,
                finished_at=now(),
            )
            if changed is not None:
                await self._audit(other, "rollout.superseded", by=rollout.id)
                await self.wake(other.id)  # its own job reports it, holding its lease

    async def _hand_over(self, rollout: RolloutRecord, newer: RolloutRecord) -> bool:
        """A newer merge carries this rollout's migrations on; stop here and let it go."""
        ended = await self._commit(
            rollout,
            status="superseded",
            superseded_by=newer.id,
            waiting_for=None,
            wait_until=None,
            blocked_by=None,
            finished_at=now(),
        )
        if not ended:
            return AGAIN
        await self._audit(rollout, "rollout.superseded", by=newer.id)
        await self._close_steps(rollout)
        return await self._settle(rollout)

    # -- running a step ----------------------------------------------------------------------

    async def _run(
        self, rollout: RolloutRecord, step: StepRecord, environment: Environment, applied_by: str
    ) -> bool:
        started = await self._commit(
            rollout, status="running", waiting_for=None, wait_until=None, blocked_by=None
        )
        if not started:
            return AGAIN
        await self._step(
            rollout,
            step.environment,
            status="running",
            attempts=step.attempts + 1,
            started_at=now(),
            finished_at=None,
            failure=None,
            duration_ms=None,
        )
        await self._audit(rollout, "step.started", environment=step.environment)
        await self._publish(rollout.id)
        try:
            migrations = await self._snapshot(rollout)
        except ForgeError as error:
            if error.retryable:
                raise  # the rollout stays running without a holder: a sweep wakes it again
            outcome = StepOutcome("failed", 0, failure={"kind": "files", "error": str(error)})
        else:
            outcome = await run_step(
                environment=environment,
                migrations=migrations,
                commit=rollout.commit_sha,
                rollout_id=rollout.id,
                applied_by=applied_by,
                stop=self.lease.stop,
                on_progress=progress_recorder(
                    self.rollouts, rollout.id, step.environment, holder=self.holder
                ),
            )
        if self.lease.lost:
            return STOP  # another job holds the rollout now; what ran is in the history
        return await self._record(rollout, step, outcome)

    async def _record(self, rollout: RolloutRecord, step: StepRecord, outcome: StepOutcome) -> bool:
        name = step.environment
        finished = {
            "finished_at": now(),
            "duration_ms": outcome.duration_ms,
            "current_script": None,
        }
        if outcome.kind == "succeeded":
            await self._step(rollout, name, status="succeeded", **finished)
            await self._audit(rollout, "step.succeeded", environment=name, applied=outcome.applied)
            # No report here: the next turn reports this success with what follows it (the
            # next environment starting, a gate, the end): one write less per environment.
            return AGAIN
        if outcome.kind == "failed":
            await self._step(rollout, name, status="failed", failure=outcome.failure, **finished)
            await self._audit(rollout, "step.failed", environment=name, failure=outcome.failure)
            await self._commit(rollout, guard_wakes=False, status="failed")
            return await self._settle(rollout)
        if outcome.kind == "locked":
            await self._step(rollout, name, status="waiting", **finished)
            await self._audit(rollout, "step.locked", environment=name, holder=outcome.locked_by)
            await self._commit(
                rollout,
                guard_wakes=False,
                status="waiting",
                waiting_for="database-lock",
                wait_until=now() + self.timing.database_lock_retry,
            )
            return await self._settle(rollout)
        # Stopped between files by a cancel: what was applied stays applied, and recorded.
        await self._step(rollout, name, status="cancelled", **finished)
        return await self._end(rollout, "cancelled", "rollout.cancelled", guard_wakes=False)

    async def _snapshot(self, rollout: RolloutRecord) -> Path:
        if self._migrations is None:
            self._workdir = tempfile.TemporaryDirectory(prefix=f"schemabot-rollout-{rollout.id}-")
            directory = Path(self._workdir.name)
            await asyncio.to_thread(
                fetch_migrations,
                self.forge,
                repository=rollout.repository,
                directory=self.repository.migrations,
                commit=rollout.commit_sha,
                into=directory,
            )
            self._migrations = directory
        return self._migrations

    async def _pending(self, rollout: RolloutRecord, environment: Environment) -> list[str] | None:
        try:
            migrations = await self._snapshot(rollout)
        except ForgeError:
            return None
        return await pending_scripts(environment=environment, migrations=migrations)

    # -- ending a turn -----------------------------------------------------------------------

    async def _park(self, rollout: RolloutRecord, **values: Any) -> bool:
        if not await self._commit(rollout, status="waiting", **values):
            return AGAIN
        return await self._settle(rollout)

    async def _end(
        self, rollout: RolloutRecord, status: str, action: str, *, guard_wakes: bool = True
    ) -> bool:
        ended = await self._commit(
            rollout,
            guard_wakes=guard_wakes,
            status=status,
            waiting_for=None,
            wait_until=None,
            finished_at=now(),
        )
        if not ended:
            return AGAIN
        detail = {"by": rollout.cancel_requested_by} if status == "cancelled" else {}
        await self._audit(rollout, action, **detail)
        await self._close_steps(rollout)
        return await self._settle(rollout)

    async def _commit(
        self, rollout: RolloutRecord, *, guard_wakes: bool = True, **values: Any
    ) -> bool:
        """Change the rollout; refused when a wake-up came since it was read (look again)."""
        return await asyncio.to_thread(
            self.rollouts.update,
            rollout.id,
            holder=self.holder,
            expect_wakes=rollout.wakes if guard_wakes else None,
            **values,
        )

    async def _settle(self, rollout: RolloutRecord) -> bool:
        """Report, then give the lease up unless a wake-up came meanwhile."""
        await self._publish(rollout.id)
        released = await asyncio.to_thread(
            self.rollouts.update,
            rollout.id,
            holder=self.holder,
            expect_wakes=rollout.wakes,
            release=True,
        )
        if not released:
            return AGAIN
        await self.lease.quiet()
        settled = await asyncio.to_thread(self.rollouts.get, rollout.id)
        if settled is not None and settled.status not in ("failed", "running"):
            # An older rollout that stops (done, waiting at a gate) lets the newest one go on.
            active = await asyncio.to_thread(
                self.rollouts.of_repository, rollout.forge, rollout.repository, statuses=ACTIVE
            )
            newer = [other for other in active if other.id > rollout.id]
            if newer:
                await self.wake(newer[-1].id)
        return STOP

    async def _close_steps(self, rollout: RolloutRecord) -> None:
        current = await asyncio.to_thread(self.rollouts.get, rollout.id)
        closed = _CLOSED_STEP.get(current.status if current else "")
        if closed is None:
            return
        for step in await asyncio.to_thread(self.rollouts.steps, rollout.id):
            if step.status in ("pending", "waiting", "running"):
                await self._step(rollout, step.environment, status=closed, current_script=None)

    # -- store, audit, forge -----------------------------------------------------------------

    async def _step(self, rollout: RolloutRecord, environment: str, **values: Any) -> None:
        await asyncio.to_thread(
            self.rollouts.update_step, rollout.id, environment, holder=self.holder, **values
        )

    async def _audit(self, rollout: RolloutRecord, action: str, **detail: Any) -> None:
        await asyncio.to_thread(
            self.store.audit.record,
            actor="schemabot",
            action=action,
            subject=rollout.subject,
            detail={"commit": rollout.commit_sha, **detail},
        )

    async def _publish(self, rollout_id: int) -> None:
        def write() -> None:
            view = load_view(
                store=self.store,
                config=self.config,
                repository=self.repository,
                rollout_id=rollout_id,
            )
            publish(
                forge=self.forge,
                store=self.store,
                view=view,
                holder=self.holder,
                retry_after=self.timing.report_retry,
            )

        with contextlib.suppress(LookupError):
            await asyncio.to_thread(write)
