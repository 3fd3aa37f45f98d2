"""records: on PostgreSQL, records inside their retention period cannot be deleted

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 09:00:00

The rule is ``lims.records.retention``'s, written out here so the migration stays as it was
when it ran: a job's records count from the job's last step, equipment's from its last entry
(or a calibration's due date), every other kept record from the latest of its own dates.
The period is the session setting ``lims.retention_years``, which the application sets from
``LIMS_RETENTION_YEARS`` on each connection; any other session gets ten years.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSE_DELETING_KEPT_RECORD = """
CREATE FUNCTION refuse_deleting_kept_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    years integer := coalesce(
        nullif(current_setting('lims.retention_years', true), '')::integer, 10);
    old_row jsonb := to_jsonb(OLD);
    last_activity timestamptz;
    argument_index integer;
BEGIN
    IF TG_ARGV[0] = 'job' THEN
        SELECT greatest(
                j.created_at,
                (SELECT max(t.at) FROM job_transition t WHERE t.job_id = j.id))
            INTO last_activity
            FROM job j WHERE j.id = (old_row ->> TG_ARGV[1])::integer;
    ELSIF TG_ARGV[0] = 'equipment' THEN
        SELECT greatest(
                e.created_at,
                (SELECT max(c.next_due_on)::timestamptz FROM calibration c
                    WHERE c.equipment_id = e.id),
                (SELECT max(c.recorded_at) FROM calibration c WHERE c.equipment_id = e.id),
                (SELECT max(i.recorded_at) FROM intermediate_check i
                    WHERE i.equipment_id = e.id),
                (SELECT max(l.recorded_at) FROM equipment_log_entry l
                    WHERE l.equipment_id = e.id))
            INTO last_activity
            FROM equipment e WHERE e.id = (old_row ->> TG_ARGV[1])::integer;
    ELSE
        FOR argument_index IN 1 .. TG_NARGS - 1 LOOP
            last_activity := greatest(
                last_activity, (old_row ->> TG_ARGV[argument_index])::timestamptz);
        END LOOP;
    END IF;
    IF last_activity IS NULL OR last_activity > now() - make_interval(years => years) THEN
        RAISE EXCEPTION
            '% % is a record inside its retention period (% years): it cannot be deleted',
            TG_TABLE_NAME, old_row ->> 'id', years
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$
"""
REFUSE_TRUNCATING_KEPT_RECORDS = """
CREATE FUNCTION refuse_truncating_kept_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% holds records kept for their retention period: TRUNCATE refused',
        TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$
"""
# table -> the trigger's arguments: how the table's rows count their retention period.
KEPT_TABLES = {
    "job": ("job", "id"),
    "item": ("job", "job_id"),
    "characteristic": ("job", "job_id"),
    "result": ("job", "job_id"),
    "customer_value": ("job", "job_id"),
    "job_transition": ("job", "job_id"),
    "document": ("dates", "issued_at", "withdrawn_at"),
    "agreement": ("dates", "created_at", "valid_until", "terminated_on", "superseded_at"),
    "confidentiality_clause": ("dates", "created_at", "effective_from"),
    "quotation": ("dates", "created_at", "valid_until", "accepted_on"),
    "customer_order": ("dates", "created_at", "ordered_on", "delivery_date"),
    "price_model": ("dates", "created_at"),
    "price_list": ("dates", "created_at", "published_at"),
    "equipment": ("equipment", "id"),
    "calibration": ("equipment", "equipment_id"),
    "intermediate_check": ("equipment", "equipment_id"),
    "equipment_log_entry": ("equipment", "equipment_id"),
    "method": ("dates", "created_at", "accredited_until", "validated_on"),
    "authorisation": ("dates", "recorded_at", "granted_on", "valid_until", "withdrawn_on"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(REFUSE_DELETING_KEPT_RECORD)
    op.execute(REFUSE_TRUNCATING_KEPT_RECORDS)
    for table, arguments in KEPT_TABLES.items():
        quoted = ", ".join(f"'{argument}'" for argument in arguments)
        op.execute(
            f'CREATE TRIGGER {table}_kept_in_retention BEFORE DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION refuse_deleting_kept_record({quoted})"
        )
        op.execute(
            f'CREATE TRIGGER {table}_no_truncate_in_retention BEFORE TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncating_kept_records()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in KEPT_TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS {table}_kept_in_retention ON "{table}"')
        op.execute(f'DROP TRIGGER IF EXISTS {table}_no_truncate_in_retention ON "{table}"')
    op.execute("DROP FUNCTION IF EXISTS refuse_deleting_kept_record()")
    op.execute("DROP FUNCTION IF EXISTS refuse_truncating_kept_records()")
