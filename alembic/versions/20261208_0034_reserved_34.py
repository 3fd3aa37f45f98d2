"""calibration.certificate_to_follow: a calibration recorded before its certificate file came

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-08 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calibration") as batch:
        batch.add_column(
            sa.Column(
                "certificate_to_follow",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("calibration") as batch:
        batch.drop_column("certificate_to_follow")
