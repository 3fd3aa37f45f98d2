"""account hygiene: API tokens die with their credentials; forced password change; throttle

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 17:00:00

API tokens carry the token generation of their user, so a password or role change, disabling
or deleting the user revokes them like access tokens and sessions.  Tokens made before this
migration take their user's current generation: they keep working until the next such change.

A user may be made to choose a new password at the next login (an administrator's reset).

Failed logins are counted per username, per client address and per the two together, so the
throttle is keyed by a general key instead of the username.  Its rows only slow guessing
for a few minutes, so the table is made anew and earlier failures are forgotten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE api_token SET token_generation = (SELECT user_account.token_generation "
        "FROM user_account WHERE user_account.id = api_token.user_id)"
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column("token_generation", server_default=None)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("must_change_password", server_default=None)
    op.drop_table("login_throttle")
    _create_throttle("throttle_key", 400)


def downgrade() -> None:
    op.drop_table("login_throttle")
    _create_throttle("username", 256)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("token_generation")


def _create_throttle(key: str, length: int) -> None:
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(key, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint(key, name=op.f(f"uq_login_throttle_{key}")),
    )
