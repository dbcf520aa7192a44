"""The plan section of the summary: what merging this pull request will roll out, and where.

The environments, their order and their gates come from the server config, never from the
repository. The migrations pending are the ones this pull request adds (and the repeatable ones
it changes); down migrations are never rolled out.
"""

from __future__ import annotations

import posixpath
from datetime import timedelta

from app.config import Environment, Repository
from app.forges.base import ChangedFile
from linters.naming import parse_name

__all__ = ["pending_migrations", "plan_section"]


def pending_migrations(files: list[ChangedFile], naming: str) -> list[str]:
    """Paths the rollout will apply after the merge, in the order given (migration order)."""
    pending = []
    for file in files:
        name = parse_name(posixpath.basename(file.path), naming)
        if name is None or name.direction == "down":
            continue
        if name.direction == "repeatable" and file.status != "removed":
            pending.append(file.path)  # re-applied whenever its content changes
        elif file.status in ("added", "renamed"):
            pending.append(file.path)
    return pending


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _environment_line(position: int, environment: Environment) -> str:
    gates = []
    if environment.soak is not None:
        gates.append(f"after a soak of {_duration(environment.soak)} on the previous environment")
    if environment.approval:
        who = (
            ", ".join(f"@{name}" for name in environment.approvers)
            if environment.approvers
            else f"someone with {environment.min_permission} permission"
        )
        gates.append(f"**waits for approval** by {who}")
    suffix = f": {'; '.join(gates)}" if gates else ""
    return f"{position}. `{environment.name}`{suffix}"


def plan_section(repository: Repository, base_branch: str, pending: list[str]) -> str:
    lines = ["### Plan"]
    if base_branch != repository.deploy_branch:
        lines.append(
            f"This pull request merges into `{base_branch}`, not the deploy branch "
            f"`{repository.deploy_branch}`: merging it rolls nothing out."
        )
        return "\n".join(lines)
    if not pending:
        lines.append("No new migrations: merging this pull request rolls nothing out.")
        return "\n".join(lines)
    if not repository.environments:
        lines.append(
            "No environments are configured for this repository: merging rolls nothing out."
        )
        return "\n".join(lines)
    lines.append(
        f"After the merge into `{repository.deploy_branch}`, these migrations are applied in "
        "this order:"
    )
    lines.extend(f"{index}. `{path}`" for index, path in enumerate(pending, 1))
    lines.append("")
    lines.append("to each environment in turn, stopping at the first failure:")
    lines.extend(
        _environment_line(index, environment)
        for index, environment in enumerate(repository.environments, 1)
    )
    return "\n".join(lines)
