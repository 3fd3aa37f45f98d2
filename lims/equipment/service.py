"""Rules of the equipment register: plain functions over a ``Session``.

The register is lab-internal: staff and auditors read it, the quality manager (or an admin)
changes it, and technicians record intermediate checks and log entries.  Customers are
refused.  Every change is audited in the same transaction.
"""

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from typing import BinaryIO

from sqlmodel import Session, col, select

from lims import units
from lims.accounts.models import STAFF_ROLES, Role
from lims.accounts.principal import Principal, require_role
from lims.audit.trail import save, set_context
from lims.db import persisted_id
from lims.equipment.models import (
    Calibration,
    CalibrationCreate,
    CalibrationKind,
    Equipment,
    EquipmentCreate,
    EquipmentLogEntry,
    EquipmentPublic,
    EquipmentStatus,
    EquipmentUpdate,
    IntermediateCheck,
    IntermediateCheckCreate,
    LogEntryCreate,
)
from lims.equipment.status import (
    CalibrationFacts,
    CalibrationStatus,
    CheckFacts,
    DerivedStatus,
    derive_status,
)
from lims.errors import Conflict, InvalidInput, NotFound
from lims.reasons import Reason
from lims.sniffing import HEAD_BYTES, check_content, check_filename, extension_for
from lims.storage import FileStore

READERS = (*STAFF_ROLES, Role.AUDITOR)
MANAGERS = (Role.ADMIN, Role.QUALITY_MANAGER)
CHECKERS = (*MANAGERS, Role.TECHNICIAN)


def _acting(db_session: Session, actor: Principal) -> None:
    set_context(db_session, actor.audit_context())


def require_reader(actor: Principal) -> None:
    require_role(actor, *READERS, doing="read the equipment register")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th day")


# -- the register ---------------------------------------------------------------------------


def list_equipment(db_session: Session, *, actor: Principal) -> list[Equipment]:
    require_reader(actor)
    return list(db_session.exec(select(Equipment).order_by(col(Equipment.identification))))


def get_equipment(db_session: Session, *, actor: Principal, equipment_id: int) -> Equipment:
    require_reader(actor)
    equipment = db_session.get(Equipment, equipment_id)
    if equipment is None:
        raise NotFound(
            "equipment %(equipment_id)s does not exist",
            code="equipment.equipment_does_exist",
            equipment_id=equipment_id,
        )
    return equipment


def find_equipment(db_session: Session, *, identification: str) -> Equipment | None:
    return db_session.exec(
        select(Equipment).where(Equipment.identification == identification)
    ).first()


def create_equipment(db_session: Session, *, actor: Principal, data: EquipmentCreate) -> Equipment:
    require_role(actor, *MANAGERS, doing="register equipment")
    if find_equipment(db_session, identification=data.identification):
        raise Conflict(
            "equipment %(identification)s is already registered",
            code="equipment.equipment_already_registered",
            identification=data.identification,
        )
    _acting(db_session, actor)
    equipment = Equipment.model_validate(data)
    return save(db_session, actor.audit_context(), equipment)


def update_equipment(
    db_session: Session, *, actor: Principal, equipment_id: int, data: EquipmentUpdate
) -> Equipment:
    require_role(actor, *MANAGERS, doing="change equipment records")
    equipment = get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    _acting(db_session, actor)
    equipment.sqlmodel_update(data.model_dump(exclude_unset=True, exclude={"reason"}))
    return save(db_session, replace(actor.audit_context(), reason=data.reason), equipment)


# -- the derived status ----------------------------------------------------------------------


def latest_calibration(
    db_session: Session, *, equipment_id: int, on_date: date
) -> Calibration | None:
    return db_session.exec(
        select(Calibration)
        .where(Calibration.equipment_id == equipment_id, Calibration.calibrated_on <= on_date)
        .order_by(col(Calibration.calibrated_on).desc(), col(Calibration.id).desc())
        .limit(1)
    ).first()


def _latest_check(db_session: Session, *, equipment_id: int, on_date: date) -> CheckFacts | None:
    check = db_session.exec(
        select(IntermediateCheck)
        .where(
            IntermediateCheck.equipment_id == equipment_id,
            IntermediateCheck.checked_on <= on_date,
        )
        .order_by(col(IntermediateCheck.checked_on).desc(), col(IntermediateCheck.id).desc())
        .limit(1)
    ).first()
    return None if check is None else CheckFacts(check.checked_on, check.passed)


def status_of(db_session: Session, *, equipment: Equipment, on_date: date) -> DerivedStatus:
    equipment_id = persisted_id(equipment)
    calibration = latest_calibration(db_session, equipment_id=equipment_id, on_date=on_date)
    facts = (
        None
        if calibration is None
        else CalibrationFacts(
            calibration.calibrated_on,
            calibration.next_due_on,
            calibration.fit_for_use,
            calibration.certificate_number,
        )
    )
    return derive_status(
        equipment_status=equipment.status,
        latest_calibration=facts,
        latest_check=_latest_check(db_session, equipment_id=equipment_id, on_date=on_date),
        due_soon_days=equipment.due_soon_days,
        on_date=on_date,
    )


def describe(db_session: Session, *, equipment: Equipment, on_date: date) -> EquipmentPublic:
    """The record as the API shows it, with its status on ``on_date``."""
    derived = status_of(db_session, equipment=equipment, on_date=on_date)
    calibration = latest_calibration(
        db_session, equipment_id=persisted_id(equipment), on_date=on_date
    )
    return EquipmentPublic.model_validate(
        equipment,
        from_attributes=True,
        update={
            "calibration_status": derived.status.value,
            "calibration_status_reason": derived.reason,
            "last_calibrated_on": calibration.calibrated_on if calibration else None,
            "next_due_on": calibration.next_due_on if calibration else None,
        },
    )


def due_for_calibration(
    db_session: Session, *, actor: Principal, within_days: int, on_date: date
) -> list[EquipmentPublic]:
    """The calibration planner: items in service that are due within the horizon, overdue,
    unfit or never calibrated, soonest first."""
    require_reader(actor)
    horizon = on_date + timedelta(days=within_days)
    planned = []
    for equipment in db_session.exec(
        select(Equipment).where(Equipment.status == EquipmentStatus.IN_SERVICE.value)
    ):
        described = describe(db_session, equipment=equipment, on_date=on_date)
        if (
            described.next_due_on is None
            or described.next_due_on <= horizon
            or described.calibration_status == CalibrationStatus.NOT_FIT_FOR_USE
        ):
            planned.append(described)
    return sorted(planned, key=lambda item: (item.next_due_on or date.min, item.identification))


def check_equipment_usable(
    db_session: Session, *, equipment_ids: Iterable[int], on_date: date
) -> None:
    """Refuse a measurement on ``on_date`` with any item that is not in calibration then.

    The message names every such item and why (overdue since when, out of service, ...).
    """
    problems: list[Reason] = []
    location: tuple[str | int, ...] = ("equipment_ids",)
    for index, equipment_id in enumerate(equipment_ids):
        equipment = db_session.get(Equipment, equipment_id)
        if equipment is None:
            raise InvalidInput(
                "equipment %(equipment_id)s does not exist",
                code="equipment.equipment_does_exist",
                equipment_id=equipment_id,
                location=("equipment_ids", index),
            )
        derived = status_of(db_session, equipment=equipment, on_date=on_date)
        if not derived.usable:
            if not problems:
                location = ("equipment_ids", index)
            problems.append(
                Reason(
                    "%(equipment)s (%(name)s) is %(reason)s",
                    equipment=equipment.identification,
                    name=equipment.name,
                    reason=derived.why,
                )
            )
    if problems:
        raise InvalidInput(
            "equipment not usable on %(on_date)s: %(problems)s",
            code="equipment.equipment_usable",
            on_date=on_date,
            problems=functools.reduce(
                lambda first, second: Reason("%(first)s; %(second)s", first=first, second=second),
                problems,
            ),
            location=location,
        )


#: The role, on every result whatever its method, of the instrument that measured the
#: room's conditions (ISO/IEC 17025 6.3.3: the conditions are recorded, and 6.4.13 wants the
#: instrument behind a recorded value identifiable and in calibration on the day).
ENVIRONMENT_ROLE = "environment"
#: The kinds of equipment that measure a room's conditions.
ENVIRONMENT_KINDS = ("thermometer", "thermo_hygrometer", "room_logger")


def environment_instruments(db_session: Session, *, actor: Principal) -> list[Equipment]:
    """The lab's instruments for room conditions, in service, by identification."""
    require_reader(actor)
    return list(
        db_session.exec(
            select(Equipment)
            .where(
                col(Equipment.kind).in_(ENVIRONMENT_KINDS),
                Equipment.status == EquipmentStatus.IN_SERVICE.value,
            )
            .order_by(col(Equipment.identification))
        )
    )


def check_environment_instrument(db_session: Session, *, equipment: dict[str, int]) -> None:
    """Refuse an instrument for the room's conditions that does not measure them."""
    equipment_id = equipment.get(ENVIRONMENT_ROLE)
    if equipment_id is None:
        return
    found = db_session.get(Equipment, equipment_id)
    if found is None:
        raise InvalidInput(
            "equipment %(equipment_id)s does not exist",
            code="equipment.equipment_does_exist",
            equipment_id=equipment_id,
            location=("equipment", ENVIRONMENT_ROLE),
        )
    if found.kind not in ENVIRONMENT_KINDS:
        raise InvalidInput(
            "%(identification)s is a %(kind)s, not an instrument for room conditions (%(names)s)",
            code="equipment.not_an_environment_instrument",
            identification=found.identification,
            kind=found.kind,
            names=", ".join(ENVIRONMENT_KINDS),
            location=("equipment", ENVIRONMENT_ROLE),
        )


def check_equipment_kinds(
    db_session: Session, *, roles: dict[str, list[str]], equipment: dict[str, int], whose: str
) -> None:
    """Refuse equipment in a role that does not take its kind (a CMM role takes a CMM).

    ``roles`` maps each role ``whose`` declares to the kinds that may fill it; a role it
    does not declare is refused too, so no instrument slips in under a made-up role.  The
    room's instrument (``ENVIRONMENT_ROLE``) belongs to every result and is checked by
    ``check_environment_instrument``.
    """
    for role, equipment_id in equipment.items():
        if role == ENVIRONMENT_ROLE:
            continue
        if role not in roles:
            raise InvalidInput(
                "%(whose)s has no equipment role '%(role)s'; its roles: %(value)s",
                code="equipment.has_equipment_role_roles",
                whose=whose,
                role=role,
                value=", ".join(sorted(roles)) or "none",
                location=("equipment", role),
            )
        found = db_session.get(Equipment, equipment_id)
        if found is None:
            raise InvalidInput(
                "equipment %(equipment_id)s does not exist",
                code="equipment.equipment_does_exist",
                equipment_id=equipment_id,
                location=("equipment", role),
            )
        if found.kind not in roles[role]:
            raise InvalidInput(
                "role %(role)s takes %(names)s; %(identification)s is a %(kind)s",
                code="equipment.role_takes",
                role=role,
                names=" or ".join(roles[role]),
                identification=found.identification,
                kind=found.kind,
                location=("equipment", role),
            )


# -- calibrations ----------------------------------------------------------------------------


def list_calibrations(
    db_session: Session, *, actor: Principal, equipment_id: int
) -> list[Calibration]:
    get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    return list(
        db_session.exec(
            select(Calibration)
            .where(Calibration.equipment_id == equipment_id)
            .order_by(col(Calibration.calibrated_on), col(Calibration.id))
        )
    )


def get_calibration(
    db_session: Session, *, actor: Principal, equipment_id: int, calibration_id: int
) -> Calibration:
    get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    calibration = db_session.get(Calibration, calibration_id)
    if calibration is None or calibration.equipment_id != equipment_id:
        raise NotFound(
            "calibration %(calibration_id)s of equipment %(equipment_id)s does not exist",
            code="equipment.calibration_equipment_does_exist",
            calibration_id=calibration_id,
            equipment_id=equipment_id,
        )
    return calibration


def _check_traceability(db_session: Session, *, equipment_id: int, data: CalibrationCreate) -> None:
    """Each certificate names who calibrated, their accreditation, and where the chain goes."""
    if data.reference_equipment_id is not None:
        if data.reference_equipment_id == equipment_id:
            raise InvalidInput(
                "an item cannot be its own reference standard",
                code="equipment.item_cannot_own_reference_standard",
                location=("reference_equipment_id",),
            )
        if db_session.get(Equipment, data.reference_equipment_id) is None:
            raise InvalidInput(
                "reference standard %(reference_equipment_id)s is not in the register",
                code="equipment.reference_standard_register",
                reference_equipment_id=data.reference_equipment_id,
                location=("reference_equipment_id",),
            )
    if data.kind == CalibrationKind.INTERNAL:
        if data.reference_equipment_id is None:
            raise InvalidInput(
                "an internal calibration names the lab's reference standard it used",
                code="equipment.internal_calibration_names_lab_reference",
                location=("reference_equipment_id",),
            )
        return
    if data.performed_by_nmi:
        return
    for field in ("accreditation_body", "accreditation_number"):
        if not getattr(data, field):
            raise InvalidInput(
                "an external calibration by a lab that is not a national metrology "
                "institute states the lab's accreditation (body and number)",
                code="equipment.external_calibration_lab_national_metrology",
                location=(field,),
            )
    if data.reference_equipment_id is None and not data.traceable_to:
        raise InvalidInput(
            "name the national metrology institute the certificate states traceability to",
            code="equipment.name_national_metrology_institute_certificate",
            location=("traceable_to",),
        )


def _check_result_units(data: CalibrationCreate) -> None:
    """A certificate's units are ones lims/units.py knows: a method takes its values by
    converting them (nm into a model in µm), never by comparing the text."""
    for index, result in enumerate(data.results):
        units.parse(result.unit, location=("results", index, "unit"))
        if result.nominal_unit is not None:
            units.parse(result.nominal_unit, location=("results", index, "nominal_unit"))


def record_calibration(
    db_session: Session,
    *,
    actor: Principal,
    equipment_id: int,
    data: CalibrationCreate,
    today: date | None = None,
) -> Calibration:
    """Record a certificate; with ``today`` (the lab's, as the API passes it), one dated
    after it is refused: a certificate records a calibration that has taken place."""
    require_role(actor, *MANAGERS, doing="record calibrations")
    equipment = get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    if today is not None and data.calibrated_on > today:
        raise InvalidInput(
            "the calibration date %(calibrated_on)s is in the future (today is %(today)s)",
            code="equipment.calibration_date_future_today",
            calibrated_on=data.calibrated_on,
            today=today,
            location=("calibrated_on",),
        )
    _check_traceability(db_session, equipment_id=equipment_id, data=data)
    _check_result_units(data)
    next_due_on = data.next_due_on or add_months(
        data.calibrated_on, equipment.calibration_interval_months
    )
    if next_due_on <= data.calibrated_on:
        raise InvalidInput(
            "the next due date %(next_due_on)s must be after the calibration date "
            "%(calibrated_on)s",
            code="equipment.next_due_date_must_after",
            next_due_on=next_due_on,
            calibrated_on=data.calibrated_on,
            location=("next_due_on",),
        )
    _acting(db_session, actor)
    calibration = Calibration.model_validate(
        data,
        update={
            "equipment_id": equipment_id,
            "next_due_on": next_due_on,
            "results": [result.model_dump() for result in data.results],
        },
    )
    return save(db_session, actor.audit_context(), calibration)


#: A calibration certificate is a PDF, a scan, or a Digital Calibration Certificate (XML).
CERTIFICATE_MEDIA_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/tiff", "application/xml"}
)


def _safe_filename(name: str | None, fallback: str) -> str:
    """A file name fit for a download header: letters, digits, dot, dash and underscore."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "").strip("._")
    return cleaned[:255] or re.sub(r"[^A-Za-z0-9._-]+", "_", fallback)


def calibration_to_certify(
    db_session: Session, *, actor: Principal, equipment_id: int, calibration_id: int
) -> Calibration:
    """The calibration ``actor`` may attach a certificate to: checked before a file is read."""
    require_role(actor, *MANAGERS, doing="attach calibration certificates")
    return get_calibration(
        db_session, actor=actor, equipment_id=equipment_id, calibration_id=calibration_id
    )


def attach_certificate(
    db_session: Session,
    *,
    actor: Principal,
    equipment_id: int,
    calibration_id: int,
    content: BinaryIO,
    filename: str | None,
    store: FileStore,
    max_bytes: int,
) -> Calibration:
    """Keep the certificate file in the file store; the record keeps its SHA-256."""
    calibration = calibration_to_certify(
        db_session, actor=actor, equipment_id=equipment_id, calibration_id=calibration_id
    )
    if filename is not None:
        filename = check_filename(filename)
    head = content.read(HEAD_BYTES)
    if not head:
        raise InvalidInput(
            "the certificate file is empty",
            code="equipment.certificate_file_empty",
            location=("body",),
        )
    # Without a name the content names its type; with one, the two must agree.
    media_type = check_content(filename or "certificate", head, allowed=CERTIFICATE_MEDIA_TYPES)
    content.seek(0)
    stored = store.put(content, max_bytes=max_bytes)
    _acting(db_session, actor)
    calibration.certificate_sha256 = stored.sha256
    # The gap is closed; the audit trail keeps why the file came later.
    calibration.certificate_to_follow = None
    calibration.certificate_filename = _safe_filename(
        filename, f"{calibration.certificate_number}{extension_for(media_type)}"
    )
    return save(db_session, actor.audit_context(), calibration)


def certificate_file(
    db_session: Session, *, actor: Principal, equipment_id: int, calibration_id: int
) -> tuple[str, str]:
    """The stored certificate's SHA-256 and file name."""
    calibration = get_calibration(
        db_session, actor=actor, equipment_id=equipment_id, calibration_id=calibration_id
    )
    if calibration.certificate_sha256 is None:
        raise NotFound(
            "calibration %(calibration_id)s has no certificate file attached",
            code="equipment.calibration_has_certificate_file_attached",
            calibration_id=calibration_id,
        )
    return calibration.certificate_sha256, calibration.certificate_filename or "certificate.pdf"


# -- intermediate checks and the log ---------------------------------------------------------


def _check_reading(data: IntermediateCheckCreate) -> None:
    """A reading with limits decides the check: the record may not say otherwise."""
    if data.unit is not None:
        units.parse(data.unit, location=("unit",))
    limits = (data.lower_limit, data.upper_limit)
    for field, number in zip(
        ("value", "lower_limit", "upper_limit"), (data.value, *limits), strict=True
    ):
        if number is not None and not math.isfinite(number):
            raise InvalidInput(
                "a reading or limit must be a finite number",
                code="equipment.reading_limit_must_finite_number",
                location=(field,),
            )
    if data.value is None:
        if limits != (None, None):
            raise InvalidInput(
                "limits need the reading they judge",
                code="equipment.limits_need_reading_they_judge",
                location=("value",),
            )
        return
    low = -math.inf if data.lower_limit is None else data.lower_limit
    high = math.inf if data.upper_limit is None else data.upper_limit
    if low > high:
        raise InvalidInput(
            "the lower limit %(low)g is above the upper limit %(high)g",
            code="equipment.lower_limit_above_upper_limit",
            low=low,
            high=high,
            location=("upper_limit",),
        )
    within = low <= data.value <= high
    # One template per case: a language words "within ... passed" as a whole, not by parts.
    if limits != (None, None) and within and not data.passed:
        raise InvalidInput(
            "the reading %(reading)g is within the limits, so the check passed",
            code="equipment.check_within_limits_passed",
            reading=data.value,
            location=("passed",),
        )
    if limits != (None, None) and not within and data.passed:
        raise InvalidInput(
            "the reading %(reading)g is outside the limits, so the check failed",
            code="equipment.check_outside_limits_failed",
            reading=data.value,
            location=("passed",),
        )


def record_check(
    db_session: Session, *, actor: Principal, equipment_id: int, data: IntermediateCheckCreate
) -> IntermediateCheck:
    require_role(actor, *CHECKERS, doing="record intermediate checks")
    get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    _check_reading(data)
    _acting(db_session, actor)
    check = IntermediateCheck.model_validate(
        data,
        update={
            "equipment_id": equipment_id,
            "checked_by_id": actor.user_id,
            "checked_by": actor.username,
        },
    )
    return save(db_session, actor.audit_context(), check)


def list_checks(
    db_session: Session, *, actor: Principal, equipment_id: int
) -> list[IntermediateCheck]:
    get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    return list(
        db_session.exec(
            select(IntermediateCheck)
            .where(IntermediateCheck.equipment_id == equipment_id)
            .order_by(col(IntermediateCheck.checked_on), col(IntermediateCheck.id))
        )
    )


def add_log_entry(
    db_session: Session, *, actor: Principal, equipment_id: int, data: LogEntryCreate
) -> EquipmentLogEntry:
    require_role(actor, *CHECKERS, doing="log maintenance, damage or repairs")
    get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    _acting(db_session, actor)
    entry = EquipmentLogEntry.model_validate(
        data, update={"equipment_id": equipment_id, "recorded_by": actor.username}
    )
    return save(db_session, actor.audit_context(), entry)


def list_log(
    db_session: Session, *, actor: Principal, equipment_id: int
) -> list[EquipmentLogEntry]:
    get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    return list(
        db_session.exec(
            select(EquipmentLogEntry)
            .where(EquipmentLogEntry.equipment_id == equipment_id)
            .order_by(col(EquipmentLogEntry.happened_on), col(EquipmentLogEntry.id))
        )
    )
