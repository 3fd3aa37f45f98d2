"""jobs: the technician a job is assigned to (work queues)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_job_assigned_to_id"), ["assigned_to_id"])
        batch_op.create_foreign_key(
            "fk_job_assigned_to_id_user_account", "user_account", ["assigned_to_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_constraint("fk_job_assigned_to_id_user_account", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_job_assigned_to_id"))
        batch_op.drop_column("assigned_to_id")
