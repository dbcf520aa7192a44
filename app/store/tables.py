"""The service's own state. The targets' ``schemabot_history`` tables stay the truth about what
is applied; this store remembers deliveries, jobs and the audit log (and, later, reviews and
rollouts) so the service can dedupe, resume and show what happened."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "audit_log",
    "deliveries",
    "jobs",
    "metadata",
    "review_comments",
    "reviews",
    "rollout_approvals",
    "rollout_steps",
    "rollouts",
]

metadata = MetaData()

#: One row per webhook delivery ever accepted: the dedupe key across redeliveries and replicas.
deliveries = Table(
    "deliveries",
    metadata,
    Column("forge", String(16), primary_key=True),
    Column("delivery_key", String(200), primary_key=True),
    Column("event", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

#: Jobs of the in-process queue, persisted so a restart resumes what was pending.
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    #: queued | running | done | failed
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_tries", Integer, nullable=False),
    Column("run_after", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("error", Text, nullable=True),
    Index("ix_jobs_status_run_after", "status", "run_after"),
)

#: Who did what, when: approvals, commands, steps, deliveries refused.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_log_subject", "subject"),
)

#: One row per review of a pull request's head (and base) commit: what the status links to.
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("forge", String(16), nullable=False),
    Column("repository", String(255), nullable=False),
    Column("number", Integer, nullable=False),
    Column("head_sha", String(64), nullable=False),
    Column("base_sha", String(64), nullable=False),
    #: running | success | failure | error
    Column("state", String(16), nullable=False),
    #: The commit status description, e.g. "2 errors, 1 warning in 3 migration files".
    Column("description", String(400), nullable=False),
    #: Each finding with where it was reported (inline, earlier push, summary only).
    Column("findings", JSON, nullable=False),
    #: The migration files reviewed, in migration order.
    Column("files", JSON, nullable=False),
    Column("summary_url", String(1000), nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "forge", "repository", "number", "head_sha", "base_sha", name="uq_reviews_commit"
    ),
    Index("ix_reviews_pull_request", "forge", "repository", "number"),
)

#: Inline comments posted on a pull request, by finding fingerprint (file, rule, statement),
#: so a later push does not comment the same finding again, and a rerun never duplicates one.
review_comments = Table(
    "review_comments",
    metadata,
    Column("forge", String(16), primary_key=True),
    Column("repository", String(255), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("fingerprint", String(64), primary_key=True),
    Column("review_id", Integer, nullable=False),
    Column("path", String(1000), nullable=False),
    Column("line", Integer, nullable=False),
    Column("rule", String(100), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
)

#: One rollout per (repository, commit) of the deploy branch. The lease of the job running it
#: lives on the row: parking the rollout (waiting, blocked) and releasing the lease is then one
#: conditional update, so a wake-up (an approval) arriving in between is never lost.
rollouts = Table(
    "rollouts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("forge", String(16), nullable=False),
    Column("repository", String(255), nullable=False),
    Column("commit_sha", String(64), nullable=False),
    Column("branch", String(255), nullable=False),
    Column("pull_number", Integer, nullable=True),
    #: What announced it first: ``pull_request merged``, ``push``, ...
    Column("trigger", String(200), nullable=False),
    #: queued | running | waiting | succeeded | failed | cancelled | superseded
    Column("status", String(16), nullable=False),
    #: approval | soak | database-lock | rollout (behind an older rollout)
    Column("waiting_for", String(16), nullable=True),
    Column("wait_until", DateTime(timezone=True), nullable=True),
    Column("blocked_by", Integer, nullable=True),
    Column("superseded_by", Integer, nullable=True),
    Column("cancel_requested_by", String(255), nullable=True),
    #: Bumped by every wake-up: a job parks the rollout only if nobody woke it meanwhile.
    Column("wakes", Integer, nullable=False),
    Column("woken_at", DateTime(timezone=True), nullable=True),
    Column("lease_holder", String(255), nullable=True),
    Column("lease_expires_at", DateTime(timezone=True), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    #: What the forge was last told (comment digest, status per commit and context), so a rerun
    #: writes only what changed; ``report_due_at``: a report failed, a sweep tries again then.
    Column("reported", JSON, nullable=True),
    Column("report_due_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("forge", "repository", "commit_sha", name="uq_rollouts_commit"),
    Index("ix_rollouts_status", "status"),
    Index("ix_rollouts_pull_request", "forge", "repository", "pull_number"),
)

#: One row per environment of a rollout, in the configured order.
rollout_steps = Table(
    "rollout_steps",
    metadata,
    Column("rollout_id", Integer, primary_key=True),
    Column("environment", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
    #: pending | waiting | running | succeeded | failed | cancelled | skipped
    Column("status", String(16), nullable=False),
    #: Migrations applied by this step: [{script, version, duration_ms}], recorded as they finish.
    Column("applied", JSON, nullable=False),
    #: Scripts that were pending when the step stopped at its gate (what an approver approves).
    Column("pending", JSON, nullable=True),
    Column("current_script", String(400), nullable=True),
    #: {kind, script, line, statement, error, dirty, ...} of the last failed attempt.
    Column("failure", JSON, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("duration_ms", Integer, nullable=True),
)

#: Who approved which environment of which rollout (the audit log has every command too).
rollout_approvals = Table(
    "rollout_approvals",
    metadata,
    Column("rollout_id", Integer, primary_key=True),
    Column("environment", String(40), primary_key=True),
    Column("username", String(255), nullable=False),
    Column("permission", String(16), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
)
