"""Merge-triggered rollout: a merged commit's migrations go to each environment in order,
through its gates and the runner, with a report on the pull request at every step.

Talks to forges through ``app.forges``, to databases through the runner (``app.migrations``),
and keeps its state in ``app.store``; never the other way round.
"""

from __future__ import annotations

from app.rollout.actions import ActionRefused, approve, cancel, retry
from app.rollout.commands import Command, CommandError, parse_command
from app.rollout.comment_commands import CommandOutcome, handle_comment
from app.rollout.entrypoints import rollout_command_job, rollout_job, rollout_start_job
from app.rollout.recovery import RolloutRecovery
from app.rollout.report import ROLLOUT_MARKER
from app.rollout.service import (
    ROLLOUT_JOB,
    resume_unfinished,
    run_rollout,
    start_rollout,
    sweep,
    wake_rollout,
)
from app.rollout.timing import RolloutTiming
from app.rollout.triggers import COMMAND_JOB, START_JOB, route_rollout_event
from app.rollout.webhook_events import read_github_rollout_event, read_gitlab_rollout_event

__all__ = [
    "COMMAND_JOB",
    "ROLLOUT_JOB",
    "ROLLOUT_MARKER",
    "START_JOB",
    "ActionRefused",
    "Command",
    "CommandError",
    "CommandOutcome",
    "RolloutRecovery",
    "RolloutTiming",
    "approve",
    "cancel",
    "handle_comment",
    "parse_command",
    "read_github_rollout_event",
    "read_gitlab_rollout_event",
    "resume_unfinished",
    "retry",
    "rollout_command_job",
    "rollout_job",
    "rollout_start_job",
    "route_rollout_event",
    "run_rollout",
    "start_rollout",
    "sweep",
    "wake_rollout",
]
