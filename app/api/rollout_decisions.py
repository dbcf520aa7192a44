"""Approve, retry and cancel on behalf of an API token: the REST API and the dashboard both
come here, and this calls the rollout's own actions (``app.rollout.actions``), the code the
``/schemabot approve|retry|cancel`` comment commands run, with the same gates and audit log.

A token has no role on the forge; its ``operate`` role was given by whoever runs the server, the
authority over gates. It acts with the highest repository permission, so ``min_permission``
never stops it, while an environment's ``approvers`` list still does: only a token whose name
is listed may approve or retry there.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from fastapi import status

from app.api.auth import Principal
from app.config import Config
from app.forges.base import Permission
from app.queue import Queue
from app.rollout.actions import ActionRefused, approve, cancel, retry
from app.rollout.gates import approval_refusal
from app.store import Store

__all__ = ["OPERATE_TOKEN_PERMISSION", "Decision", "Verb", "decide"]

Verb = Literal["approve", "retry", "cancel"]

#: The repository permission an operate token acts with (see the module docstring).
OPERATE_TOKEN_PERMISSION = Permission.ADMIN


@dataclass(frozen=True, slots=True)
class Decision:
    """What came of it: 200 with what was done, or the refusal's status and reason."""

    status_code: int
    message: str

    @property
    def done(self) -> bool:
        return self.status_code == status.HTTP_200_OK


async def decide(
    verb: Verb,
    *,
    config: Config,
    store: Store,
    queue: Queue,
    principal: Principal,
    rollout_id: int,
    environment: str | None = None,
) -> Decision:
    rollout = await asyncio.to_thread(store.rollouts.get, rollout_id)
    if rollout is None:
        return Decision(status.HTTP_404_NOT_FOUND, f"no rollout {rollout_id}")
    repository = config.repository(rollout.forge, rollout.repository)
    target = None
    if verb != "cancel" and repository is not None:
        target = next((e for e in repository.environments if e.name == environment), None)
        if target is None:
            names = ", ".join(e.name for e in repository.environments) or "none"
            # Like an unknown id: a well-formed name that names nothing here.
            return Decision(
                status.HTTP_404_NOT_FOUND,
                f"rollout {rollout_id} has no environment {environment!r} (its environments:"
                f" {names})",
            )
    try:
        if verb == "cancel":
            message = await cancel(
                store=store,
                queue=queue,
                rollout=rollout,
                username=principal.name,
                permission=OPERATE_TOKEN_PERMISSION,
            )
        else:
            act = approve if verb == "approve" else retry
            message = await act(
                config=config,
                store=store,
                queue=queue,
                rollout=rollout,
                environment=environment or "",
                username=principal.name,
                permission=OPERATE_TOKEN_PERMISSION,
            )
    except ActionRefused as refused:
        # Refused for who asks (an approvers list without this token): 403; for the state the
        # rollout is in (not waiting, approved already, nothing failed there...): 409.
        forbidden = target is not None and approval_refusal(
            target, username=principal.name, permission=OPERATE_TOKEN_PERMISSION
        )
        code = status.HTTP_403_FORBIDDEN if forbidden else status.HTTP_409_CONFLICT
        return Decision(code, str(refused))
    return Decision(status.HTTP_200_OK, message)
