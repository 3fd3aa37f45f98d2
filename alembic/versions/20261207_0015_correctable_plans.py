"""characteristics: edited and voided with a reason; parameters at acceptance

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:00:00

A characteristic planned wrongly is corrected or voided, never deleted (ISO/IEC 17025 7.5):
a voided one keeps who voided it, when and why.  Existing characteristics stay in force (NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("characteristic", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("voided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.String(length=2000), nullable=True))
        batch_op.create_foreign_key(
            "fk_characteristic_voided_by_id_user_account",
            "user_account",
            ["voided_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("characteristic", schema=None) as batch_op:
        batch_op.drop_constraint("fk_characteristic_voided_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by_id")
        batch_op.drop_column("voided_at")
