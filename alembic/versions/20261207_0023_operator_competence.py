"""competence per operator

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 18:00:00

Each operator of an RR test is judged on their own figures (lims.training.rr.operators): the
measurer row keeps the operator's outcome and figures, the competence record the method the
study names and its basis, and the lab sets the operators' limits per method.  Rows made
before this migration keep NULL: they were judged by the pooled %GRR only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rr_operator_limit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method_id", sa.Integer(), nullable=False),
        sa.Column("repeatability_acceptable_below", sa.Float(), nullable=False),
        sa.Column("repeatability_conditional_below", sa.Float(), nullable=False),
        sa.Column("bias_acceptable_below", sa.Float(), nullable=False),
        sa.Column("set_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["method_id"], ["method.id"], name=op.f("fk_rr_operator_limit_method_id_method")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rr_operator_limit")),
        sa.UniqueConstraint("method_id", name=op.f("uq_rr_operator_limit_method_id")),
    )
    with op.batch_alter_table("rr_test_measurer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("figures", sa.JSON(), nullable=True))
    with op.batch_alter_table("competence_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("basis", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_competence_record_method_id_method"), "method", ["method_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("competence_record", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_competence_record_method_id_method"), type_="foreignkey"
        )
        batch_op.drop_column("basis")
        batch_op.drop_column("method_id")
    with op.batch_alter_table("rr_test_measurer", schema=None) as batch_op:
        batch_op.drop_column("figures")
        batch_op.drop_column("outcome")
    op.drop_table("rr_operator_limit")
