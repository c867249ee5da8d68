"""The API contract: the item versions the service serves and each link's review flag (review status
in SQL), indexes that make a page of links cost a page, and the answers kept for Idempotency-Key
retries.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("isp_links", sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_isp_links_client_seq", "isp_links", ["client_id", "seq"])
    op.create_index(
        "ix_isp_links_needs_review",
        "isp_links",
        ["client_id", "seq"],
        sqlite_where=sa.text("needs_review = 1"),
        postgresql_where=sa.text("needs_review"),
    )
    op.create_table(
        "served_versions",
        sa.Column("item_id", sa.String(20), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("change_class", sa.String(20), nullable=False),
        sa.Column("change_note", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("replaced_by", sa.String(20), nullable=True),
    )
    op.create_table(
        "served_items",
        sa.Column("item_id", sa.String(20), primary_key=True),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("review_from", sa.Integer, nullable=True),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("client_id", sa.Integer, sa.ForeignKey("api_clients.id"), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("location", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("served_items")
    op.drop_table("served_versions")
    op.drop_index("ix_isp_links_needs_review", table_name="isp_links")
    op.drop_index("ix_isp_links_client_seq", table_name="isp_links")
    with op.batch_alter_table("isp_links") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("needs_review")
