"""Forge-neutral webhook events: what a delivery means, whatever forge sent it.

The GitHub and GitLab readers turn a payload into one of these; the webhook router decides what
to queue by the event's type alone. A new kind of event (a push, a comment command) is a new
class here and one branch in each reader, not a new code path.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ForgeEvent",
    "Ignored",
    "Ping",
    "PullRequestChanged",
    "PullRequestEvent",
    "PullRequestMerged",
]


@dataclass(frozen=True, slots=True)
class ForgeEvent:
    #: ``github`` or ``gitlab``.
    forge: str
    #: The forge's own event name (``pull_request``, ``Merge Request Hook``), for metrics.
    name: str


@dataclass(frozen=True, slots=True)
class Ping(ForgeEvent):
    """The forge checks that the hook works (GitHub sends one when a hook is created)."""


@dataclass(frozen=True, slots=True)
class Ignored(ForgeEvent):
    """A delivery that asks nothing of us; answered 2xx so the forge keeps the hook enabled."""

    reason: str


@dataclass(frozen=True, slots=True)
class PullRequestEvent(ForgeEvent):
    #: ``owner/name`` (GitHub) or ``group/project`` (GitLab) of the base repository.
    repository: str
    #: The pull request number (GitHub) or merge request iid (GitLab).
    number: int
    head_sha: str
    base_branch: str
    #: The forge's action word (``synchronize``, ``update``), for logs.
    action: str
    from_fork: bool


@dataclass(frozen=True, slots=True)
class PullRequestChanged(PullRequestEvent):
    """Opened, reopened, new commits, ready for review or retargeted: the code to review changed."""


@dataclass(frozen=True, slots=True)
class PullRequestMerged(PullRequestEvent):
    """Merged into ``base_branch``: the rollout's starting point."""

    merge_sha: str | None
