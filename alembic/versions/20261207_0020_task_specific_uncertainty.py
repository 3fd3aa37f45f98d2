"""task-specific uncertainty of coordinate measurements

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 18:00:00

A coordinate (CMM) method carries the budget template its results are evaluated with: the
machine's ISO 10360-2 specification and the lab's temperature figures
(lims.methods.coordinate).  Methods made before this migration keep NULL: their CMM results
are evaluated by the method's model, or stored with U not evaluated.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("method", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coordinate_budget", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("method", schema=None) as batch_op:
        batch_op.drop_column("coordinate_budget")
