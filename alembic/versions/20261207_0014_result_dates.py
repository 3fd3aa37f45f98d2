"""results: when each was entered, the reason for a late entry; equipment kinds of method roles

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00

Reserved for issue 20 (trustworthy records), so its parts can be built side by side.

Existing results take their entered_at from recorded_at, the moment they were first
recorded: the best the record knows, and it keeps the column NOT NULL for every row.  They
need no late-entry reason (none was asked then).  Existing methods declare no equipment
roles ({}); until a new version declares them, their roles accept equipment of any kind.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "late_entry_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True
            )
        )
    op.execute("UPDATE result SET entered_at = recorded_at")
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.alter_column(
            "entered_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
    with op.batch_alter_table("method", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("equipment_roles", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("method", schema=None) as batch_op:
        batch_op.drop_column("equipment_roles")
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_column("late_entry_reason")
        batch_op.drop_column("entered_at")
