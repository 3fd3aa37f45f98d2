"""results: when each was entered, the reason for a late entry; equipment kinds of method roles

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00

Reserved for issue 20 (trustworthy records), so its parts can be built side by side.
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
