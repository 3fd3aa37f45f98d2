"""Audited records against their events: a row edited past the application is named.

The hash chain proves the events were not changed; it says nothing about the rows they
describe.  Replaying the trail (an insert sets every field, an update sets the fields it
changed, a delete removes the row, in event order) gives each audited row's state as the
trail knows it; any live row that differs was written without an event: a direct ``UPDATE``
in the database, a restore of an old copy, a migration that rewrote data.

What the replay cannot compare: fields the trail keeps as ``[redacted]`` (password and token
hashes), and fields no event carries (columns added by a later migration to rows written
before it); those are counted, not compared.  A row changed together with a forged event
matches its trail: that is the keyed chain's to catch.
"""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Float, Numeric, Table, select
from sqlalchemy.orm import Mapper
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col
from sqlmodel.main import default_registry

from lims.audit.models import AuditEvent
from lims.audit.trail import jsonable

#: The most differences kept to be shown; the rest are only counted.
SHOWN_DIFFERENCES = 50
_SHOWN_VALUE_CHARS = 80


@dataclass(frozen=True)
class RecordDifference:
    """One audited row (and field) whose live state is not what its events say."""

    table: str
    entity_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table} {self.entity_id}: {self.problem}"


@dataclass
class RecordsCheck:
    """The outcome of comparing every audited row with the replay of its events."""

    events: int = 0
    rows: int = 0
    uncompared_fields: int = 0
    differences: list[RecordDifference] = field(default_factory=list)
    difference_count: int = 0

    @property
    def matching(self) -> bool:
        return self.difference_count == 0

    def add(self, table: str, entity_id: str, problem: str) -> None:
        self.difference_count += 1
        if len(self.differences) < SHOWN_DIFFERENCES:
            self.differences.append(RecordDifference(table, entity_id, problem))


@dataclass
class _TrailState:
    """A row as its events leave it: its fields, or None once deleted."""

    fields: dict[str, Any] | None
    inserted: bool
    last_event_id: int


def audited_tables() -> list[tuple[Table, Mapper[Any]]]:
    """Every table whose changes the trail records (models marked ``__audited__``).

    Only models imported by then are known: callers import ``lims.models`` first.
    """
    found = []
    for mapper in default_registry.mappers:
        table = mapper.local_table
        if getattr(mapper.class_, "__audited__", False) and isinstance(table, Table):
            found.append((table, mapper))
    return sorted(found, key=lambda pair: pair[0].name)


def check_records(connection: Connection, *, batch_size: int = 1000) -> RecordsCheck:
    """Replay the trail in one pass over the events, then read each audited table once.

    ``connection`` must not have read anything yet: the check reads one snapshot.
    """
    _read_one_snapshot(connection)
    tables = audited_tables()
    outcome = RecordsCheck()
    states = _replay(connection, {table.name for table, _ in tables}, batch_size, outcome)
    for table, mapper in tables:
        _compare_table(connection, table, mapper, states.pop(table.name, {}), outcome, batch_size)
    return outcome


def _read_one_snapshot(connection: Connection) -> None:
    """Events and rows as of one moment: on a running service, a change committed between
    reading the events and reading its table would otherwise show as a difference."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    elif connection.dialect.name == "sqlite":
        # pysqlite begins a transaction only before a write; in WAL mode an explicit one keeps
        # the snapshot of its first read until it ends.
        connection.exec_driver_sql("BEGIN")


def _replay(
    connection: Connection, audited: set[str], batch_size: int, outcome: RecordsCheck
) -> dict[str, dict[str, _TrailState]]:
    states: dict[str, dict[str, _TrailState]] = {name: {} for name in audited}
    for event_id, action, entity_type, entity_id, changes in _events(connection, batch_size):
        outcome.events += 1
        rows = states.get(entity_type)
        if rows is None:
            continue  # a table no longer audited
        state = rows.get(entity_id)
        if action == "insert":
            new_values = {name: values[1] for name, values in changes.items()}
            rows[entity_id] = _TrailState(new_values, inserted=True, last_event_id=event_id)
        elif action == "update":
            if state is None or state.fields is None:
                # Changes to a row the trail never inserted (or already deleted).
                state = _TrailState({}, inserted=False, last_event_id=event_id)
                rows[entity_id] = state
            state.fields = {
                **(state.fields or {}),
                **{name: values[1] for name, values in changes.items()},
            }
            state.last_event_id = event_id
        elif action == "delete":
            rows[entity_id] = _TrailState(None, inserted=True, last_event_id=event_id)
    return states


def _events(connection: Connection, batch_size: int) -> Iterator[tuple[int, str, str, str, Any]]:
    """Every event's replayable part, by id, a batch at a time (memory stays flat)."""
    last_id = 0
    while True:
        batch = connection.execute(
            select(
                col(AuditEvent.id),
                col(AuditEvent.action),
                col(AuditEvent.entity_type),
                col(AuditEvent.entity_id),
                col(AuditEvent.changes),
            )
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch_size)
        ).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1][0]


def _compare_table(
    connection: Connection,
    table: Table,
    mapper: Mapper[Any],
    states: dict[str, _TrailState],
    outcome: RecordsCheck,
    batch_size: int,
) -> None:
    attributes = [(attribute.key, attribute.columns[0]) for attribute in mapper.column_attrs]
    keys = [mapper.get_property_by_column(column).key for column in mapper.primary_key]
    redacted = frozenset(getattr(mapper.class_, "__audit_redacted__", ()))
    statement = select(*(column for _, column in attributes)).order_by(*mapper.primary_key)
    rows = connection.execution_options(yield_per=batch_size).execute(statement)
    for row in rows:
        live = dict(zip((key for key, _ in attributes), row, strict=True))
        entity_id = "/".join(str(live[key]) for key in keys)
        outcome.rows += 1
        state = states.pop(entity_id, None)
        if state is None:
            outcome.add(table.name, entity_id, "in the database, but the trail has no event for it")
        elif state.fields is None:
            outcome.add(
                table.name,
                entity_id,
                f"in the database, but the trail deleted it (event {state.last_event_id})",
            )
        else:
            if not state.inserted:
                outcome.add(table.name, entity_id, "the trail changes it but never inserted it")
            _compare_fields(table.name, entity_id, attributes, redacted, state, live, outcome)
    for entity_id, state in states.items():
        if state.fields is not None:
            outcome.add(
                table.name,
                entity_id,
                f"gone from the database, but the trail has it (last event {state.last_event_id})",
            )


def _compare_fields(
    table: str,
    entity_id: str,
    attributes: Sequence[tuple[str, ColumnElement[Any]]],
    redacted: frozenset[str],
    state: _TrailState,
    live: dict[str, Any],
    outcome: RecordsCheck,
) -> None:
    fields = state.fields or {}
    for key, column in attributes:
        if key in redacted or key not in fields:
            outcome.uncompared_fields += 1
            continue
        in_trail, in_database = fields[key], jsonable(live[key])
        if not _same(column, in_trail, in_database):
            outcome.add(
                table,
                entity_id,
                f"{key} is {_shown(in_trail)} per the trail (event {state.last_event_id} or "
                f"before), {_shown(in_database)} in the database",
            )


def _same(column: ColumnElement[Any], in_trail: Any, in_database: Any) -> bool:
    """Equal as the column's type means it: an instant in any offset, 1.50 and 1.5."""
    if in_trail is None or in_database is None:
        return in_trail is None and in_database is None
    column_type = column.type
    try:
        if isinstance(column_type, DateTime):
            return _instant(in_trail) == _instant(in_database)
        if isinstance(column_type, Date):
            return date.fromisoformat(str(in_trail)) == date.fromisoformat(str(in_database))
        if isinstance(column_type, Float):
            return float(in_trail) == float(in_database)
        if isinstance(column_type, Numeric):
            return Decimal(str(in_trail)) == Decimal(str(in_database))
    except (TypeError, ValueError, InvalidOperation):
        return False
    return bool(in_trail == in_database)


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > _SHOWN_VALUE_CHARS:
        return text[: _SHOWN_VALUE_CHARS - 1] + "…"
    return text
