"""Recommendations made by the panel's reviews, and the department's responses to them.

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recommendations",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("series", sa.String(1), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("review", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("items", sa.Text, nullable=False),
        sa.Column("areas", sa.Text, nullable=False),
        sa.Column("layers", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("response", sa.String(20), nullable=True),
        sa.Column("explanation", sa.Text, nullable=True),
        sa.Column("withdrawal_reason", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("year", "series", "number", name="uq_recommendations_number"),
    )
    op.create_index("ix_recommendations_status", "recommendations", ["status"])


def downgrade() -> None:
    op.drop_index("ix_recommendations_status", table_name="recommendations")
    op.drop_table("recommendations")
