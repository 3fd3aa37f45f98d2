"""contract reviews: what the lab checked before taking on an agreement, an order or a job

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    string = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "contract_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("subject", string(length=16), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("covered_by_id", sa.Integer(), nullable=True),
        sa.Column("requirements_understood", sa.Boolean(), nullable=False),
        sa.Column("requirements_note", string(length=2000), nullable=True),
        sa.Column("capability", sa.Boolean(), nullable=False),
        sa.Column("capability_note", string(length=2000), nullable=True),
        sa.Column("methods", string(length=1000), nullable=False),
        sa.Column("method_appropriate", sa.Boolean(), nullable=False),
        sa.Column("method_note", string(length=2000), nullable=True),
        sa.Column("conformity_requested", sa.Boolean(), nullable=False),
        sa.Column("decision_rule", string(length=32), nullable=True),
        sa.Column("decision_rule_text", string(length=2000), nullable=True),
        sa.Column("decision_rule_agreed", sa.Boolean(), nullable=True),
        sa.Column("decision_rule_note", string(length=2000), nullable=True),
        sa.Column("subcontracting", string(length=2000), nullable=True),
        sa.Column("subcontractor", string(length=200), nullable=True),
        sa.Column("subcontracting_approved_by", string(length=200), nullable=True),
        sa.Column("deviations", string(length=2000), nullable=True),
        sa.Column("deviation_agreed_by", string(length=200), nullable=True),
        sa.Column("deviation_agreed_on", sa.Date(), nullable=True),
        sa.Column("deviation_agreed_how", string(length=200), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_by", string(length=100), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_contract_review_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_contract_review_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_contract_review_order_id_customer_order"),
        ),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_contract_review_job_id_job")),
        sa.ForeignKeyConstraint(
            ["covered_by_id"],
            ["contract_review.id"],
            name=op.f("fk_contract_review_covered_by_id_contract_review"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user_account.id"],
            name=op.f("fk_contract_review_reviewed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_review")),
        sa.UniqueConstraint("agreement_id", name=op.f("uq_contract_review_agreement_id")),
        sa.UniqueConstraint("order_id", name=op.f("uq_contract_review_order_id")),
        sa.UniqueConstraint("job_id", name=op.f("uq_contract_review_job_id")),
    )
    with op.batch_alter_table("contract_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_review_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contract_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_review_organisation_id"))
    op.drop_table("contract_review")
