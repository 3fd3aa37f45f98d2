"""The audit trail: one record's history, and verification of the hash chain."""

from typing import Annotated

from fastapi import APIRouter, Query

from lims.api.deps import CurrentActor, SessionDep
from lims.audit import service
from lims.audit.models import AuditEventPublic, ChainVerification

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditEventPublic], summary="History of one record")
def history(
    actor: CurrentActor,
    db_session: SessionDep,
    entity_type: Annotated[str, Query(min_length=1, max_length=64, examples=["organisation"])],
    entity_id: Annotated[str, Query(min_length=1, max_length=64, examples=["1"])],
) -> list[AuditEventPublic]:
    events = service.history(db_session, actor=actor, entity_type=entity_type, entity_id=entity_id)
    return [AuditEventPublic.model_validate(event, from_attributes=True) for event in events]


@router.get("/verify", response_model=ChainVerification, summary="Verify the hash chain")
def verify(actor: CurrentActor, db_session: SessionDep) -> ChainVerification:
    return service.verify(db_session, actor=actor)
