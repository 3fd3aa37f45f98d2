"""archive copies of issued documents (PAdES B-LTA re-timestamps)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 19:00:00

The file name was reserved for signatories' personal certificates; those are configured as
files (LIMS_SIGNATORY_CERTIFICATE_DIR), so no table holds them.  What the database needs is the
record of archive re-timestamping: a document keeps the hash of the file as issued, and gets the
hash, size and time of its newest archive copy (the issued file with validation data and a
document timestamp appended).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archive_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("archive_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("archive_size")
        batch_op.drop_column("archive_sha256")
