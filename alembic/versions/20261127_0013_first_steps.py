"""first steps: when each user put away the start page's first-steps hint

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 12:00:00

Kept on the user, not in the browser, so a hint once dismissed stays away on every browser
and device the person signs in from.  Existing users get NULL: they see the hint once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_steps_dismissed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("first_steps_dismissed_at")
