"""Competence records: the evidence a completed programme or an RR test leaves for a staff
member, and the step from evidence to authorisation, which a person still takes.

An RR test supports an authorisation only for the method it names: a micrometer study is no
evidence of competence with a coordinate measuring machine.

Granting goes through :func:`lims.competence.service.grant_on_checked_evidence` with the record as
its basis, so every rule of authorisations (who may grant, the signatory role, the dates)
holds here too.
"""

from sqlmodel import Session, col, select

from lims.accounts.principal import Principal, require_role
from lims.competence import service as competence
from lims.competence.models import Authorisation, AuthorisationCreate, Basis
from lims.errors import InvalidInput, NotFound
from lims.methods.models import Method
from lims.training.models import (
    AuthorisationFromRecord,
    CompetenceRecord,
    CompetenceSource,
    RRTest,
)
from lims.training.service import MANAGERS, READERS


def list_competence_records(
    db_session: Session, *, actor: Principal, staff_id: int
) -> list[CompetenceRecord]:
    require_role(actor, *READERS, doing="read competence records")
    competence.staff_member(db_session, staff_id)
    return list(
        db_session.exec(
            select(CompetenceRecord)
            .where(CompetenceRecord.user_id == staff_id)
            .order_by(col(CompetenceRecord.achieved_on), col(CompetenceRecord.id))
        )
    )


def authorise_from_record(
    db_session: Session, *, actor: Principal, record_id: int, data: AuthorisationFromRecord
) -> Authorisation:
    """Grant an authorisation citing a competence record; the actor is the person granting."""
    require_role(actor, *MANAGERS, doing="grant authorisations")
    record = db_session.get(CompetenceRecord, record_id)
    if record is None:
        raise NotFound(
            "competence record %(record_id)s does not exist",
            code="training.competence_record_does_exist",
            record_id=record_id,
        )
    if not record.supports_authorisation:
        raise InvalidInput(
            "competence record %(record_id)s records an outcome that was not "
            "acceptable: it cannot be the basis of an authorisation",
            code="training.competence_record_records_outcome_was",
            record_id=record_id,
            location=("record_id",),
        )
    if record.source == CompetenceSource.RR_TEST:
        _check_same_method(db_session, record, data.method_id)
    if data.granted_on < record.achieved_on:
        raise InvalidInput(
            "an authorisation on this basis cannot be granted before %(achieved_on)s",
            code="training.authorisation_basis_cannot_granted_before",
            achieved_on=record.achieved_on,
            location=("granted_on",),
        )
    basis = Basis.RR_TEST if record.source == CompetenceSource.RR_TEST else Basis.TRAINING
    return competence.grant_on_checked_evidence(
        db_session,
        actor=actor,
        staff_id=record.user_id,
        data=AuthorisationCreate(
            method_id=data.method_id,
            activity=data.activity,
            basis=basis,
            basis_reference=f"pätevyysnäyttö {record.id}: {record.description}"[:500],
            granted_on=data.granted_on,
            valid_until=data.valid_until,
        ),
    )


def _check_same_method(db_session: Session, record: CompetenceRecord, method_id: int) -> None:
    rr_test = db_session.get_one(RRTest, record.rr_test_id)
    studied = db_session.get(Method, rr_test.method_id) if rr_test.method_id else None
    wanted = db_session.get(Method, method_id)
    asked = wanted.label() if wanted else f"method {method_id}"
    if studied is None:
        raise InvalidInput(
            "RR test %(rr_test)s names no method: it supports no authorisation for %(asked)s",
            code="training.rr_test_names_method_supports",
            rr_test=rr_test.number,
            asked=asked,
            location=("method_id",),
        )
    if studied.id != method_id:
        raise InvalidInput(
            "RR test %(rr_test)s studied %(label)s: it supports no authorisation for %(asked)s",
            code="training.rr_test_studied_supports_authorisation",
            rr_test=rr_test.number,
            label=studied.label(),
            asked=asked,
            location=("method_id",),
        )
