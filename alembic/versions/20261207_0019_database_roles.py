"""database roles: nobody but the schema's owner holds rights on the audit trail by default

The application role's rights (rows of every table; only SELECT and INSERT on audit_event)
are given after every migration run by alembic/env.py (``lims.audit.roles``), so tables that
later migrations add are covered too. This revision takes from PUBLIC, every role of the
cluster, whatever rights on audit_event a hand-made grant may have given it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("REVOKE ALL ON audit_event FROM PUBLIC")


def downgrade() -> None:
    # Rights taken from PUBLIC are not given back: no release relied on them.
    pass
