"""A proposed characteristic, as uploading a model would leave it."""

from sqlalchemy import Engine
from sqlmodel import Session

from lims.audit.trail import set_context
from lims.cad.models import CharacteristicProposal
from lims.jobs.models import Job
from tests.factories import FACTORY_ACTOR


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
