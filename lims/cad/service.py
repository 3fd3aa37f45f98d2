"""CAD/PMI intake in jobs: models become proposals, QIF Results become results, and back.

Uploading a model reads it in a bounded worker (``lims.cad.worker``), one of at most
``LIMS_MAX_CAD_READERS`` at once (the ``readers`` pool); only a file that reads is stored,
with one proposal per tolerance or dimension.  A technician accepts a proposal (naming the
method, editing what needs editing) and it becomes a characteristic that keeps
the model's SHA-256 and the entity id.  QIF Results are matched to characteristics, the
CMM's PASS/FAIL is kept beside the lab's own decision, and the lab's results go out as a
QIF Results document validated against the QIF 3.0 schema.
"""

import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from lims.accounts.models import User
from lims.accounts.principal import Principal, require_role
from lims.audit.trail import set_context
from lims.cad import qif
from lims.cad.models import (
    Acceptance,
    CharacteristicProposal,
    ModelUpload,
    ProposalPublic,
    ProposalState,
    QifImport,
    QifImportRow,
)
from lims.cad.plan import Characteristic as Extracted
from lims.cad.reader import Model
from lims.cad.worker import limits_of, read_bounded
from lims.competence.models import Activity
from lims.competence.service import check_authorised
from lims.config import Settings
from lims.contracts.models import Agreement
from lims.db import persisted_id, utcnow
from lims.equipment.models import Equipment
from lims.equipment.service import check_equipment_kinds, check_equipment_usable
from lims.errors import ConfigurationError, Conflict, InvalidInput, NotFound
from lims.jobs import results as job_results
from lims.jobs.models import (
    Characteristic,
    CharacteristicSource,
    CharacteristicSpec,
    Item,
    Job,
    JobKind,
    JobStatus,
    Result,
    ResultEntry,
)
from lims.jobs.results import WORKPIECE_ROLE, WORKPIECE_SERIES
from lims.jobs.service import (
    PLAN_FIXED,
    STAFF_WHO_RUN_JOBS,
    ModelSource,
    add_characteristics,
    get_job,
    item_for_upload,
    parameters_at_acceptance,
)
from lims.limits import SlotPool
from lims.methods.coordinate import not_evaluated
from lims.methods.models import Method
from lims.sniffing import check_filename
from lims.storage import FileStore
from lims.units import convert, same_dimension, symbol

UNIT_SHORT = {"millimetre": "mm", "metre": "m", "micrometre": "um", "inch": "in",
              "degree": "deg", "radian": "rad"}  # fmt: skip
PLANNED_FROM_MODELS = (JobKind.PRODUCT_QC, JobKind.INSPECTION)
# QIF Results come from a CMM: the one piece of equipment an import names must be one.
QIF_EQUIPMENT_ROLES = {"cmm": ["cmm"]}
UNEXPORTED = {"line_profile"}


def _acting(db_session: Session, actor: Principal) -> None:
    set_context(db_session, actor.audit_context())


def _read(path: Path, settings: Settings, readers: SlotPool) -> Model:
    with readers.slot():
        return read_bounded(path, limits_of(settings))


# -- models to proposals ------------------------------------------------------------------


def item_for_model(db_session: Session, *, actor: Principal, job_id: int, item_id: int) -> Item:
    """The item ``actor`` may upload a model of, in a job planned from models whose plan is
    still open: checked before the upload's body is read, and again by ``upload_model``."""
    item = item_for_upload(db_session, actor=actor, job_id=job_id, item_id=item_id)
    job = get_job(db_session, actor=actor, job_id=job_id)
    if job.kind not in PLANNED_FROM_MODELS:
        raise InvalidInput(
            "a %(kind)s job is not planned from a CAD model",
            code="cad.job_planned_from_cad_model",
            kind=job.kind,
        )
    if job.status in PLAN_FIXED:
        raise Conflict(
            "the plan is fixed once the job is %(status)s",
            code="cad.plan_fixed_once_job",
            status=job.status,
        )
    return item


def upload_model(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    item_id: int,
    path: Path,
    filename: str,
    store: FileStore,
    settings: Settings,
    readers: SlotPool,
) -> ModelUpload:
    """Read the model (in a slot of ``readers``), then store it on the item with its
    proposals, in one transaction."""
    item = item_for_model(db_session, actor=actor, job_id=job_id, item_id=item_id)
    filename = check_filename(filename)
    model = _read(path, settings, readers)
    if model.plan is None or not model.plan.characteristics:
        raise InvalidInput(
            "the document defines no characteristics to plan from; QIF Results go "
            "to POST /jobs/{job_id}/results/qif",
            code="cad.document_defines_characteristics_plan_from",
        )
    with path.open("rb") as source:
        stored = store.put(source, max_bytes=settings.max_upload_bytes)
    _acting(db_session, actor)
    role = "qif" if model.format == "qif" else "cad"
    item.files = [
        *item.files,
        {"sha256": stored.sha256, "size": stored.size, "name": filename, "role": role},
    ]
    db_session.add(item)
    proposals = [
        _proposal(extracted, job_id=job_id, item=item, sha256=stored.sha256, name=filename,
                  source_format=model.format)
        for extracted in model.plan.characteristics
    ]  # fmt: skip
    db_session.add_all(proposals)
    db_session.commit()
    return ModelUpload(
        sha256=stored.sha256,
        size=stored.size,
        format=model.format,
        warnings=model.plan.warnings,
        proposals=[_public(p) for p in proposals],
    )


def _proposal(
    extracted: Extracted, *, job_id: int, item: Item, sha256: str, name: str, source_format: str
) -> CharacteristicProposal:
    is_tolerance = extracted.kind == "geometric_tolerance"
    if is_tolerance:
        base = extracted.name or extracted.type
    else:
        size = f" {extracted.nominal:g}" if extracted.nominal is not None else ""
        base = f"{extracted.type}{size}" if source_format != "qif" else extracted.name
    unit = UNIT_SHORT.get(extracted.unit or "", extracted.unit or "unknown")[:16]
    # The lab's length units are metric (methods and CMCs are in mm/um): an inch model is
    # proposed in mm; ``extracted`` keeps the file's own values and unit.
    scale = convert(1.0, from_unit="in", to_unit="mm", what="an inch") if unit == "in" else 1.0
    unit = "mm" if unit == "in" else unit
    nominal = None if is_tolerance else _scaled(extracted.nominal, scale)
    lower = None if is_tolerance else _scaled(extracted.lower_limit, scale)
    upper = _scaled(extracted.magnitude if is_tolerance else extracted.upper_limit, scale)
    return CharacteristicProposal(
        job_id=job_id,
        item_id=persisted_id(item),
        organisation_id=item.organisation_id,
        source_sha256=sha256,
        source_name=name,
        source_format=source_format,
        source_ref=extracted.ref[:40],
        label=f"{base or extracted.type} [{extracted.ref}]"[:100],
        kind=extracted.type[:40],
        nominal=nominal,
        lower_limit=lower,
        upper_limit=upper,
        unit=unit,
        datums="|".join(extracted.datum_frame)[:100] or None,
        extracted=asdict(extracted),
    )


def _public(proposal: CharacteristicProposal) -> ProposalPublic:
    return ProposalPublic.model_validate(proposal, from_attributes=True)


def list_proposals(
    db_session: Session, *, actor: Principal, job_id: int
) -> list[CharacteristicProposal]:
    get_job(db_session, actor=actor, job_id=job_id)
    return list(
        db_session.exec(
            select(CharacteristicProposal)
            .where(CharacteristicProposal.job_id == job_id)
            .order_by(col(CharacteristicProposal.id))
        )
    )


def _open_proposal(
    db_session: Session, *, actor: Principal, job_id: int, proposal_id: int
) -> CharacteristicProposal:
    get_job(db_session, actor=actor, job_id=job_id)
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="review proposed characteristics")
    proposal = db_session.get(CharacteristicProposal, proposal_id)
    if proposal is None or proposal.job_id != job_id:
        raise NotFound(
            "proposal %(proposal_id)s is not part of job %(job_id)s",
            code="cad.proposal_part_job",
            proposal_id=proposal_id,
            job_id=job_id,
        )
    if proposal.state != ProposalState.PROPOSED:
        raise Conflict(
            "proposal %(proposal_id)s was already %(state)s",
            code="cad.proposal_was_already",
            proposal_id=proposal_id,
            state=proposal.state,
        )
    return proposal


def accept_proposal(
    db_session: Session, *, actor: Principal, job_id: int, proposal_id: int, data: Acceptance
) -> Characteristic:
    """The reviewed proposal becomes a characteristic that remembers its file and entity."""
    proposal = _open_proposal(db_session, actor=actor, job_id=job_id, proposal_id=proposal_id)
    edits = data.model_dump(exclude_unset=True, exclude={"method_id", "parameters"})
    spec = CharacteristicSpec(
        item_id=proposal.item_id,
        label=edits.get("label", proposal.label),
        kind=proposal.kind,
        nominal=edits.get("nominal", proposal.nominal),
        lower_limit=edits.get("lower_limit", proposal.lower_limit),
        upper_limit=edits.get("upper_limit", proposal.upper_limit),
        unit=edits.get("unit", proposal.unit),
        datums=edits.get("datums", proposal.datums),
        source=CharacteristicSource.PMI,
        method_id=data.method_id,
        parameters=parameters_at_acceptance(
            db_session,
            method_id=data.method_id,
            nominal=edits.get("nominal", proposal.nominal),
            unit=edits.get("unit", proposal.unit),
            given=data.parameters,
        ),
    )
    with db_session.no_autoflush:
        proposal.state = ProposalState.ACCEPTED
        db_session.add(proposal)
        (characteristic,) = add_characteristics(
            db_session,
            actor=actor,
            job_id=job_id,
            specs=[spec],
            sources=[ModelSource(proposal.source_sha256, proposal.source_ref)],
        )
    return characteristic


def reject_proposal(
    db_session: Session, *, actor: Principal, job_id: int, proposal_id: int
) -> CharacteristicProposal:
    proposal = _open_proposal(db_session, actor=actor, job_id=job_id, proposal_id=proposal_id)
    _acting(db_session, actor)
    proposal.state = ProposalState.REJECTED
    db_session.add(proposal)
    db_session.commit()
    db_session.refresh(proposal)
    return proposal


# -- QIF Results in -----------------------------------------------------------------------


def import_qif_results(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    path: Path,
    measured_on: date,
    equipment_id: int,
    temperature: float | None,
    humidity: float | None,
    store: FileStore,
    settings: Settings,
    readers: SlotPool,
    late_entry_reason: str | None = None,
    reference_workpiece_id: int | None = None,
) -> QifImport:
    """Store the CMM's measurements against the job's characteristics: all, or none.

    QIF Results carry no uncertainty, so the lab evaluates each value's task-specific U as
    for an entered result (lims.jobs.results.coordinate_result_uncertainty); the CMC is no
    task uncertainty.  Where ``reference_workpiece_id`` names a calibrated workpiece and the
    file holds its repeats (the measurements of the part with its serial number or
    identification), a characteristic's U is by ISO 15530-3, else by the specification
    budget.  A value without the data for either is kept with U not evaluated, and then with
    no decision.  The lab's decision follows from U by the agreement's rule, and the CMM's
    own status is kept beside it.
    """
    job = job_results.job_for_import(db_session, actor=actor, job_id=job_id)
    measured_by_id = actor.person_id(doing="import results")
    if job.status != JobStatus.IN_MEASUREMENT:
        raise Conflict(
            "results are recorded while a job is in measurement; job %(job)s is %(status)s",
            code="cad.results_recorded_while_job_measurement",
            job=job.number,
            status=job.status,
        )
    # The CMM that measured must be a CMM, in calibration on the day, as for any result; so
    # must a reference workpiece (the kinds its role takes are each method's).
    check_equipment_kinds(
        db_session,
        roles=QIF_EQUIPMENT_ROLES,
        equipment={"cmm": equipment_id},
        whose="a QIF Results import",
    )
    used = (
        [equipment_id] if reference_workpiece_id is None else [equipment_id, reference_workpiece_id]
    )
    check_equipment_usable(db_session, equipment_ids=used, on_date=measured_on)
    workpiece = _reference_workpiece(db_session, reference_workpiece_id)
    entered_at = utcnow()
    job_results.check_late_entry(
        measured_on=measured_on,
        entered_at=entered_at,
        reason=late_entry_reason,
        settings=settings,
    )
    model = _read(path, settings, readers)
    if model.results is None or not model.results.measurements:
        raise InvalidInput(
            "the document holds no measurements (QIF Results)",
            code="cad.document_holds_measurements_qif_results",
        )
    names = {c.ref: c.name for c in (model.plan.characteristics if model.plan else [])}
    # A voided characteristic takes no results: its measurements are listed as unmatched.
    characteristics = list(
        db_session.exec(
            select(Characteristic).where(
                Characteristic.job_id == job_id, col(Characteristic.voided_at).is_(None)
            )
        )
    )
    by_ref = {c.source_ref: c for c in characteristics if c.source_ref}
    by_label = {c.label: c for c in characteristics}
    grouped: dict[int, list[qif.Measurement]] = defaultdict(list)
    repeats: dict[int, list[qif.Measurement]] = defaultdict(list)
    unmatched: list[str] = []
    for measurement in model.results.measurements:
        found = by_ref.get(measurement.ref) or by_label.get(names.get(measurement.ref, ""))
        if found is None or found.id is None or measurement.value is None:
            unmatched.append(names.get(measurement.ref) or f"QIF item {measurement.ref}")
        elif workpiece is not None and measurement.part in workpiece.names:
            repeats[found.id].append(measurement)
        else:
            grouped[found.id].append(measurement)
    if not grouped:
        raise InvalidInput(
            "no measurement in the document matches a characteristic of this job",
            code="cad.measurement_document_matches_characteristic_job",
        )
    agreement = db_session.get_one(Agreement, job.agreement_id)
    temperature = temperature if temperature is not None else model.results.temperature
    file_unit = UNIT_SHORT.get(model.results.linear_unit, model.results.linear_unit)
    prepared: list[Result] = []
    rows: list[QifImportRow] = []
    with db_session.no_autoflush:
        for characteristic in characteristics:
            measurements = grouped.get(persisted_id(characteristic))
            if not measurements:
                continue
            job_results.check_measurement_date(
                db_session,
                job=job,
                characteristic=characteristic,
                measured_on=measured_on,
                settings=settings,
            )
            # The workpiece's repeats of this characteristic, if the file holds any: then
            # the result is by substitution, as an entered one naming the workpiece is.
            on_workpiece = [
                _in_characteristic_unit(m, characteristic, file_unit)
                for m in repeats.get(persisted_id(characteristic), [])
            ]
            equipment = {"cmm": equipment_id}
            if workpiece is not None and on_workpiece:
                equipment[WORKPIECE_ROLE] = workpiece.id
            result, row = _imported_result(
                db_session,
                measured_by_id=measured_by_id,
                job=job,
                agreement=agreement,
                characteristic=characteristic,
                measurements=measurements,
                file_unit=file_unit,
                entry=ResultEntry(
                    characteristic_id=persisted_id(characteristic),
                    measured_on=measured_on,
                    equipment=equipment,
                    observations={WORKPIECE_SERIES: on_workpiece} if on_workpiece else {},
                    temperature=temperature,
                    humidity=humidity,
                ),
                operator=model.results.operator,
                settings=settings,
            )
            prepared.append(result)
            rows.append(row)
    with path.open("rb") as source:
        stored = store.put(source, max_bytes=settings.max_upload_bytes)
    _acting(db_session, actor)
    for result in prepared:
        result.imported = {**(result.imported or {}), "sha256": stored.sha256}
        result.entered_at = entered_at
        result.late_entry_reason = late_entry_reason
        db_session.add(result)
    db_session.commit()
    return QifImport(
        sha256=stored.sha256,
        operator=model.results.operator,
        temperature=temperature,
        rows=rows,
        unmatched=unmatched,
        disagreements=sum(row.agrees is False for row in rows),
    )


def _imported_result(
    db_session: Session,
    *,
    measured_by_id: int,
    job: Job,
    agreement: Agreement,
    characteristic: Characteristic,
    measurements: list[qif.Measurement],
    file_unit: str,
    entry: ResultEntry,
    operator: str | None,
    settings: Settings,
) -> tuple[Result, QifImportRow]:
    if db_session.exec(select(Result).where(Result.characteristic_id == characteristic.id)).first():
        raise Conflict(
            "%(characteristic)s already has a result; replace it through the results API",
            code="cad.already_has_result_replace_through",
            characteristic=characteristic.label,
        )
    # Several measurements of one item (a profile's points): the worst one decides.
    reference = characteristic.nominal or 0.0
    worst = max(measurements, key=lambda m: abs((m.value or 0.0) - reference))
    cmm_status = "FAIL" if any(m.status == "FAIL" for m in measurements) else worst.status
    value = _in_characteristic_unit(worst, characteristic, file_unit)
    method = db_session.get(Method, characteristic.method_id) if characteristic.method_id else None
    evaluated = not_evaluated(f"{characteristic.label} names no method")
    if method is not None:
        check_authorised(
            db_session,
            user_id=measured_by_id,
            method_id=persisted_id(method),
            activity=Activity.PERFORM,
            on_date=entry.measured_on,
        )
        job_results.check_environment(method, entry)
        if WORKPIECE_ROLE in entry.equipment and method.equipment_roles:
            check_equipment_kinds(
                db_session,
                roles=method.equipment_roles,
                equipment={WORKPIECE_ROLE: entry.equipment[WORKPIECE_ROLE]},
                whose=f"method {method.label()}",
            )
        # The measurements of one item are a profile's points, not repeats: one value.
        evaluated = job_results.coordinate_result_uncertainty(
            db_session, method, characteristic, entry, [value]
        )
    result = Result(
        job_id=characteristic.job_id,
        characteristic_id=persisted_id(characteristic),
        organisation_id=characteristic.organisation_id,
        value=value,
        unit=characteristic.unit,
        equipment=entry.equipment,
        observations=entry.observations,
        temperature=entry.temperature,
        humidity=entry.humidity,
        comment="imported from QIF Results",
        measured_on=entry.measured_on,
        measured_by_id=measured_by_id,
    )
    job_results.store_coordinate_uncertainty(result, evaluated)
    # The lab's own rules for a result, reused: accreditation by scope (the CMC as the floor of
    # an accredited U), then the decision by the agreement.
    job_results.judge_result(
        job, agreement, characteristic, method, result, entry.measured_on, settings=settings
    )
    lab = (result.decision or {}).get("decision")
    agrees = None if lab is None or cmm_status not in ("PASS", "FAIL") else (
        (lab == "pass") == (cmm_status == "PASS")
    )  # fmt: skip
    devices = sorted({d for m in measurements for d in m.devices})
    result.imported = {
        "format": "qif",
        "refs": [m.ref for m in measurements],
        "cmm_status": cmm_status,
        "agrees_with_lab": agrees,
        "devices": devices,
        "operator": operator,
        "measurements": len(measurements),
    }
    note = f"worst of {len(measurements)} measurements" if len(measurements) > 1 else None
    return result, QifImportRow(
        characteristic=characteristic.label,
        value=result.value,
        unit=result.unit,
        cmm_status=cmm_status,
        lab_decision=lab,
        agrees=agrees,
        devices=devices,
        note=note,
    )


@dataclass(frozen=True)
class ReferenceWorkpiece:
    """The calibrated workpiece an import names, and the serial numbers a QIF Results file
    may give its measurements under."""

    id: int
    names: frozenset[str]


def _reference_workpiece(
    db_session: Session, equipment_id: int | None
) -> ReferenceWorkpiece | None:
    if equipment_id is None:
        return None
    found = db_session.get_one(Equipment, equipment_id)
    names = {found.identification, found.serial_number}
    return ReferenceWorkpiece(id=equipment_id, names=frozenset(n for n in names if n))


def _in_characteristic_unit(
    measurement: qif.Measurement, characteristic: Characteristic, file_unit: str
) -> float:
    """Lengths are in the file's linear unit, angles in degrees (QIF's angular default)."""
    angle = same_dimension(characteristic.unit, "deg")
    return convert(
        measurement.value or 0.0,
        from_unit="deg" if angle else file_unit,
        to_unit=characteristic.unit,
        what=f"the measured value of {characteristic.label}",
    )


# -- the lab's results out ----------------------------------------------------------------


def export_qif_results(
    db_session: Session, *, actor: Principal, job_id: int, settings: Settings
) -> bytes:
    """The job's plan and results as QIF 3.0 Results, validated when the schema is configured.

    Every characteristic in force (not voided) is written; those with a result (that the
    caller may see: a customer sees results once approved) carry the measurement and the
    lab's decision.
    """
    job = get_job(db_session, actor=actor, job_id=job_id)
    found = {
        r.characteristic_id: r
        for r in job_results.list_results(db_session, actor=actor, job_id=job_id)
    }
    characteristics = list(
        db_session.exec(
            select(Characteristic)
            .where(Characteristic.job_id == job_id, col(Characteristic.voided_at).is_(None))
            .order_by(col(Characteristic.id))
        )
    )
    # QIF wants a line profile's section direction, which a plan does not hold: left out.
    rows = [
        _export_row(c, found.get(persisted_id(c)))
        for c in characteristics
        if c.kind not in UNEXPORTED
    ]
    temperatures = [r.temperature for r in found.values() if r.temperature is not None]
    measurers = {r.measured_by_id for r in found.values()}
    names = sorted(
        user.full_name for user in (db_session.get(User, i) for i in measurers) if user is not None
    )
    document = qif.write_results(
        rows,
        operator=", ".join(names),
        temperature=temperatures[0] if temperatures else None,
        qpid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"lims:job:{job.number}")),
    )
    if settings.qif_schema_dir is not None:
        try:
            qif.validate(qif.parse(document), settings.qif_schema_dir)
        except qif.QifError as error:  # the writer's fault, never the caller's
            raise ConfigurationError(
                "the QIF export does not validate: %(error)s",
                code="cad.qif_export_does_validate",
                error=error,
            ) from None
    return document


def _export_row(characteristic: Characteristic, result: Result | None) -> dict[str, Any]:
    angle = same_dimension(characteristic.unit, "deg")
    try:
        factor = convert(
            1.0, from_unit=characteristic.unit, to_unit="deg" if angle else "mm", what="it"
        )
    except InvalidInput:
        raise InvalidInput(
            "%(characteristic)s is in %(symbol)s; QIF export takes lengths "
            "(written in mm) and angles (written in degrees)",
            code="cad.qif_export_takes_lengths_written",
            characteristic=characteristic.label,
            symbol=symbol(characteristic.unit),
        ) from None
    decision = ((result.decision if result else None) or {}).get("decision")
    return {
        "label": characteristic.label,
        "type": characteristic.kind,
        "zone": None,
        "unit": "degree" if angle else "millimetre",
        "nominal": _scaled(characteristic.nominal, factor),
        "lower_limit": _scaled(characteristic.lower_limit, factor),
        "upper_limit": _scaled(characteristic.upper_limit, factor),
        "value": _scaled(result.value, factor) if result else None,
        "status": {"pass": "PASS", "fail": "FAIL"}.get(decision or "", "UNDEFINED"),
    }


def _scaled(value: float | None, factor: float) -> float | None:
    return value * factor if value is not None else None
