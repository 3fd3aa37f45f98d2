"""cost recovery from delivered work: a job's item names the price list item it is priced by

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 18:00:00

The year-end cost recovery counts delivered jobs at their agreed price.  A job ordered without
a quotation has no price of its own; its items may now name the price list item (e.g.
K-MIK-25) they are calibrated or measured under, so the job is priced from the price list of
its year.  Items made before this migration name none: their jobs are listed as unpriced.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("price_item", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("price_item")
