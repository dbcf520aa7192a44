"""Gates in front of an environment, and who may open them.

``approval = true`` waits for ``/schemabot approve <environment>`` from someone allowed;
``soak = "30m"`` waits that long after the previous environment succeeded. Both come from the
server config only: a pull request cannot loosen the rules that let it through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.config import Environment
from app.forges.base import Permission

__all__ = [
    "CANCEL_PERMISSION",
    "Gate",
    "approval_refusal",
    "cancel_refusal",
    "gate_for",
    "required_permission",
]

#: Stopping a rollout is the safe direction: anyone who could have merged may do it.
CANCEL_PERMISSION = Permission.WRITE

_PERMISSIONS = {
    "write": Permission.WRITE,
    "maintain": Permission.MAINTAIN,
    "admin": Permission.ADMIN,
}


@dataclass(frozen=True, slots=True)
class Gate:
    kind: Literal["open", "approval", "soak"]
    #: When a soak ends.
    until: datetime | None = None


def gate_for(
    environment: Environment,
    *,
    approved: bool,
    previous_finished_at: datetime | None,
    now: datetime,
) -> Gate:
    """What stands between a rollout and ``environment`` now. The approval is asked first: an
    approver can give it while a soak still runs, and the soak is not restarted by it."""
    if environment.approval and not approved:
        return Gate("approval")
    if environment.soak and previous_finished_at is not None:
        until = previous_finished_at + environment.soak
        if until > now:
            return Gate("soak", until)
    return Gate("open")


def required_permission(environment: Environment) -> Permission:
    return _PERMISSIONS[environment.min_permission]


def _name(permission: Permission) -> str:
    return permission.name.lower()


def approval_refusal(
    environment: Environment, *, username: str, permission: Permission
) -> str | None:
    """Why ``username`` may not approve (or retry) ``environment``; None when they may.

    With ``approvers`` listed, only those users may, and they too need ``min_permission``
    (someone who lost write access is no longer an approver).
    """
    needed = required_permission(environment)
    listed = {approver.lower() for approver in environment.approvers}
    who = f"@{username}"
    if listed and username.lower() not in listed:
        names = ", ".join(f"@{approver}" for approver in environment.approvers)
        return f"{who} is not an approver of `{environment.name}` (approvers: {names})"
    if permission < needed:
        return (
            f"`{environment.name}` needs {_name(needed)} permission on the repository;"
            f" {who} has {_name(permission)}"
        )
    return None


def cancel_refusal(*, username: str, permission: Permission) -> str | None:
    if permission < CANCEL_PERMISSION:
        return (
            f"cancelling a rollout needs {_name(CANCEL_PERMISSION)} permission on the repository;"
            f" @{username} has {_name(permission)}"
        )
    return None
