"""complete report content: postal addresses of organisations, the signatory's own function

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 19:00:00

An organisation gets a postal address (street, postcode, city; its country is the one it
already has), printed on its certificates and reports and required for issuing them.  A user
gets a job title: a signatory's function is printed from it.  A method says what its result
is (a measured value, a deviation from nominal or an error of indication) so a document labels
the column by it.  Methods made before this migration are read from their measurand's
wording; anything else stays a measured value.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDRESS = (("street_address", 200), ("postal_code", 16), ("city", 100))


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        for name, length in ADDRESS:
            batch_op.add_column(
                sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
            )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("job_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
    with op.batch_alter_table("method", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "result_quantity",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="measured_value",
            )
        )
    method = sa.table("method", sa.column("measurand", sa.String), sa.column("result_quantity"))
    for wording, quantity in (
        ("error of indication%", "error_of_indication"),
        ("deviation%", "deviation"),
    ):
        op.execute(
            method.update()
            .where(sa.func.lower(method.c.measurand).like(wording))
            .values(result_quantity=quantity)
        )


def downgrade() -> None:
    with op.batch_alter_table("method", schema=None) as batch_op:
        batch_op.drop_column("result_quantity")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("job_title")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        for name, _length in reversed(ADDRESS):
            batch_op.drop_column(name)
