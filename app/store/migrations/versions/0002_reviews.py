"""Reviews of pull requests and the inline comments they posted.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("forge", sa.String(16), nullable=False),
        sa.Column("repository", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("head_sha", sa.String(64), nullable=False),
        sa.Column("base_sha", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("description", sa.String(400), nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("summary_url", sa.String(1000), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "forge", "repository", "number", "head_sha", "base_sha", name="uq_reviews_commit"
        ),
    )
    op.create_index("ix_reviews_pull_request", "reviews", ["forge", "repository", "number"])
    op.create_table(
        "review_comments",
        sa.Column("forge", sa.String(16), primary_key=True),
        sa.Column("repository", sa.String(255), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("review_id", sa.Integer, nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_comments")
    op.drop_index("ix_reviews_pull_request", table_name="reviews")
    op.drop_table("reviews")
