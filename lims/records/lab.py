"""The lab's own records behind a job, for staff and auditors only: the equipment used with
the calibration valid on each measurement day and its traceability chain, the methods and
their versions, and the people who measured, reviewed, approved and issued with their
authorisations on those days.

None of this goes into a customer's bundle: the customer's certificate states the equipment,
traceability and signatory it may know, and nothing more.
"""

import posixpath
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from lims.accounts.models import User
from lims.accounts.principal import Principal
from lims.competence.models import Activity, Authorisation
from lims.db import persisted_id
from lims.equipment.models import Calibration, Equipment
from lims.equipment.service import (
    ENVIRONMENT_ROLE,
    latest_calibration,
    list_checks,
    list_log,
    status_of,
)
from lims.equipment.traceability import chain_of
from lims.jobs.models import JobStatus
from lims.methods.models import Method
from lims.records.collect import JobRecords, StoredFileRef, as_record, safe_name

CERTIFICATES_FOLDER = "laboratory/certificates"


def certificate_path(equipment: Equipment, calibration: Calibration) -> str:
    name = safe_name(calibration.certificate_filename or f"{calibration.certificate_number}.pdf")
    return posixpath.join(
        CERTIFICATES_FOLDER, safe_name(equipment.identification), f"{calibration.id}-{name}"
    )


def add_lab_sections(
    db_session: Session, records: JobRecords, *, actor: Principal, timezone: str
) -> list[StoredFileRef]:
    """Equipment, methods and staff of the job; the calibration certificates to include."""
    certificates: list[StoredFileRef] = []
    records.sections["equipment"] = _equipment(db_session, records, actor, certificates)
    _environment_instruments(db_session, records)
    records.sections["methods"] = _methods(db_session, records)
    records.sections["staff"] = _staff(db_session, records, timezone)
    return certificates


# -- equipment --------------------------------------------------------------------------------


def _equipment(
    db_session: Session,
    records: JobRecords,
    actor: Principal,
    certificates: list[StoredFileRef],
) -> list[dict[str, Any]]:
    """Each item of equipment on each day it was used, as it stood that day."""
    uses: dict[tuple[int, date], dict[str, Any]] = {}
    for result in records.results:
        for role, equipment_id in sorted(result.equipment.items()):
            use = uses.setdefault(
                (equipment_id, result.measured_on), {"roles": set(), "results": []}
            )
            use["roles"].add(role)
            use["results"].append(result.id)
    listed = []
    for (equipment_id, day), use in sorted(uses.items()):
        equipment = db_session.get(Equipment, equipment_id)
        if equipment is None:
            continue
        chain = chain_of(db_session, actor=actor, equipment_id=equipment_id, on_date=day)
        links = []
        for link in chain.links:
            calibration = _calibration_on(db_session, records, link.equipment_id, day)
            link_entry = link.model_dump(mode="json")
            link_entry["certificate_file"] = _certificate_file(
                db_session, records, calibration, certificates
            )
            links.append(link_entry)
        calibration = _calibration_on(db_session, records, equipment_id, day)
        status = status_of(db_session, equipment=equipment, on_date=day)
        certificate = _certificate_file(db_session, records, calibration, certificates)
        if calibration is not None and certificate is None:
            records.gaps.append(_certificate_gap(equipment, calibration, day))
        listed.append(
            {
                "equipment": as_record(equipment),
                "used_on": day.isoformat(),
                "roles": sorted(use["roles"]),
                "result_ids": use["results"],
                "status_on_day": {"status": status.status.value, "reason": status.reason},
                "calibration_on_day": as_record(calibration) if calibration else None,
                "certificate_file": certificate,
                **_checks_and_log(db_session, records, actor, equipment_id, calibration, day),
                "traceability": {**chain.model_dump(mode="json"), "links": links},
            }
        )
    return listed


def _certificate_gap(equipment: Equipment, calibration: Calibration, day: date) -> dict[str, Any]:
    return {
        "kind": "certificate_missing",
        "equipment": equipment.identification,
        "calibration_id": calibration.id,
        "certificate_number": calibration.certificate_number,
        "to_follow": calibration.certificate_to_follow,
        "used_on": day.isoformat(),
        "what": f"the certificate file of calibration {calibration.certificate_number} of "
        f"{equipment.identification} is not recorded",
    }


def _checks_and_log(
    db_session: Session,
    records: JobRecords,
    actor: Principal,
    equipment_id: int,
    calibration: Calibration | None,
    day: date,
) -> dict[str, Any]:
    """The intermediate checks and log entries (maintenance, damage, repair) that stand behind
    the item on ``day``: those since the calibration valid that day up to the day, and the
    first check after it, which shows the item still held when it was next checked."""
    since = calibration.calibrated_on if calibration else date.min
    checks = list_checks(db_session, actor=actor, equipment_id=equipment_id)
    during = [check for check in checks if since <= check.checked_on <= day]
    after = next((check for check in checks if check.checked_on > day), None)
    log = [
        entry
        for entry in list_log(db_session, actor=actor, equipment_id=equipment_id)
        if since <= entry.happened_on <= day
    ]
    records.involve("intermediate_check", *(check.id for check in during))
    records.involve("intermediate_check", after.id if after else None)
    records.involve("equipment_log_entry", *(entry.id for entry in log))
    return {
        "intermediate_checks": [as_record(check) for check in during],
        "next_check_after_use": as_record(after) if after else None,
        "log_entries": [as_record(entry) for entry in log],
    }


def _environment_instruments(db_session: Session, records: JobRecords) -> None:
    """Each result's room conditions with the instrument that measured them and its status
    on the day; a result without one is a gap (results recorded before it was asked)."""
    by_result = {result.id: result for result in records.results}
    for entry in records.sections.get("environment", []):
        result = by_result[entry["result_id"]]
        equipment_id = result.equipment.get(ENVIRONMENT_ROLE)
        equipment = db_session.get(Equipment, equipment_id) if equipment_id else None
        if equipment is None:
            entry["instrument"] = None
            records.gaps.append(
                {
                    "kind": "environment_instrument_not_recorded",
                    "result_id": result.id,
                    "what": f"the instrument that measured the room's conditions of result "
                    f"{result.id} is not recorded",
                }
            )
            continue
        status = status_of(db_session, equipment=equipment, on_date=result.measured_on)
        calibration = latest_calibration(
            db_session, equipment_id=persisted_id(equipment), on_date=result.measured_on
        )
        entry["instrument"] = {
            "equipment_id": equipment.id,
            "identification": equipment.identification,
            "name": equipment.name,
            "kind": equipment.kind,
            "status_on_day": {"status": status.status.value, "reason": status.reason},
            "calibration_certificate": calibration.certificate_number if calibration else None,
            "calibration_due_on": calibration.next_due_on.isoformat() if calibration else None,
        }


def _calibration_on(
    db_session: Session, records: JobRecords, equipment_id: int, day: date
) -> Calibration | None:
    records.involve("equipment", equipment_id)
    calibration = latest_calibration(db_session, equipment_id=equipment_id, on_date=day)
    if calibration is not None:
        records.involve("calibration", calibration.id)
    return calibration


def _certificate_file(
    db_session: Session,
    records: JobRecords,
    calibration: Calibration | None,
    certificates: list[StoredFileRef],
) -> str | None:
    """The certificate's path relative to the job's folder, queued once for the bundle."""
    if calibration is None or calibration.certificate_sha256 is None:
        return None
    equipment = db_session.get_one(Equipment, calibration.equipment_id)
    path = certificate_path(equipment, calibration)
    if all(ref.path != path for ref in certificates):
        certificates.append(
            StoredFileRef(path, calibration.certificate_sha256, f"calibration:{calibration.id}")
        )
    return posixpath.relpath(path, records.folder)


# -- methods ----------------------------------------------------------------------------------


def _methods(db_session: Session, records: JobRecords) -> list[dict[str, Any]]:
    """Every method of the plan, at its version, and whether it was in scope each day used."""
    days: dict[int, set[date]] = defaultdict(set)
    characteristic_method = {c.id: c.method_id for c in records.characteristics}
    for result in records.results:
        method_id = characteristic_method.get(result.characteristic_id)
        if method_id is not None:
            days[method_id].add(result.measured_on)
    method_ids = sorted({c.method_id for c in records.characteristics if c.method_id})
    records.involve("method", *method_ids)
    listed = []
    for method_id in method_ids:
        method = db_session.get_one(Method, method_id)
        listed.append(
            {
                **as_record(method),
                "label": method.label(),
                "in_accredited_scope_on": {
                    day.isoformat(): method.in_scope_on(day) for day in sorted(days[method_id])
                },
            }
        )
    return listed


# -- staff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Act:
    """One thing a person did on the job that needs an authorisation for a method."""

    user_id: int
    activity: Activity
    method_id: int
    on: date
    what: str
    at: datetime | None = None


#: The job's steps that are staff acts needing an authorisation: every review and every
#: approval, each time the job passed through it (a job sent back is reviewed again).
SIGN_OFF_STEPS = {
    JobStatus.REVIEWED: (Activity.REVIEW, "reviewed the job"),
    JobStatus.APPROVED: (Activity.SIGN, "approved the job"),
}


def _acts(records: JobRecords, timezone: str) -> list[Act]:
    zone = ZoneInfo(timezone)
    characteristic_method = {c.id: c.method_id for c in records.characteristics}
    acts = []
    for result in records.results:
        method_id = characteristic_method.get(result.characteristic_id)
        if method_id is not None:
            acts.append(
                Act(
                    result.measured_by_id,
                    Activity.PERFORM,
                    method_id,
                    result.measured_on,
                    f"measured result {result.id}",
                    result.recorded_at,
                )
            )
    methods = sorted({act.method_id for act in acts})
    sign_offs: list[tuple[int | None, Activity, datetime | None, str]] = []
    for step in records.transitions:
        if step.to_status in SIGN_OFF_STEPS:
            activity, what = SIGN_OFF_STEPS[JobStatus(step.to_status)]
            sign_offs.append((step.by_id, activity, step.at, what))
    sign_offs += [
        (
            document.issued_by_id,
            Activity.SIGN,
            document.issued_at,
            f"issued {document.number}"
            + (f" (revision {document.revision})" if document.revision else ""),
        )
        for document in records.documents
    ]
    for user_id, activity, at, what in sign_offs:
        if user_id is None or at is None:
            continue
        acts += [
            Act(user_id, activity, method_id, at.astimezone(zone).date(), what, at)
            for method_id in methods
        ]
    return acts


def _staff(db_session: Session, records: JobRecords, timezone: str) -> list[dict[str, Any]]:
    """The people behind the job, each act with the authorisations valid on its day."""
    acts = _acts(records, timezone)
    labels = {
        method.id: method.label()
        for method in db_session.exec(
            select(Method).where(col(Method.id).in_({act.method_id for act in acts}))
        )
    }
    listed = []
    for user_id in sorted({act.user_id for act in acts}):
        user = db_session.get(User, user_id)
        if user is None:
            continue
        methods = sorted({act.method_id for act in acts if act.user_id == user_id})
        authorisations = db_session.exec(
            select(Authorisation)
            .where(Authorisation.user_id == user_id, col(Authorisation.method_id).in_(methods))
            .order_by(col(Authorisation.id))
        ).all()
        records.involve("user_account", user_id)
        records.involve("authorisation", *(a.id for a in authorisations))
        listed.append(
            {
                "user": {
                    "id": user.id,
                    "username": user.username,
                    "full_name": user.full_name,
                    "roles": sorted(user.roles),
                    "active": user.active,
                },
                "acts": [
                    _act_entry(act, authorisations, labels)
                    for act in acts
                    if act.user_id == user_id
                ],
                "authorisations": [as_record(a) for a in authorisations],
            }
        )
    return listed


def _act_entry(
    act: Act, authorisations: Sequence[Authorisation], labels: dict[int | None, str]
) -> dict[str, Any]:
    valid = [
        a.id
        for a in authorisations
        if a.method_id == act.method_id and a.activity == act.activity and a.valid_on(act.on)
    ]
    return {
        "what": act.what,
        "activity": act.activity.value,
        "method_id": act.method_id,
        "method": labels.get(act.method_id, str(act.method_id)),
        "on": act.on.isoformat(),
        "at": act.at.isoformat() if act.at else None,
        "authorised": bool(valid),
        "valid_authorisation_ids": valid,
    }
