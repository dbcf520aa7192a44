"""Webhook deliveries: signature checks and forge payloads read into forge-neutral events."""

from __future__ import annotations

from app.webhooks.events import (
    ForgeEvent,
    Ignored,
    Ping,
    PullRequestChanged,
    PullRequestEvent,
    PullRequestMerged,
)
from app.webhooks.github_events import read_github_event
from app.webhooks.gitlab_events import read_gitlab_event
from app.webhooks.payload import PayloadError, parse_json
from app.webhooks.signature import github_signature_valid, gitlab_token_valid, sign_github

__all__ = [
    "ForgeEvent",
    "Ignored",
    "PayloadError",
    "Ping",
    "PullRequestChanged",
    "PullRequestEvent",
    "PullRequestMerged",
    "github_signature_valid",
    "gitlab_token_valid",
    "parse_json",
    "read_github_event",
    "read_gitlab_event",
    "sign_github",
]
