"""What a rollout tells the pull request: one comment edited in place, one status per environment.

The comment is the rollout's own (found again by :data:`ROLLOUT_MARKER`), not a section of the
review's summary: the review job and the rollout job would otherwise race to edit one comment,
each overwriting the other's part. Everything here is rendered from the store, so any job (or a
rerun after a crash) renders the same report for the same state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.config import Environment
from app.forges.base import CommitStatus, StatusState
from app.rollout.gates import required_permission
from app.store import ApprovalRecord, RolloutRecord, StepRecord

__all__ = [
    "ROLLOUT_MARKER",
    "CarriedRollout",
    "RolloutView",
    "render_comment",
    "status_context",
    "statuses",
]

ROLLOUT_MARKER = "<!-- schemabot:rollout -->"
#: Long lists of files are cut in the comment; the rollout's page lists everything.
MAX_LISTED_FILES = 12

_STEP_ICONS = {
    "pending": "⏳",
    "waiting": "⏸️",
    "running": "🔄",
    "succeeded": "✅",
    "failed": "❌",
    "cancelled": "🛑",
    "skipped": "↪️",
}


@dataclass(frozen=True)
class CarriedRollout:
    """An older rollout this one superseded, and the environments it had done itself."""

    rollout: RolloutRecord
    done: frozenset[str]


@dataclass(frozen=True)
class RolloutView:
    """A rollout with everything its report mentions."""

    rollout: RolloutRecord
    steps: Sequence[StepRecord]
    approvals: Mapping[str, ApprovalRecord]
    environments: Mapping[str, Environment]
    url: str
    #: The rollout that took over (superseded) or the one this one waits behind (blocked).
    successor: RolloutRecord | None = None
    blocker: RolloutRecord | None = None
    #: Older rollouts this one carries on (it superseded them).
    carried: Sequence[CarriedRollout] = ()


def status_context(environment: str) -> str:
    return f"schemabot/{environment}"


def duration_text(milliseconds: float | None) -> str:
    if milliseconds is None:
        return ""
    if milliseconds < 1000:
        return f"{milliseconds:.0f} ms"
    seconds = milliseconds / 1000
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _clock(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else "later"


def _ref(rollout: RolloutRecord) -> str:
    pull = f" (#{rollout.pull_number})" if rollout.pull_number is not None else ""
    return f"`{rollout.short_sha}`{pull}"


def _files(names: Sequence[str]) -> str:
    shown = ", ".join(f"`{name}`" for name in names[:MAX_LISTED_FILES])
    more = len(names) - MAX_LISTED_FILES
    return shown + (f" and {more} more" if more > 0 else "")


def _fenced(text: str, language: str = "") -> str:
    """A code block that survives backticks in the text (a fence longer than any run in it)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.strip()}\n{fence}"


# -- statuses ---------------------------------------------------------------------------------


def _waiting_text(view: RolloutView) -> str:
    rollout = view.rollout
    if rollout.waiting_for == "approval":
        return "waiting for approval"
    if rollout.waiting_for == "soak":
        return f"soaking until {_clock(rollout.wait_until)}"
    if rollout.waiting_for == "database-lock":
        return "waiting for the database lock (another runner holds it)"
    return "waiting"


def step_state(view: RolloutView, step: StepRecord) -> tuple[StatusState, str]:
    """The commit status of one environment of the rollout."""
    rollout = view.rollout
    if step.status == "succeeded":
        count = len(step.applied)
        if not count:
            return "success", "up to date: nothing to apply"
        plural = "s" if count != 1 else ""
        return "success", f"applied {count} migration{plural} in {duration_text(step.duration_ms)}"
    if step.status == "failed":
        failure = step.failure or {}
        where = failure.get("script") or "the rollout"
        error = str(failure.get("error") or "failed").strip().splitlines()[0]
        return "failure", f"failed at {where}: {error}"
    if step.status == "running":
        return "pending", f"applying {step.current_script or 'migrations'}"
    if step.status == "waiting":
        return "pending", _waiting_text(view)
    if rollout.status == "cancelled" or step.status == "cancelled":
        return "error", f"cancelled by @{rollout.cancel_requested_by or 'someone'}"
    if rollout.status == "superseded" and view.successor is not None:
        return "pending", f"carried on by the rollout of {view.successor.short_sha}"
    if rollout.status == "failed":
        failed = next((s.environment for s in view.steps if s.status == "failed"), "an earlier one")
        return "pending", f"not started: {failed} failed"
    if rollout.waiting_for == "rollout" and view.blocker is not None:
        return "pending", f"waiting behind the rollout of {view.blocker.short_sha}"
    earlier = [s for s in view.steps if s.position < step.position and s.status != "succeeded"]
    if earlier:
        return "pending", f"waiting for {earlier[-1].environment}"
    return "pending", "queued"


def statuses(view: RolloutView) -> list[tuple[str, CommitStatus]]:
    """``(commit, status)`` for every environment, on the rollout's commit and on the commits
    of the rollouts it carries on, for the environments those had not done themselves."""
    result: list[tuple[str, CommitStatus]] = []
    for step in view.steps:
        if step.status == "skipped":
            # Superseded before it got there: the newer rollout reports it, on this commit too.
            continue
        state, description = step_state(view, step)
        context = status_context(step.environment)
        result.append(
            (view.rollout.commit_sha, CommitStatus(state, context, description, view.url))
        )
        for carried in view.carried:
            if step.environment in carried.done:
                continue
            via = f"via {view.rollout.short_sha}: {description}"
            result.append((carried.rollout.commit_sha, CommitStatus(state, context, via, view.url)))
    return result


# -- the comment ------------------------------------------------------------------------------


def _headline(view: RolloutView) -> str:
    rollout = view.rollout
    sha = f"`{rollout.short_sha}`"
    current = next((s for s in view.steps if s.status in ("running", "waiting", "failed")), None)
    where = f" **{current.environment}**" if current is not None else ""
    if rollout.status == "succeeded":
        return f"✅ Rollout of {sha}: done in every environment"
    if rollout.status == "failed":
        return f"❌ Rollout of {sha}: failed in{where}"
    if rollout.status == "cancelled":
        return f"🛑 Rollout of {sha}: cancelled by @{rollout.cancel_requested_by or 'someone'}"
    if rollout.status == "superseded" and view.successor is not None:
        return f"↪️ Rollout of {sha}: superseded by the rollout of {_ref(view.successor)}"
    if rollout.status == "running" and current is not None:
        return f"🔄 Rollout of {sha}: applying to{where}"
    if rollout.status == "waiting" and rollout.waiting_for == "rollout" and view.blocker:
        return f"⏸️ Rollout of {sha}: waiting behind the rollout of {_ref(view.blocker)}"
    if rollout.status == "waiting" and current is not None:
        return f"⏸️ Rollout of {sha}: {_waiting_text(view)} of{where}"
    return f"⏳ Rollout of {sha}: queued"


def _migrations_cell(step: StepRecord) -> str:
    if step.applied:
        return _files([str(entry.get("script")) for entry in step.applied])
    if step.status == "succeeded":
        return "nothing to apply"
    if step.pending:
        return "pending: " + _files(step.pending)
    return ""


def _table(view: RolloutView) -> list[str]:
    lines = [
        "| Environment | Status | Migrations | Duration | Approved by |",
        "|---|---|---|---|---|",
    ]
    for step in view.steps:
        _, description = step_state(view, step)
        if step.status == "failed":
            # The details follow the table; the cell only says where.
            where = (step.failure or {}).get("script")
            description = f"failed at `{where}`" if where else "failed"
        status = f"{_STEP_ICONS.get(step.status, '')} {description}".strip()
        approval = view.approvals.get(step.environment)
        approved = f"@{approval.username} ({approval.permission})" if approval else ""
        cells = (
            f"`{step.environment}`",
            status,
            _migrations_cell(step),
            duration_text(step.duration_ms),
            approved,
        )
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return lines


def _who_may_approve(environment: Environment) -> str:
    needed = required_permission(environment).name.lower()
    if environment.approvers:
        names = ", ".join(f"@{name}" for name in environment.approvers)
        return f"{names}, with {needed} permission"
    return f"anyone with {needed} permission or more"


def _next_steps(failure: Mapping[str, object], environment: str, view: RolloutView) -> str:
    branch = view.rollout.branch
    retry = f"`/schemabot retry {environment}`"
    kind = failure.get("kind")
    script = failure.get("script")
    if kind == "migration" and not failure.get("dirty"):
        return (
            f"Nothing of `{script}` remains in `{environment}`: its transaction was rolled back, "
            "and later environments were not touched. If the migration is wrong, fix it in a new "
            f"pull request and merge it into `{branch}`, then comment {retry}: a retry rolls out "
            f"the newest commit of `{branch}` schemabot has seen. If the cause was outside the "
            "file (a lock held by a long transaction, the data, the database being down), "
            f"comment {retry} as it is."
        )
    if kind == "migration":
        version = failure.get("version") or "VERSION"
        return (
            f"`{script}` may be partly applied in `{environment}`: MySQL and MariaDB commit each "
            "DDL statement on its own. Check the database, record what happened with "
            f"`schemabot migrate resolve --version {version} --applied` (or `--not-applied` "
            f"after undoing it), then comment {retry}."
        )
    if kind == "refused":
        return (
            "Never edit an applied migration: add a new one. Fix the files in a new pull request, "
            f"merge it into `{branch}`, then comment {retry}."
        )
    if kind == "dirty":
        return f"Resolve the database's state as described, then comment {retry}."
    if kind == "files":
        return (
            f"Fix the migration files in a new pull request, merge it into `{branch}`, then"
            f" comment {retry}."
        )
    return f"When the cause is fixed, comment {retry}."


def _failure_section(view: RolloutView, step: StepRecord) -> list[str]:
    failure = step.failure or {}
    lines = [f"#### ❌ `{step.environment}` failed"]
    script, line = failure.get("script"), failure.get("line")
    if script:
        lines.append(f"`{script}`" + (f", line {line}:" if line else ":"))
    if failure.get("statement"):
        lines.append(_fenced(str(failure["statement"]), "sql"))
    problems = failure.get("problems")
    if isinstance(problems, list) and problems:
        lines.append("The migration files disagree with what this database has applied:")
        lines.extend(f"- {problem}" for problem in problems)
    elif failure.get("error"):
        said = "The database said:" if failure.get("kind") == "migration" else "The error:"
        lines.extend([said, _fenced(str(failure["error"]))])
    lines.append(f"**What to do next:** {_next_steps(failure, step.environment, view)}")
    return lines


def render_comment(view: RolloutView) -> str:
    rollout = view.rollout
    lines = [ROLLOUT_MARKER, f"### {_headline(view)}", ""]
    lines.extend(_table(view))
    for step in view.steps:
        if step.status == "failed":
            lines.extend(["", *_failure_section(view, step)])
        waiting_approval = rollout.status == "waiting" and rollout.waiting_for == "approval"
        if step.status == "waiting" and waiting_approval:
            environment = view.environments.get(step.environment)
            who = _who_may_approve(environment) if environment else "an approver"
            lines.extend(
                [
                    "",
                    f"**`{step.environment}` waits for an approval:** comment "
                    f"`/schemabot approve {step.environment}` ({who}).",
                ]
            )
    if rollout.status == "superseded" and view.successor is not None:
        lines.extend(
            [
                "",
                f"A newer merge, {_ref(view.successor)}, carries these migrations on to the "
                "environments this rollout had not reached: follow it there.",
            ]
        )
    if rollout.waiting_for == "rollout" and view.blocker is not None:
        reason = "failed" if view.blocker.status == "failed" else "is still running"
        lines.extend(
            [
                "",
                f"The rollout of {_ref(view.blocker)} {reason}; this one starts when it is done "
                "(a retry there rolls out this commit instead).",
            ]
        )
    if view.carried:
        names = ", ".join(_ref(carried.rollout) for carried in view.carried)
        lines.extend(["", f"This rollout also carries the migrations of {names}."])
    lines.extend(
        [
            "",
            f"<sub>Rollout {rollout.id} of `{rollout.branch}` at `{rollout.commit_sha}` · "
            f"[details]({view.url}) · commands: `/schemabot approve <environment>`, "
            "`/schemabot retry <environment>`, `/schemabot cancel`</sub>",
        ]
    )
    return "\n".join(lines)
