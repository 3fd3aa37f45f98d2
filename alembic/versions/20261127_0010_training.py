"""training: programmes, courses, sessions, enrolments, attendance, assessments, competence
records and RR tests

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 07:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_programme",
        sa.Column("name_fi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_programme")),
        sa.UniqueConstraint("code", name=op.f("uq_training_programme_code")),
    )
    op.create_table(
        "training_course",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("title_fi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("compulsory", sa.Boolean(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["training_programme.id"],
            name=op.f("fk_training_course_programme_id_training_programme"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_course")),
        sa.UniqueConstraint("programme_id", "code", name=op.f("uq_training_course_programme_id")),
    )
    with op.batch_alter_table("training_course", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_course_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "training_enrolment",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("participant_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completion_confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "completion_confirmed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["completion_confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_training_enrolment_completion_confirmed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_training_enrolment_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["training_programme.id"],
            name=op.f("fk_training_enrolment_programme_id_training_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_training_enrolment_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_enrolment")),
    )
    with op.batch_alter_table("training_enrolment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_enrolment_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_enrolment_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_enrolment_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "training_session",
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=True),
        sa.Column("trainer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_course.id"],
            name=op.f("fk_training_session_course_id_training_course"),
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["user_account.id"],
            name=op.f("fk_training_session_trainer_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
    )
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_session_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "rr_test",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("design", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("method_id", sa.Integer(), nullable=True),
        sa.Column("equipment_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("enrolment_id", sa.Integer(), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("acceptance", sa.JSON(), nullable=False),
        sa.Column("grr_percent", sa.Float(), nullable=True),
        sa.Column("ndc", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("outcome_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["training_enrolment.id"],
            name=op.f("fk_rr_test_enrolment_id_training_enrolment"),
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"], ["equipment.id"], name=op.f("fk_rr_test_equipment_id_equipment")
        ),
        sa.ForeignKeyConstraint(
            ["method_id"], ["method.id"], name=op.f("fk_rr_test_method_id_method")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_rr_test_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_rr_test_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rr_test")),
        sa.UniqueConstraint("number", name=op.f("uq_rr_test_number")),
    )
    with op.batch_alter_table("rr_test", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rr_test_equipment_id"), ["equipment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rr_test_method_id"), ["method_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rr_test_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "training_assessment",
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=True),
        sa.Column("assessor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessor_id"],
            ["user_account.id"],
            name=op.f("fk_training_assessment_assessor_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_course.id"],
            name=op.f("fk_training_assessment_course_id_training_course"),
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["training_enrolment.id"],
            name=op.f("fk_training_assessment_enrolment_id_training_enrolment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_assessment")),
    )
    with op.batch_alter_table("training_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_assessment_enrolment_id"), ["enrolment_id"], unique=False
        )

    op.create_table(
        "training_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["training_enrolment.id"],
            name=op.f("fk_training_attendance_enrolment_id_training_enrolment"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_attendance_session_id_training_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendance")),
        sa.UniqueConstraint(
            "enrolment_id", "session_id", name=op.f("uq_training_attendance_enrolment_id")
        ),
    )
    with op.batch_alter_table("training_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_attendance_enrolment_id"), ["enrolment_id"], unique=False
        )

    op.create_table(
        "competence_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=True),
        sa.Column("rr_test_id", sa.Integer(), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("achieved_on", sa.Date(), nullable=False),
        sa.Column("supports_authorisation", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["training_enrolment.id"],
            name=op.f("fk_competence_record_enrolment_id_training_enrolment"),
        ),
        sa.ForeignKeyConstraint(
            ["rr_test_id"], ["rr_test.id"], name=op.f("fk_competence_record_rr_test_id_rr_test")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_competence_record_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competence_record")),
    )
    with op.batch_alter_table("competence_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competence_record_user_id"), ["user_id"], unique=False)

    op.create_table(
        "rr_test_measurer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rr_test_id", sa.Integer(), nullable=False),
        sa.Column("operator_label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["rr_test_id"], ["rr_test.id"], name=op.f("fk_rr_test_measurer_rr_test_id_rr_test")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_rr_test_measurer_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rr_test_measurer")),
        sa.UniqueConstraint(
            "rr_test_id", "operator_label", name=op.f("uq_rr_test_measurer_rr_test_id")
        ),
    )
    with op.batch_alter_table("rr_test_measurer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rr_test_measurer_rr_test_id"), ["rr_test_id"], unique=False
        )
    # Training certificates and RR-test reports are documents about these records.
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enrolment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rr_test_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_document_enrolment_id"), ["enrolment_id"])
        batch_op.create_index(batch_op.f("ix_document_rr_test_id"), ["rr_test_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_document_enrolment_id_training_enrolment"),
            "training_enrolment",
            ["enrolment_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_document_rr_test_id_rr_test"), "rr_test", ["rr_test_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_document_rr_test_id_rr_test"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_document_enrolment_id_training_enrolment"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_document_rr_test_id"))
        batch_op.drop_index(batch_op.f("ix_document_enrolment_id"))
        batch_op.drop_column("rr_test_id")
        batch_op.drop_column("enrolment_id")
    with op.batch_alter_table("rr_test_measurer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rr_test_measurer_rr_test_id"))

    op.drop_table("rr_test_measurer")
    with op.batch_alter_table("competence_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competence_record_user_id"))

    op.drop_table("competence_record")
    with op.batch_alter_table("training_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_attendance_enrolment_id"))

    op.drop_table("training_attendance")
    with op.batch_alter_table("training_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_assessment_enrolment_id"))

    op.drop_table("training_assessment")
    with op.batch_alter_table("rr_test", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rr_test_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_rr_test_method_id"))
        batch_op.drop_index(batch_op.f("ix_rr_test_equipment_id"))

    op.drop_table("rr_test")
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_session_course_id"))

    op.drop_table("training_session")
    with op.batch_alter_table("training_enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_enrolment_user_id"))
        batch_op.drop_index(batch_op.f("ix_training_enrolment_programme_id"))
        batch_op.drop_index(batch_op.f("ix_training_enrolment_organisation_id"))

    op.drop_table("training_enrolment")
    with op.batch_alter_table("training_course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_course_programme_id"))

    op.drop_table("training_course")
    op.drop_table("training_programme")
