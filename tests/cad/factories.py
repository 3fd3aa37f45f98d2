"""A proposed characteristic, as uploading a model would leave it; a CMM method with a
task-specific budget."""

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from lims.audit.trail import set_context
from lims.cad.models import CharacteristicProposal
from lims.competence.models import Activity
from lims.jobs.models import Job
from lims.methods.models import Method
from tests.equipment.factories import authorise, make_method
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
