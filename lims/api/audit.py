"""The audit trail: one record's history, and verification of the hash chain."""

from typing import Annotated

from fastapi import APIRouter, Query

from lims.api.deps import CurrentActor, SessionDep, SettingsDep
from lims.audit.keys import read_key_ring
from lims.audit.models import AuditEventPublic
from lims.records import audit_trail
from lims.records.checkpoints import AuditVerification, CheckpointSummary, check_checkpoints

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditEventPublic], summary="History of one record")
def history(
    actor: CurrentActor,
    db_session: SessionDep,
    entity: Annotated[
        str,
        Query(
            pattern=r"^[a-z_]{1,64}:[^\s]{1,64}$",
            description="The record as type:id, e.g. organisation:1 or result:42",
            examples=["organisation:1"],
        ),
    ],
) -> list[AuditEventPublic]:
    entity_type, entity_id = entity.split(":", 1)
    events = audit_trail.history(
        db_session, actor=actor, entity_type=entity_type, entity_id=entity_id
    )
    return [AuditEventPublic.model_validate(event, from_attributes=True) for event in events]


@router.get(
    "/verify",
    response_model=AuditVerification,
    summary="Verify the hash chain, and the chain against the signed checkpoints",
)
def verify(actor: CurrentActor, db_session: SessionDep, settings: SettingsDep) -> AuditVerification:
    keys = read_key_ring(settings.resolved_audit_key_dir)
    chain = audit_trail.verify(db_session, actor=actor, keys=keys)
    checkpoints = CheckpointSummary.of(check_checkpoints(db_session, settings))
    return AuditVerification(**chain.model_dump(), checkpoints=checkpoints)
