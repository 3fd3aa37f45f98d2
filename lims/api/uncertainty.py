"""Uncertainty evaluation and conformity decisions over HTTP (the engine is lims.uncertainty)."""

from typing import Any

from fastapi import APIRouter

from lims.api.deps import CurrentActor, SettingsDep
from lims.errors import InvalidInput
from lims.uncertainty import (
    DecisionRequest,
    DecisionResponse,
    EvaluationRequest,
    EvaluationResponse,
    decide,
    evaluate,
)

router = APIRouter(prefix="/uncertainty", tags=["uncertainty"])
# Evaluations change no record: API tokens with the read scope and auditors may run them.
READ_ONLY = {"x-read-only": True}


@router.post(
    "/evaluate",
    response_model=EvaluationResponse,
    summary="Evaluate a measurement model (GUM and/or Monte Carlo)",
    openapi_extra=READ_ONLY,
)
def evaluate_model(
    body: EvaluationRequest, _actor: CurrentActor, settings: SettingsDep
) -> dict[str, Any]:
    if body.mcm is not None and body.mcm.trials > settings.max_monte_carlo_trials:
        # The engine can run far more in bounded memory, but one HTTP request should not hold
        # a worker for minutes; the CLI has no such limit.
        raise InvalidInput(
            f"at most {settings.max_monte_carlo_trials} Monte Carlo trials per request here; "
            "use the CLI (lims uncertainty evaluate) for more",
            location=("mcm", "trials"),
        )
    return evaluate(body)


@router.post(
    "/decide",
    response_model=DecisionResponse,
    summary="Decide conformity with a tolerance by a decision rule (ILAC-G8)",
    openapi_extra=READ_ONLY,
)
def decide_conformity(body: DecisionRequest, _actor: CurrentActor) -> dict[str, Any]:
    return decide(body)
