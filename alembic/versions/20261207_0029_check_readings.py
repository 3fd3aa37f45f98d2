"""intermediate checks: the reading as a number, its unit and limits (for the trend chart)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intermediate_check", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("lower_limit", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("upper_limit", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("intermediate_check", schema=None) as batch_op:
        batch_op.drop_column("upper_limit")
        batch_op.drop_column("lower_limit")
        batch_op.drop_column("unit")
        batch_op.drop_column("value")
