"""A proposed characteristic, as uploading a model would leave it; a CMM method with a
task-specific budget; a calibrated ring and a QIF Results file with the CMM's runs on it."""

import copy
from datetime import timedelta
from typing import Any

from lxml import etree
from sqlalchemy import Engine
from sqlmodel import Session

from lims.audit.trail import set_context
from lims.cad import qif
from lims.cad.models import CharacteristicProposal
from lims.clock import local_today
from lims.competence.models import Activity
from lims.equipment.models import Equipment
from lims.jobs.models import Job
from lims.methods.models import Method
from tests.conftest import shared_path
from tests.equipment.factories import authorise, make_calibration, make_equipment, make_method
from tests.factories import FACTORY_ACTOR
from tests.jobs.factories import CMM_METHOD, Lab


def make_proposal(engine: Engine, *, job_id: int, item_id: int) -> CharacteristicProposal:
    with Session(engine) as db_session:
        job = db_session.get(Job, job_id)
        assert job is not None
        set_context(db_session, FACTORY_ACTOR.audit_context())
        proposal = CharacteristicProposal(
            job_id=job_id,
            item_id=item_id,
            organisation_id=job.organisation_id,
            source_sha256="0" * 64,
            source_name="model.stp",
            source_format="step-ap242",
            source_ref="#21",
            label="Position.1 [#21]",
            kind="position",
            upper_limit=0.75,
            unit="mm",
            datums="A|B|C",
            extracted={"ref": "#21", "kind": "geometric_tolerance", "type": "position"},
        )
        db_session.add(proposal)
        db_session.commit()
        db_session.refresh(proposal)
        return proposal


# A CMM with E_L,MPE = (1.8 + L/300) um and P_FTU,MPE = 1.5 um measuring steel parts.
COORDINATE_BUDGET = {
    "mpe_e_a": 1.8,
    "mpe_e_k": 300,
    "mpe_p_ftu": 1.5,
    "part_expansion": 11.5e-6,
    "part_expansion_half_width": 1e-6,
    "temperature_uncertainty": 0.2,
}


def make_coordinate_method(engine: Engine, lab: Lab, **overrides: Any) -> Method:
    """A CMM method whose results take the task-specific budget, the lab's staff authorised
    to measure, review and sign by it."""
    method = make_method(
        engine, **{**CMM_METHOD, "coordinate_budget": COORDINATE_BUDGET, **overrides}
    )
    authorise(engine, lab.technician, method, Activity.PERFORM)
    authorise(engine, lab.reviewer, method, Activity.REVIEW)
    authorise(engine, lab.signatory, method, Activity.SIGN)
    return method


# Twenty runs of the CMM program on the calibrated ring, ten reading 20.0020 mm and ten
# 20.0024 mm, after the product's run, in one QIF Results file.
RING_RUNS = [20.0020] * 10 + [20.0024] * 10
SUBSTITUTION_METHOD = {
    "coordinate_budget": {**COORDINATE_BUDGET, "workpiece_variation": 0.5},
    "equipment_roles": {"cmm": ["cmm"], "reference_workpiece": ["reference_workpiece"]},
}


def with_workpiece_runs(report: bytes, *, product: str, workpiece: str, runs: list[float]) -> bytes:
    """``report`` (one part's results) with the same program's runs on the calibrated
    workpiece after it, one value each, every part named by its serial number as QIF Results
    name the part measured (ActualComponent, as the SheetMetal sample of qif-community does)."""
    q = f"{{{qif.NS}}}"
    root = qif.parse(report)
    result_set = root.find(f".//{q}MeasurementResultsSet")
    assert result_set is not None
    (measured,) = list(result_set)
    next_id = int(root.get("idMax", "0")) + 1
    product_id, workpiece_id = str(next_id), str(next_id + 1)
    next_id += 2
    etree.SubElement(
        etree.SubElement(measured, f"{q}ActualComponentIds", n="1"), f"{q}Id"
    ).text = product_id
    for value in runs:
        run = copy.deepcopy(measured)
        for element in run.iter():
            if element.get("id") is not None:
                element.set("id", str(next_id))
                next_id += 1
        run.find(f".//{q}CharacteristicMeasurements/*/{q}Value").text = repr(value)  # type: ignore[union-attr]
        run.find(f"{q}ActualComponentIds/{q}Id").text = workpiece_id  # type: ignore[union-attr]
        result_set.append(run)
    result_set.set("n", str(len(result_set)))
    components = etree.Element(f"{q}ActualComponentSets", n="1")
    component_set = etree.SubElement(components, f"{q}ActualComponentSet", n="2")
    for identifier, serial in ((product_id, product), (workpiece_id, workpiece)):
        component = etree.SubElement(component_set, f"{q}ActualComponent", id=identifier)
        etree.SubElement(component, f"{q}SerialNumber").text = serial
        status = etree.SubElement(component, f"{q}Status")
        etree.SubElement(status, f"{q}InspectionStatusEnum").text = "PASS"
    result_set.addnext(components)
    root.set("idMax", str(next_id - 1))
    document = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    qif.validate(qif.parse(document), shared_path("schemas", "qif"))
    return document


def calibrated_ring(engine: Engine, lab: Lab, **overrides: object) -> Equipment:
    """A 20 mm reference ring calibrated at 20 mm + 1.2 um, U = 0.4 um (k = 2)."""
    workpiece = make_equipment(
        engine,
        **{
            "name": "Reference ring 20 mm",
            "kind": "reference_workpiece",
            "serial_number": "RW-20-001",
            **overrides,
        },
    )
    today = local_today(lab.settings.timezone)
    make_calibration(
        engine,
        workpiece,
        calibrated_on=(today - timedelta(days=30)).isoformat(),
        next_due_on=(today + timedelta(days=335)).isoformat(),
        results=[{"quantity": "diameter deviation", "nominal": 20, "nominal_unit": "mm",
                  "value": 1.2, "unit": "um", "expanded_uncertainty": 0.4,
                  "coverage_factor": 2}],
    )  # fmt: skip
    return workpiece
