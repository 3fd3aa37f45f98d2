"""Finnish master text with translations for methods, equipment and characteristics

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 19:00:00

A method's title and guidance, an equipment item's name and a characteristic's label keep
their Finnish master text in the field they have; each gets ``translations``, the lab's own
wording in the other document languages ({language: {field: text}}), empty for existing rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = ("method", "equipment", "characteristic")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("translations", sa.JSON(), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET translations = '{{}}'"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("translations", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("translations")
