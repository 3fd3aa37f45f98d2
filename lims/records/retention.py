"""Retention (ISO/IEC 17025 8.4.2): records are kept for ``LIMS_RETENTION_YEARS`` after
their last activity, and none inside that period can be deleted.

Why ten years by default: ISO/IEC 17025 leaves the period to the laboratory, its contracts
and the law.  Ten years covers every period that applies to this lab's records: more than
two accreditation cycles (an assessor looks back to the previous reassessment), the
Finnish Accounting Act's ten years for books and financial statements (agreements,
quotations and orders are such evidence), and the ten years after which the EU Product
Liability Directive extinguishes claims (a B1 measurement of a product may be evidence in
one).  A lab that agrees a longer period with a customer or FINAS raises the setting.

When a record's period starts: a job's records (the job, its items, plan, results,
customer values and steps) count from the job's last step; equipment and its calibrations,
checks and log from the equipment's last entry (or a calibration's due date, if later);
every other kept record from the latest of its own dates (an agreement's end, a
document's issue or withdrawal, an authorisation's end or withdrawal).

Where it is enforced: an ORM hook refuses the deletion of a kept record inside its period
by any service (``Conflict``, naming the record and the day it may go), and refuses bulk
ORM deletes of kept tables outright, since those bypass the per-record check.  On
PostgreSQL a trigger (migration 0011) applies the same rule to any DELETE, including
plain SQL, and refuses TRUNCATE; connections made through :func:`keep_records` tell it the
configured period, other connections get the default of ten years.  On SQLite the file
can be edited behind the application's back, as with the audit trail.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine, Table, event, func, select
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel

from lims.db import utcnow
from lims.errors import Conflict

DEFAULT_RETENTION_YEARS = 10
_CONNECTION_KEY = "retention_years"
_POSTGRES_SETTING = "lims.retention_years"


@dataclass(frozen=True)
class KeptBy:
    """How a kept table's rows count their period: by their job, their equipment, or
    their own dates (the latest of ``dates``)."""

    job_column: str | None = None
    equipment_column: str | None = None
    dates: tuple[str, ...] = ()


def _by_job(column: str) -> KeptBy:
    return KeptBy(job_column=column)


def _by_equipment(column: str) -> KeptBy:
    return KeptBy(equipment_column=column)


def _by_dates(*columns: str) -> KeptBy:
    return KeptBy(dates=columns)


#: Every kept table; the PostgreSQL trigger of migration 0011 lists the same.
KEPT_TABLES: dict[str, KeptBy] = {
    "job": _by_job("id"),
    "item": _by_job("job_id"),
    "characteristic": _by_job("job_id"),
    "result": _by_job("job_id"),
    "customer_value": _by_job("job_id"),
    "job_transition": _by_job("job_id"),
    "document": _by_dates("issued_at", "withdrawn_at"),
    "agreement": _by_dates("created_at", "valid_until", "terminated_on", "superseded_at"),
    "confidentiality_clause": _by_dates("created_at", "effective_from"),
    "quotation": _by_dates("created_at", "valid_until", "accepted_on"),
    "customer_order": _by_dates("created_at", "ordered_on", "delivery_date"),
    "price_model": _by_dates("created_at"),
    "price_list": _by_dates("created_at", "published_at"),
    "equipment": _by_equipment("id"),
    "calibration": _by_equipment("equipment_id"),
    "intermediate_check": _by_equipment("equipment_id"),
    "equipment_log_entry": _by_equipment("equipment_id"),
    "method": _by_dates("created_at", "accredited_until", "validated_on"),
    "authorisation": _by_dates("recorded_at", "granted_on", "valid_until", "withdrawn_on"),
}


def keep_records(engine: Engine, years: int) -> None:
    """Give every new connection of ``engine`` the retention period in years."""
    event.listen(engine, "connect", partial(_remember_years, years=years), insert=True)


def _remember_years(dbapi_connection: Any, connection_record: Any, *, years: int) -> None:
    connection_record.info[_CONNECTION_KEY] = years
    if type(dbapi_connection).__module__.startswith("psycopg"):
        # The trigger reads the session setting; set it outside any transaction.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", (_POSTGRES_SETTING, str(years)))
        dbapi_connection.autocommit = autocommit


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_activity(db_session: OrmSession, table: str, row: dict[str, Any]) -> date | None:
    """The day a kept row's retention period starts from (see the module's docstring)."""
    kept_by = KEPT_TABLES[table]
    tables = SQLModel.metadata.tables
    if kept_by.job_column is not None:
        return _latest_of_job(db_session, tables, row[kept_by.job_column])
    if kept_by.equipment_column is not None:
        return _latest_of_equipment(db_session, tables, row[kept_by.equipment_column])
    days = [_day(row.get(column)) for column in kept_by.dates]
    return max((day for day in days if day is not None), default=None)


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    return value


def _latest(db_session: OrmSession, expressions: Sequence[ColumnElement[Any]]) -> date | None:
    connection = db_session.connection()
    days = [_day(connection.execute(select(expression)).scalar()) for expression in expressions]
    return max((day for day in days if day is not None), default=None)


def _latest_of_job(db_session: OrmSession, tables: dict[str, Table], job_id: int) -> date | None:
    job, steps = tables["job"], tables["job_transition"]
    return _latest(
        db_session,
        [
            select(job.c.created_at).where(job.c.id == job_id).scalar_subquery(),
            select(func.max(steps.c.at)).where(steps.c.job_id == job_id).scalar_subquery(),
        ],
    )


def _latest_of_equipment(
    db_session: OrmSession, tables: dict[str, Table], equipment_id: int
) -> date | None:
    equipment, calibration = tables["equipment"], tables["calibration"]
    expressions = [
        select(equipment.c.created_at).where(equipment.c.id == equipment_id).scalar_subquery(),
        select(func.max(calibration.c.next_due_on))
        .where(calibration.c.equipment_id == equipment_id)
        .scalar_subquery(),
    ]
    for name in ("calibration", "intermediate_check", "equipment_log_entry"):
        table = tables[name]
        expressions.append(
            select(func.max(table.c.recorded_at))
            .where(table.c.equipment_id == equipment_id)
            .scalar_subquery()
        )
    return _latest(db_session, expressions)


def retention_years(db_session: OrmSession) -> int:
    return int(db_session.connection().info.get(_CONNECTION_KEY, DEFAULT_RETENTION_YEARS))


def check_deletable(db_session: OrmSession, table: str, row: dict[str, Any]) -> None:
    """Refuse, naming the record and the first day it may go, while it is kept."""
    if table not in KEPT_TABLES:
        return
    years = retention_years(db_session)
    started = last_activity(db_session, table, row)
    kept_until = add_years(started, years) if started is not None else None
    if kept_until is None or kept_until > utcnow().date():
        when = f"until {kept_until}" if kept_until else "while it has no date to count from"
        raise Conflict(
            "%(table)s %(get)s is a record kept %(when)s (retention %(years)s "
            "years, LIMS_RETENTION_YEARS): it cannot be deleted",
            code="records.record_kept_retention_years_lims",
            table=table,
            get=row.get("id"),
            when=when,
            years=years,
        )


def _table_of(instance: object) -> str:
    return str(getattr(type(instance), "__tablename__", ""))


def _refuse_deleting_kept_records(
    db_session: OrmSession, _flush: UOWTransaction, _instances: object
) -> None:
    kept = [instance for instance in db_session.deleted if _table_of(instance) in KEPT_TABLES]
    for instance in kept:
        row = {column.key: getattr(instance, column.key) for column in instance.__table__.columns}
        check_deletable(db_session, _table_of(instance), row)


def _refuse_bulk_deletes(state: ORMExecuteState) -> None:
    if not state.is_delete:
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) in KEPT_TABLES:
        raise Conflict(
            "%(table)s holds records kept for their retention period: delete them "
            "one by one through their service, so that each is checked",
            code="records.holds_records_kept_their_retention",
            table=table.name,
        )


event.listen(OrmSession, "before_flush", _refuse_deleting_kept_records)
event.listen(OrmSession, "do_orm_execute", _refuse_bulk_deletes)
