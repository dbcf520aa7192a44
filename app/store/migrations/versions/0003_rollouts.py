"""Rollouts, their steps per environment, and approvals.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _at(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "rollouts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("forge", sa.String(16), nullable=False),
        sa.Column("repository", sa.String(255), nullable=False),
        sa.Column("commit_sha", sa.String(64), nullable=False),
        sa.Column("branch", sa.String(255), nullable=False),
        sa.Column("pull_number", sa.Integer, nullable=True),
        sa.Column("trigger", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("waiting_for", sa.String(16), nullable=True),
        _at("wait_until"),
        sa.Column("blocked_by", sa.Integer, nullable=True),
        sa.Column("superseded_by", sa.Integer, nullable=True),
        sa.Column("cancel_requested_by", sa.String(255), nullable=True),
        sa.Column("wakes", sa.Integer, nullable=False),
        _at("woken_at"),
        sa.Column("lease_holder", sa.String(255), nullable=True),
        _at("lease_expires_at"),
        _at("heartbeat_at"),
        sa.Column("reported", sa.JSON, nullable=True),
        _at("report_due_at"),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        _at("finished_at"),
        sa.UniqueConstraint("forge", "repository", "commit_sha", name="uq_rollouts_commit"),
    )
    op.create_index("ix_rollouts_status", "rollouts", ["status"])
    op.create_index("ix_rollouts_pull_request", "rollouts", ["forge", "repository", "pull_number"])
    op.create_table(
        "rollout_steps",
        sa.Column("rollout_id", sa.Integer, primary_key=True),
        sa.Column("environment", sa.String(40), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("applied", sa.JSON, nullable=False),
        sa.Column("pending", sa.JSON, nullable=True),
        sa.Column("current_script", sa.String(400), nullable=True),
        sa.Column("failure", sa.JSON, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        _at("started_at"),
        _at("finished_at"),
        sa.Column("duration_ms", sa.Integer, nullable=True),
    )
    op.create_table(
        "rollout_approvals",
        sa.Column("rollout_id", sa.Integer, primary_key=True),
        sa.Column("environment", sa.String(40), primary_key=True),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("permission", sa.String(16), nullable=False),
        _at("approved_at", nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rollout_approvals")
    op.drop_table("rollout_steps")
    op.drop_index("ix_rollouts_pull_request", table_name="rollouts")
    op.drop_index("ix_rollouts_status", table_name="rollouts")
    op.drop_table("rollouts")
