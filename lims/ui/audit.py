"""The auditor's view: the history of any record, and the verification of the audit chain.

A record is asked for by what people call it (TY-2026-0004, KT-2026-0003-R1, an equipment's
identification) or as ``type:id``; its changes read as fields in the page's language, people
by name, and dates, numbers and enumerated values in the page's notation.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Table
from sqlmodel import Session, col, select
from sqlmodel.main import default_registry

from lims.accounts.models import Organisation, User
from lims.api.deps import SessionDep, SettingsDep
from lims.audit.checkpoints import read_checkpoints
from lims.audit.models import AuditEvent
from lims.contracts.models import Agreement
from lims.i18n import N_
from lims.jobs.models import Job
from lims.records import audit_trail
from lims.ui.session import PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)
#: Records with a page of their own, for links from their history.
PAGES = {
    "job": "/jobs/{}",
    "equipment": "/equipment/{}",
    "method": "/methods/{}",
    "agreement": "/agreements/{}",
    "quotation": "/quotations/{}",
    "price_list": "/price-lists/{}",
}


#: The fields people read in a history, in their words; any other shows its code name.
FIELD_LABELS = {
    "status": N_("Status"),
    "state": N_("Status"),
    "from_status": N_("From status"),
    "to_status": N_("To status"),
    "held_from": N_("Held from status"),
    "kind": N_("Kind"),
    "number": N_("Number"),
    "title": N_("Title"),
    "name": N_("Name"),
    "full_name": N_("Name"),
    "description": N_("Description"),
    "identification": N_("Identification"),
    "serial_number": N_("Serial number"),
    "manufacturer": N_("Manufacturer"),
    "model": N_("Model"),
    "customer_reference": N_("Customer reference"),
    "organisation_id": N_("Customer"),
    "job_id": N_("Job"),
    "agreement_id": N_("Agreement"),
    "order_id": N_("Order"),
    "due_date": N_("Due date"),
    "requested_delivery": N_("Requested delivery"),
    "priority": N_("Priority"),
    "agreed_price": N_("Agreed price"),
    "requested_by_id": N_("Requested by"),
    "assigned_to_id": N_("Assigned to"),
    "received_by_id": N_("Received by"),
    "measured_by_id": N_("Measured by"),
    "reviewed_by_id": N_("Reviewed by"),
    "reviewed_at": N_("Reviewed at"),
    "approved_by_id": N_("Approved by"),
    "approved_at": N_("Approved at"),
    "voided_by_id": N_("Voided by"),
    "by_id": N_("By"),
    "user_id": N_("User"),
    "reason": N_("Reason"),
    "created_at": N_("Created"),
    "received_on": N_("Received on"),
    "condition": N_("Condition"),
    "condition_remarks": N_("Remarks on condition"),
    "dispatched_on": N_("Dispatched on"),
    "measured_on": N_("Measured on"),
    "nominal": N_("Nominal"),
    "unit": N_("Unit"),
    "temperature": N_("Temperature"),
    "humidity": N_("Humidity"),
    "decision": N_("Decision"),
    "language": N_("Language"),
    "revision": N_("Revision"),
    "issued_at": N_("Issued"),
    "issued_by": N_("Issued by"),
    "withdrawn_at": N_("Withdrawn at"),
    "withdrawal_reason": N_("Reason for withdrawal"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
    "calibrated_on": N_("Calibrated on"),
    "next_due_on": N_("Next calibration due"),
}
#: The kinds of record people ask for by number, in their words for the history's heading.
RECORD_KINDS = {
    "job": N_("Job"),
    "document": N_("Document"),
    "equipment": N_("Equipment"),
    "agreement": N_("Agreement"),
    "quotation": N_("Quotation"),
    "method": N_("Method"),
}
#: Enumerated fields, by record type (``*`` for any), and the label group of their values.
VALUE_LABELS = {
    ("job", "status"): "job_status",
    ("job", "held_from"): "job_status",
    ("job", "kind"): "job_kind",
    ("job_transition", "from_status"): "job_status",
    ("job_transition", "to_status"): "job_status",
    ("document", "state"): "document_state",
    ("document", "kind"): "document_kind",
    ("item", "kind"): "item_kind",
    ("equipment", "status"): "equipment_status",
    ("*", "priority"): "priority",
    ("*", "condition"): "condition",
    ("*", "decision"): "decision",
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class Value:
    """One side of a change, as the template shows it: ``how`` names the filter or label
    (missing, person, organisation, job, agreement, label, day, moment, number, flag, text,
    data)."""

    how: str
    value: Any = None
    group: str = ""


@dataclass(frozen=True)
class Change:
    field: str
    label: str | None
    before: Value
    after: Value


def _is_person(field: str) -> bool:
    return field.endswith("_by_id") or field in {"by_id", "user_id", "assigned_to_id"}


def _value(entity_type: str, field: str, value: Any) -> Value:
    if value is None:
        return Value("missing")
    group = VALUE_LABELS.get((entity_type, field)) or VALUE_LABELS.get(("*", field))
    if group and isinstance(value, str):
        return Value("label", value, group)
    if isinstance(value, bool):
        return Value("flag", value)
    if isinstance(value, int) and _is_person(field):
        return Value("person", value)
    if isinstance(value, int) and field in {"organisation_id", "job_id", "agreement_id"}:
        return Value(field.removesuffix("_id"), value)
    if isinstance(value, int | float):
        return Value("number", value)
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return Value("day", date.fromisoformat(value))
        except ValueError:
            return Value("text", value)
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            return Value("moment", datetime.fromisoformat(value))
        except ValueError:
            return Value("text", value)
    if isinstance(value, str):
        return Value("text", value)
    return Value("data", value)


def readable_changes(entity_type: str, events: Iterable[AuditEvent]) -> dict[int, list[Change]]:
    """Each event's changes, field by field in a stable order, shaped for the page."""
    return {
        event.id or 0: [
            Change(
                field=field,
                label=FIELD_LABELS.get(field),
                before=_value(entity_type, field, before),
                after=_value(entity_type, field, after),
            )
            for field, (before, after) in sorted(event.changes.items())
            # The record's own id: its heading names the record (by number where it has one).
            if field != "id"
        ]
        for event in events
    }


def names_in(
    db_session: Session, events: list[AuditEvent], changes: dict[int, list[Change]]
) -> dict[str, dict[int, str]]:
    """The names of the people (who acted, and whom the changes name), customers' names and
    jobs' and agreements' numbers the changes refer to by id: one query for each, however
    many events."""
    wanted: dict[str, set[int]] = {
        "person": {event.actor_id for event in events if event.actor_id is not None},
        "organisation": set(),
        "job": set(),
        "agreement": set(),
    }
    for event_changes in changes.values():
        for change in event_changes:
            for side in (change.before, change.after):
                if side.how in wanted:
                    wanted[side.how].add(side.value)
    return {
        "person": _names(db_session, User.id, User.full_name, wanted["person"]),
        "organisation": _names(
            db_session, Organisation.id, Organisation.name, wanted["organisation"]
        ),
        "job": _names(db_session, Job.id, Job.number, wanted["job"]),
        "agreement": _names(db_session, Agreement.id, Agreement.number, wanted["agreement"]),
    }


def _names(db_session: Session, key: Any, name: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        int(id_): text for id_, text in db_session.exec(select(key, name).where(col(key).in_(ids)))
    }


def audited_types() -> list[str]:
    """The tables whose changes the audit trail records (their ``__audited__`` mark)."""
    names = []
    for mapper in default_registry.mappers:
        table = mapper.local_table
        if getattr(mapper.class_, "__audited__", False) and isinstance(table, Table):
            names.append(table.name)
    return sorted(names)


@router.get("/audit", response_class=HTMLResponse)
def audit_view(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    settings: SettingsDep,
    entity: Annotated[str | None, Query(max_length=130)] = None,
) -> Response:
    audit_trail.require_reader(viewer.principal)
    found = (
        audit_trail.find_record(db_session, actor=viewer.principal, text=entity) if entity else None
    )
    events = (
        audit_trail.history(
            db_session, actor=viewer.principal, entity_type=found[0], entity_id=found[1]
        )
        if found
        else []
    )
    changes = readable_changes(found[0], events) if found else {}
    record_page = PAGES.get(found[0], "").format(found[1]) if found else ""
    record_number = (
        audit_trail.number_of(db_session, entity_type=found[0], entity_id=found[1])
        if found
        else None
    )
    return page(
        request,
        viewer,
        "audit.html",
        # The box shows what people call the record: its number, not its type:id code.
        entity=record_number or entity or "",
        entity_type=found[0] if found else "",
        entity_id=found[1] if found else "",
        malformed=bool(entity) and not found,
        events=events,
        changes=changes,
        names=names_in(db_session, events, changes),
        record_kind=RECORD_KINDS.get(found[0]) if found else None,
        record_number=record_number,
        record_page=record_page,
        types=audited_types(),
        # Newest first, for the quality manager to compare with the paper record.
        checkpoints=read_checkpoints(settings.resolved_audit_checkpoint_log)[:-6:-1],
    )
