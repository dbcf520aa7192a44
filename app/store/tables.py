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
)

__all__ = ["audit_log", "deliveries", "jobs", "metadata"]

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
