"""ISP links: API clients (hashed tokens), links pinned to item versions, webhook endpoints and the
queue of webhook deliveries.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "isp_links",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("isp_ref", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("notified_through", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("client_id", "isp_ref", "item_id", name="uq_isp_links_client_ref_item"),
    )
    op.create_index("ix_isp_links_client_id", "isp_links", ["client_id"])
    op.create_index("ix_isp_links_item_id", "isp_links", ["item_id"])
    op.create_table(
        "webhook_endpoints",
        sa.Column("client_id", sa.Integer, sa.ForeignKey("api_clients.id"), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("item_id", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_response", sa.String(500), nullable=True),
        sa.UniqueConstraint("client_id", "item_id", "version", name="uq_webhook_deliveries_event"),
    )
    op.create_index("ix_webhook_deliveries_client_id", "webhook_deliveries", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_client_id", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    op.drop_index("ix_isp_links_item_id", table_name="isp_links")
    op.drop_index("ix_isp_links_client_id", table_name="isp_links")
    op.drop_table("isp_links")
    op.drop_table("api_clients")
