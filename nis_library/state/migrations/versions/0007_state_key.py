"""The state key: every audit row sealed (an HMAC of its hash under a key kept outside the
database), the rows already written sealed now, and webhook signing secrets encrypted at rest.
Needs the state key, as every `nis db upgrade` has it (STATE_KEY or INSTANCE_DIR/state_key).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from nis_library.state import keys
from nis_library.state.backup import audit_log_writable

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

AUDIT_SEAL = "nis-audit-row"  # state.audit.SEAL_PURPOSE, as it was when this was written


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, hash FROM audit_log ORDER BY id")).all()
    secrets = bind.execute(sa.text("SELECT client_id, secret FROM webhook_endpoints")).all()
    state_keys = keys.of(bind) if rows or secrets else None
    with audit_log_writable(bind):
        with op.batch_alter_table("audit_log") as batch:
            batch.add_column(sa.Column("seal", sa.String(100), nullable=True))
        for row_id, row_hash in rows:
            assert state_keys is not None, "the keys are read when there are rows to seal"
            bind.execute(
                sa.text("UPDATE audit_log SET seal = :seal WHERE id = :id"),
                {"seal": state_keys.seal(AUDIT_SEAL, row_hash), "id": row_id},
            )
        with op.batch_alter_table("audit_log") as batch:
            batch.alter_column("seal", existing_type=sa.String(100), nullable=False)
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.alter_column("secret", existing_type=sa.String(100), type_=sa.String(500), existing_nullable=False)
    for client_id, secret in secrets:
        assert state_keys is not None, "the keys are read when there are secrets to encrypt"
        bind.execute(
            sa.text("UPDATE webhook_endpoints SET secret = :secret WHERE client_id = :id"),
            {"secret": state_keys.encrypt(secret), "id": client_id},
        )


def downgrade() -> None:
    bind = op.get_bind()
    secrets = bind.execute(sa.text("SELECT client_id, secret FROM webhook_endpoints")).all()
    for client_id, token in secrets:
        bind.execute(
            sa.text("UPDATE webhook_endpoints SET secret = :secret WHERE client_id = :id"),
            {"secret": keys.of(bind).decrypt(token), "id": client_id},
        )
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.alter_column("secret", existing_type=sa.String(500), type_=sa.String(100), existing_nullable=False)
    with audit_log_writable(bind), op.batch_alter_table("audit_log") as batch:
        batch.drop_column("seal")
