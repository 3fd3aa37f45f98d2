"""Uncertainty evaluation and conformity decisions over HTTP (the engine is lims.uncertainty).

A request's Monte Carlo run is bounded three ways: its work (trials times the size of the
models, refused before it starts beyond ``LIMS_MAX_MONTE_CARLO_WORK``), its time (stopped
between batches of trials after ``LIMS_MONTE_CARLO_SECONDS``, or as soon as the client goes
away), and the runs at once in the process (``LIMS_MAX_MONTE_CARLO_RUNS``, see lims.limits).
The CLI runs the engine without these bounds.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Request

from lims.api.deps import CurrentActor, SettingsDep
from lims.api.problems import request_language
from lims.config import Settings
from lims.errors import InvalidInput
from lims.jobs.results import capability_policy
from lims.limits import RETRY_AFTER_SECONDS, TimeLimitReached, work_pools
from lims.problem_text import localized_warnings
from lims.uncertainty import (
    DecisionRequest,
    DecisionResponse,
    EvaluationRequest,
    EvaluationResponse,
    UncertaintyInputError,
    decide,
    evaluate,
    parse_model,
)
from lims.uncertainty.expression import Node
from lims.uncertainty.montecarlo import MonteCarloStopped
from lims.uncertainty.schemas import McmSettings

router = APIRouter(prefix="/uncertainty", tags=["uncertainty"])
# Evaluations change no record: API tokens with the read scope and auditors may run them.
READ_ONLY = {"x-read-only": True}
#: How often a running evaluation asks whether its client is still there.
DISCONNECT_POLL_SECONDS = 0.25
Answer = TypeVar("Answer")


class TooMuchWork(InvalidInput):
    """A Monte Carlo run over ``LIMS_MAX_MONTE_CARLO_WORK``; says how to get under it."""

    slug = "too-much-work"

    def __init__(self, message: str, *, work: int, limit: int, code: str, **params: Any) -> None:
        super().__init__(
            message, location=("mcm", "trials"), code=code, work=work, limit=limit, **params
        )
        # The UI words its own message from these.
        self.extensions = {"limit": "LIMS_MAX_MONTE_CARLO_WORK", "work": work, "max_work": limit}


def _nodes(node: Node) -> int:
    return 1 + sum(_nodes(arg) for arg in node.args)


def model_size(body: EvaluationRequest) -> int:
    """The nodes (numbers, names, operations) of every output's parsed model, together.

    Each operation is one pass of a NumPy function over every trial, so the nodes track the
    cost of a trial where the text's length would not: blanks, long names and constant
    parts (folded when parsed) cost nothing. A model that does not parse counts nothing
    here; ``evaluate`` refuses it with its position.
    """
    texts = list((body.models or {}).values()) + ([body.model] if body.model else [])
    size = 0
    for text in texts:
        try:
            size += _nodes(parse_model(text).tree)
        except UncertaintyInputError:
            continue
    return size


def _check_trials(body: EvaluationRequest, settings: Settings) -> None:
    if body.mcm is not None and body.mcm.trials > settings.max_monte_carlo_trials:
        # The engine can run far more in bounded memory, but one HTTP request should not hold
        # a worker for minutes; the CLI has no such limit.
        raise InvalidInput(
            "at most %(max_monte_carlo_trials)s Monte Carlo trials per request "
            "here; use the CLI (lims uncertainty evaluate) for more",
            code="api.most_monte_carlo_trials_per",
            max_monte_carlo_trials=settings.max_monte_carlo_trials,
            location=("mcm", "trials"),
        )


def _check_work(body: EvaluationRequest, settings: Settings) -> None:
    mcm = body.mcm or McmSettings()
    size = model_size(body)
    work = mcm.trials * size
    limit = settings.max_monte_carlo_work
    if work > limit:
        raise TooMuchWork(
            "this Monte Carlo run is %(trials)s trials times %(size)s model nodes "
            "= %(work)s units of work; the limit here is %(limit)s "
            "(LIMS_MAX_MONTE_CARLO_WORK): ask for at most %(trials_at_most)s trials, "
            "simplify the model, or run it with the CLI (lims uncertainty evaluate)",
            code="api.monte_carlo_run_trials_times",
            trials=mcm.trials,
            size=size,
            work=work,
            limit=limit,
            trials_at_most=limit // size,
        )


@router.post(
    "/evaluate",
    response_model=EvaluationResponse,
    summary="Evaluate a measurement model (GUM and/or Monte Carlo)",
    openapi_extra=READ_ONLY,
)
async def evaluate_model(
    body: EvaluationRequest, request: Request, _actor: CurrentActor, settings: SettingsDep
) -> dict[str, Any]:
    _check_trials(body, settings)
    if body.method == "gum":
        return in_language(await anyio.to_thread.run_sync(evaluate, body), request)
    _check_work(body, settings)
    runs = work_pools(request.app.state, settings).monte_carlo
    gone = threading.Event()

    def run() -> dict[str, Any]:
        with runs.slot():
            # The time limit counts from the start of the run, not from the wait for a slot.
            deadline = time.monotonic() + settings.monte_carlo_seconds
            try:
                return evaluate(
                    body, should_stop=lambda: gone.is_set() or time.monotonic() >= deadline
                )
            except MonteCarloStopped:
                if gone.is_set():  # an answer no one reads
                    raise InvalidInput(
                        "the client went away; its run was stopped",
                        code="api.client_went_away_run_was",
                    ) from None
                raise TimeLimitReached(
                    "the Monte Carlo run was stopped at the time limit of "
                    "%(monte_carlo_seconds)g s per request (LIMS_MONTE_CARLO_SECONDS); ask "
                    "for fewer trials, use the adaptive procedure, or run it with the CLI "
                    "(lims uncertainty evaluate)",
                    code="api.monte_carlo_run_was_stopped",
                    monte_carlo_seconds=settings.monte_carlo_seconds,
                    setting="LIMS_MONTE_CARLO_SECONDS",
                    retry_after=RETRY_AFTER_SECONDS,
                ) from None

    return in_language(await _while_connected(request, run, gone), request)


def in_language(answer: dict[str, Any], request: Request) -> dict[str, Any]:
    """The engine's answer with its warnings worded in the language the request asks for
    (English by default, as API clients have always read them)."""
    return {**answer, "warnings": localized_warnings(answer["warnings"], request_language(request))}


async def _while_connected(
    request: Request, work: Callable[[], Answer], gone: threading.Event
) -> Answer:
    """``work()`` in a worker thread, with ``gone`` set as soon as the client disconnects."""
    outcome: Future[Answer] = Future()

    def run() -> None:
        try:
            outcome.set_result(work())
        except Exception as error:  # re-raised below, outside the task group
            outcome.set_exception(error)

    async with anyio.create_task_group() as group:
        group.start_soon(_watch_disconnect, request, gone)
        await anyio.to_thread.run_sync(run)
        group.cancel_scope.cancel()
    return outcome.result()


async def _watch_disconnect(request: Request, gone: threading.Event) -> None:
    while not await request.is_disconnected():
        await anyio.sleep(DISCONNECT_POLL_SECONDS)
    gone.set()


@router.post(
    "/decide",
    response_model=DecisionResponse,
    summary="Decide conformity with a tolerance by a decision rule (ILAC-G8)",
    openapi_extra=READ_ONLY,
)
def decide_conformity(
    body: DecisionRequest, request: Request, _actor: CurrentActor, settings: SettingsDep
) -> dict[str, Any]:
    # Simple acceptance is checked against the lab's minimum TUR and probability of
    # conformance, as on job results.
    return in_language(decide(body, capability_policy(settings)), request)
