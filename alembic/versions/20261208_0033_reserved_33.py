"""invoicing exports: the delivered jobs exported for accounting, each once

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    string = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "invoicing_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", string(length=32), nullable=False),
        sa.Column("period", string(length=32), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("net_total", sa.Numeric(14, 2), nullable=False),
        sa.Column("vat_total", sa.Numeric(14, 2), nullable=False),
        sa.Column("gross_total", sa.Numeric(14, 2), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by", string(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_by", string(length=200), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", string(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_invoicing_export_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["user_account.id"],
            name=op.f("fk_invoicing_export_cancelled_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoicing_export")),
        sa.UniqueConstraint("number", name=op.f("uq_invoicing_export_number")),
    )
    op.create_table(
        "invoicing_export_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("job_number", string(length=32), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("price_basis", string(length=16), nullable=False),
        sa.Column("quotation_number", string(length=32), nullable=True),
        sa.Column("customer_reference", string(length=100), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("customer_name", string(length=200), nullable=False),
        sa.Column("business_id", string(length=32), nullable=True),
        sa.Column("vat_number", string(length=16), nullable=True),
        sa.Column("street_address", string(length=200), nullable=True),
        sa.Column("postal_code", string(length=16), nullable=True),
        sa.Column("city", string(length=100), nullable=True),
        sa.Column("country", string(length=2), nullable=False),
        sa.Column("billing_email", string(length=320), nullable=True),
        sa.Column("vat_rule", string(length=16), nullable=False),
        sa.Column("vat_rate", sa.Numeric(5, 2), nullable=False),
        sa.Column("vat_statement", string(length=32), nullable=True),
        sa.Column("net", sa.Numeric(14, 2), nullable=False),
        sa.Column("vat", sa.Numeric(14, 2), nullable=False),
        sa.Column("gross", sa.Numeric(14, 2), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["invoicing_export.id"],
            name=op.f("fk_invoicing_export_line_export_id_invoicing_export"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_invoicing_export_line_job_id_job")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_invoicing_export_line_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoicing_export_line")),
    )
    with op.batch_alter_table("invoicing_export_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoicing_export_line_export_id"), ["export_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoicing_export_line_job_id"), ["job_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoicing_export_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoicing_export_line_job_id"))
        batch_op.drop_index(batch_op.f("ix_invoicing_export_line_export_id"))
    op.drop_table("invoicing_export_line")
    op.drop_table("invoicing_export")
