"""Agreements and confidentiality clauses (service A)."""

from fastapi import APIRouter, status

from lims.api.deps import CurrentActor, SessionDep, SettingsDep
from lims.clock import local_today
from lims.contracts import agreements
from lims.contracts.models import (
    Agreement,
    AgreementAmendment,
    AgreementCreate,
    AgreementPublic,
    AgreementSigning,
    AgreementUpdate,
    ConfidentialityAcceptance,
    ConfidentialityClause,
    ConfidentialityClauseCreate,
    Reason,
)

router = APIRouter(tags=["agreements"])


def public(agreement: Agreement, settings: SettingsDep) -> AgreementPublic:
    return AgreementPublic.model_validate(
        {
            **agreement.model_dump(),
            "status": agreements.status_on(agreement, local_today(settings.timezone)),
        }
    )


@router.get("/confidentiality-clauses", response_model=list[ConfidentialityClause])
def list_clauses(_actor: CurrentActor, db_session: SessionDep) -> list[ConfidentialityClause]:
    return agreements.list_clauses(db_session)


@router.post(
    "/confidentiality-clauses",
    response_model=ConfidentialityClause,
    status_code=status.HTTP_201_CREATED,
)
def create_clause(
    body: ConfidentialityClauseCreate, actor: CurrentActor, db_session: SessionDep
) -> ConfidentialityClause:
    return agreements.create_clause(db_session, actor=actor, data=body)


@router.get("/agreements", response_model=list[AgreementPublic])
def list_agreements(
    actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> list[AgreementPublic]:
    return [public(a, settings) for a in agreements.list_agreements(db_session, actor=actor)]


@router.post("/agreements", response_model=AgreementPublic, status_code=status.HTTP_201_CREATED)
def create_agreement(
    body: AgreementCreate, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> AgreementPublic:
    return public(agreements.create_agreement(db_session, actor=actor, data=body), settings)


@router.get("/agreements/{agreement_id}", response_model=AgreementPublic)
def get_agreement(
    agreement_id: int, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> AgreementPublic:
    agreement = agreements.get_agreement(db_session, actor=actor, agreement_id=agreement_id)
    return public(agreement, settings)


@router.patch("/agreements/{agreement_id}", response_model=AgreementPublic)
def update_agreement(
    agreement_id: int,
    body: AgreementUpdate,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> AgreementPublic:
    agreement = agreements.update_agreement(
        db_session, actor=actor, agreement_id=agreement_id, data=body
    )
    return public(agreement, settings)


@router.post("/agreements/{agreement_id}/sign", response_model=AgreementPublic)
def sign_agreement(
    agreement_id: int,
    body: AgreementSigning,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> AgreementPublic:
    agreement = agreements.sign_agreement(
        db_session, actor=actor, agreement_id=agreement_id, data=body
    )
    return public(agreement, settings)


@router.post("/agreements/{agreement_id}/activate", response_model=AgreementPublic)
def activate_agreement(
    agreement_id: int, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> AgreementPublic:
    agreement = agreements.activate_agreement(db_session, actor=actor, agreement_id=agreement_id)
    return public(agreement, settings)


@router.post("/agreements/{agreement_id}/accept-confidentiality", response_model=AgreementPublic)
def accept_confidentiality(
    agreement_id: int,
    body: ConfidentialityAcceptance,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> AgreementPublic:
    agreement = agreements.accept_confidentiality(
        db_session, actor=actor, agreement_id=agreement_id, data=body, timezone=settings.timezone
    )
    return public(agreement, settings)


@router.post("/agreements/{agreement_id}/terminate", response_model=AgreementPublic)
def terminate_agreement(
    agreement_id: int,
    body: Reason,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> AgreementPublic:
    agreement = agreements.terminate_agreement(
        db_session,
        actor=actor,
        agreement_id=agreement_id,
        reason=body.reason,
        on=local_today(settings.timezone),
    )
    return public(agreement, settings)


@router.post(
    "/agreements/{agreement_id}/amendments",
    response_model=AgreementPublic,
    status_code=status.HTTP_201_CREATED,
)
def amend_agreement(
    agreement_id: int,
    body: AgreementAmendment,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> AgreementPublic:
    amendment = agreements.amend_agreement(
        db_session, actor=actor, agreement_id=agreement_id, data=body
    )
    return public(amendment, settings)
