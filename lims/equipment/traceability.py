"""Metrological traceability (ISO/IEC 17025 6.5): the chain from an item to the national
metrology institute.

Each calibration names who calibrated the item.  When the standard it was calibrated against
is in our own register, the chain continues with that standard's calibration on the same
day; it ends at a national metrology institute, or at an accredited lab whose certificate
states the institute it traces to (for Finland, VTT MIKES).
"""

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel
from sqlmodel import Session

from lims.accounts.principal import Principal
from lims.db import persisted_id
from lims.equipment.models import Calibration, Equipment
from lims.equipment.service import get_equipment, latest_calibration, require_reader, status_of
from lims.errors import InvalidInput


class TraceabilityLink(BaseModel):
    equipment_id: int
    identification: str
    name: str
    status: str
    status_on_date: str
    calibrated_on: date | None
    next_due_on: date | None
    certificate_number: str | None
    calibrating_lab: str | None
    accreditation: str | None
    performed_by_nmi: bool
    traceable_to: str | None


class TraceabilityChain(BaseModel):
    equipment_id: int
    on_date: date
    links: list[TraceabilityLink]
    national_metrology_institute: str | None
    complete: bool
    text: str


def _link(db_session: Session, equipment: Equipment, on_date: date) -> TraceabilityLink:
    equipment_id = persisted_id(equipment)
    calibration: Calibration | None = latest_calibration(
        db_session, equipment_id=equipment_id, on_date=on_date
    )
    derived = status_of(db_session, equipment=equipment, on_date=on_date)
    accreditation = None
    if calibration and calibration.accreditation_body:
        accreditation = f"{calibration.accreditation_body} {calibration.accreditation_number}"
    return TraceabilityLink(
        equipment_id=equipment_id,
        identification=equipment.identification,
        name=equipment.name,
        status=derived.status.value,
        status_on_date=derived.reason,
        calibrated_on=calibration.calibrated_on if calibration else None,
        next_due_on=calibration.next_due_on if calibration else None,
        certificate_number=calibration.certificate_number if calibration else None,
        calibrating_lab=calibration.calibrating_lab if calibration else None,
        accreditation=accreditation,
        performed_by_nmi=bool(calibration and calibration.performed_by_nmi),
        traceable_to=calibration.traceable_to if calibration else None,
    )


def _describe(link: TraceabilityLink, depth: int) -> list[str]:
    indent = "  " * depth
    lines = [f"{indent}{link.identification} {link.name} ({link.status_on_date})"]
    if link.certificate_number is None:
        return [*lines, f"{indent}  no calibration on record: the chain is broken here"]
    accreditation = f", accredited {link.accreditation}" if link.accreditation else ""
    lines.append(
        f"{indent}  calibrated {link.calibrated_on} by {link.calibrating_lab}{accreditation}, "
        f"certificate {link.certificate_number}"
    )
    if link.performed_by_nmi:
        lines.append(f"{indent}  {link.calibrating_lab}: national metrology institute")
    elif link.traceable_to:
        lines.append(f"{indent}  traceable to {link.traceable_to} (stated on the certificate)")
    return lines


def chain_of(
    db_session: Session, *, actor: Principal, equipment_id: int, on_date: date
) -> TraceabilityChain:
    """Walk up from ``equipment_id`` through the standards in our register to the top."""
    equipment = get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    links: list[TraceabilityLink] = []
    seen: set[int] = set()
    current: Equipment | None = equipment
    while current is not None:
        current_id = persisted_id(current)
        if current_id in seen:
            raise InvalidInput(
                "the traceability chain of %(identification)s loops back to "
                "%(identification2)s: correct the reference standard of a calibration",
                code="equipment.traceability_chain_loops_back_correct",
                identification=equipment.identification,
                identification2=current.identification,
            )
        seen.add(current_id)
        links.append(_link(db_session, current, on_date))
        calibration = latest_calibration(db_session, equipment_id=current_id, on_date=on_date)
        reference = calibration.reference_equipment_id if calibration else None
        current = db_session.get(Equipment, reference) if reference else None
    top = links[-1]
    institute = (
        top.calibrating_lab
        if top.performed_by_nmi
        else (top.traceable_to if top.certificate_number else None)
    )
    lines = [line for depth, link in enumerate(links) for line in _describe(link, depth)]
    ending = (
        f"=> traceable to the national metrology institute {institute}"
        if institute
        else "=> the chain does not reach a national metrology institute"
    )
    return TraceabilityChain(
        equipment_id=equipment_id,
        on_date=on_date,
        links=links,
        national_metrology_institute=institute,
        complete=institute is not None,
        text="\n".join([*lines, ending]),
    )


def chains_of_result(
    db_session: Session, *, actor: Principal, equipment_ids: Iterable[int], on_date: date
) -> list[TraceabilityChain]:
    """The chains of every item a result was measured with."""
    require_reader(actor)
    return [
        chain_of(db_session, actor=actor, equipment_id=equipment_id, on_date=on_date)
        for equipment_id in equipment_ids
    ]
