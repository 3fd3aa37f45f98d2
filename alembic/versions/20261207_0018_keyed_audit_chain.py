"""keyed audit chain: each audit event names the key its hash was keyed with

Events written before this revision keep key_id NULL and their plain SHA-256 hashes; the
keys themselves live outside the database (lims/audit/keys.py), so this needs none.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding a nullable column touches no row, so PostgreSQL's append-only triggers on
    # audit_event do not fire.
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("key_id")
