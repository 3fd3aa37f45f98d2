"""customer kinds and VAT by the rules: organisation kind, VAT number, a person's e-mail and
erasure, business ID optional; the quotation's VAT rule and both VAT numbers

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUOTATION = sa.table(
    "quotation",
    sa.column("id", sa.Integer()),
    sa.column("lines", sa.JSON()),
    sa.column("vat_rate", sa.Numeric(5, 2)),
)


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="company",
            )
        )
        batch_op.add_column(
            sa.Column("vat_number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True)
        )
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        # Still unique where given: a unique index holds many NULLs on SQLite and PostgreSQL.
        batch_op.alter_column(
            "business_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
    with op.batch_alter_table("quotation", schema=None) as batch_op:
        # Quotations made before were all charged Finnish VAT at the configured rate.
        batch_op.add_column(
            sa.Column(
                "vat_rule",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="domestic",
            )
        )
        batch_op.add_column(
            sa.Column(
                "customer_vat_number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("lab_vat_number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
    with op.batch_alter_table("quotation", schema=None) as batch_op:
        batch_op.alter_column("vat_rule", server_default=None)
    _lines_state_their_vat()


def _lines_state_their_vat() -> None:
    """Each stored line gets the treatment its quotation had: Finnish VAT at its rate."""
    connection = op.get_bind()
    for row in connection.execute(sa.select(_QUOTATION)).all():
        lines = [
            {**line, "vat_rule": "domestic", "vat_rate": str(row.vat_rate)} for line in row.lines
        ]
        connection.execute(_QUOTATION.update().where(_QUOTATION.c.id == row.id).values(lines=lines))


def downgrade() -> None:
    with op.batch_alter_table("quotation", schema=None) as batch_op:
        batch_op.drop_column("lab_vat_number")
        batch_op.drop_column("customer_vat_number")
        batch_op.drop_column("vat_rule")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.alter_column(
            "business_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        )
        batch_op.drop_column("erased_at")
        batch_op.drop_column("email")
        batch_op.drop_column("vat_number")
        batch_op.drop_column("kind")
