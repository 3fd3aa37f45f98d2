"""document revisions: what changed since the previous issue

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 12:00:00

A revision (ISO/IEC 17025 7.8.8) states its class of reason (the record changed, or an
editorial correction) and, for a changed record, what changed: old and new.  Revisions issued
before this migration keep NULL: they said only their free-text reason.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "revision_reason_class",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("revision_changes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("revision_changes")
        batch_op.drop_column("revision_reason_class")
