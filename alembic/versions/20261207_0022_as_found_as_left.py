"""as-found and as-left results: a B3 result may keep the instrument as found and the adjustment

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 18:00:00

A result stays the instrument as left; the as-found result (evaluated alike, kept whole as
JSON) and what was done between, by whom and when, sit beside it (ISO/IEC 17025 7.8.4.1 d).
Existing results had no adjustment recorded: the new columns are empty for them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("as_found", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "adjustment_description",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("adjusted_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("adjusted_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            "fk_result_adjusted_by_id_user_account", "user_account", ["adjusted_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_constraint("fk_result_adjusted_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("adjusted_on")
        batch_op.drop_column("adjusted_by_id")
        batch_op.drop_column("adjustment_description")
        batch_op.drop_column("as_found")
