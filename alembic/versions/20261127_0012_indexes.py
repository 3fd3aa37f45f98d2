"""indexes: the job board and document listings read pages in index order

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 10:00:00

Measured on a seeded year (100,000 jobs, 50,000 documents; bench/load/seed_year.py):
``GET /documents`` sorted all 50,000 rows for every page (213 ms), and the job board's
newest-first view of a status sorted every matching job (68,600 closed ones, 26 ms).  With
these, each reads its page from an index in order (0.1 ms and 1 ms); the due-date and
per-customer indexes do the same for the board's default order and a customer's own board.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_job_status_due_date", "job", ["status", "due_date", "id"]),
    ("ix_job_status_created_at", "job", ["status", "created_at", "id"]),
    ("ix_job_organisation_id_status", "job", ["organisation_id", "status", "due_date", "id"]),
    ("ix_document_issued_at", "document", ["issued_at", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
