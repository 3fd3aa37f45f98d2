"""quotation requests from the portal, and a declined quotation's reason

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quotation_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column(
            "customer_reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("quotation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_quotation_request_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["quotation_id"],
            ["quotation.id"],
            name=op.f("fk_quotation_request_quotation_id_quotation"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_quotation_request_requested_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotation_request")),
        sa.UniqueConstraint("quotation_id", name=op.f("uq_quotation_request_quotation_id")),
    )
    with op.batch_alter_table("quotation_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quotation_request_organisation_id"), ["organisation_id"], unique=False
        )
    with op.batch_alter_table("quotation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "rejection_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("quotation", schema=None) as batch_op:
        batch_op.drop_column("rejection_reason")
    with op.batch_alter_table("quotation_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotation_request_organisation_id"))
    op.drop_table("quotation_request")
