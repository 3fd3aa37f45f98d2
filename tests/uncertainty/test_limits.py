"""Bounded Monte Carlo work: per request (work, time, a client gone) and per process (runs).

Issue 21, item 5: 2 M trials x 10 outputs of an 841-character model ran 60 s over HTTP and
kept computing after the client gave up.  No test here measures wall-clock time: a run is
shown to stop by counting its chunks, and the time limit by one too short to reach.
"""

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.api import uncertainty as uncertainty_api
from lims.api.uncertainty import model_size
from lims.app import create_app
from lims.config import Settings
from lims.limits import work_pools
from lims.uncertainty import EvaluationRequest, evaluate
from lims.uncertainty import montecarlo as mc
from lims.uncertainty.montecarlo import MonteCarloStopped
from lims.uncertainty.schemas import EVALUATION_EXAMPLE, McmSettings
from tests.conftest import SHARED_DIR
from tests.factories import bearer, make_user

EVALUATE = "/api/v1/uncertainty/evaluate"
PUBLISHED = [
    *sorted((Path(__file__).parent / "published").glob("*.json")),
    *sorted((SHARED_DIR / "fixtures" / "uncertainty").glob("*.json")),
]


def sum_of_two(trials: int, seed: int = 7, **mcm: Any) -> dict[str, Any]:
    return {
        "model": "a + b",
        "inputs": [
            {"name": "a", "value": 1.0, "standard_uncertainty": 0.1},
            {"name": "b", "value": 2.0, "standard_uncertainty": 0.2},
        ],
        "method": "mcm",
        "mcm": {"trials": trials, "seed": seed, **mcm},
    }


def the_issues_model() -> str:
    """An 841-character model: twelve transcendental terms in three inputs."""
    terms = " + ".join(f"a*sin(b*{i}.25 + c) * exp(-c/{i + 1}.5) / (1 + b**2)" for i in range(12))
    text = f"{terms} + 1."
    return text + "0" * (841 - len(text))


@pytest.fixture
def technician(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.TECHNICIAN))


Served = tuple[FastAPI, TestClient, dict[str, str]]


@pytest.fixture
def serve(
    make_settings: Callable[..., Settings], database_url: str, engine: Engine
) -> Iterator[Callable[..., Served]]:
    """An application on settings of the test's own, its client and a technician's header."""
    with ExitStack() as stack:

        def start(**overrides: Any) -> Served:
            settings = make_settings(database_url=database_url, **overrides)
            app = create_app(settings)
            stack.callback(app.state.engine.dispose)
            client = stack.enter_context(TestClient(app, raise_server_exceptions=False))
            return app, client, bearer(settings, make_user(engine, Role.TECHNICIAN))

        yield start


# -- the engine stops when told ---------------------------------------------------------------


def test_a_run_told_to_stop_after_its_first_chunk_computes_no_further_chunk() -> None:
    stop = threading.Event()
    chunks: list[int] = []

    def progress(done: int, total: int) -> None:
        chunks.append(done)
        stop.set()

    with pytest.raises(MonteCarloStopped):
        evaluate(sum_of_two(3 * mc.CHUNK), progress=progress, should_stop=stop.is_set)
    assert chunks == [mc.CHUNK]


def test_an_adaptive_run_told_to_stop_stops_within_its_first_chunk() -> None:
    chunks: list[int] = []
    with pytest.raises(MonteCarloStopped):
        evaluate(
            sum_of_two(50 * mc.CHUNK, adaptive=True, significant_digits=6),
            progress=lambda done, total: chunks.append(done),
            should_stop=lambda: len(chunks) >= 1,
        )
    assert len(chunks) == 1


def test_asking_whether_to_stop_changes_no_value() -> None:
    request = sum_of_two(mc.CHUNK + 3 * mc.BATCH)
    assert evaluate(request, should_stop=lambda: False) == evaluate(request)


# -- the work of one request ------------------------------------------------------------------


def test_the_model_size_counts_what_runs_not_the_text() -> None:
    def size(model: str) -> int:
        return model_size(EvaluationRequest.model_validate({"model": model, "inputs": []}))

    assert size("a + b") == 3
    assert size("a_long_input_name + another_long_name") == 3
    assert size("a * (2 * 3 * 4)") == 3  # the constant part is folded when parsed
    assert size("sin(a) + 1") == 4


@pytest.mark.parametrize("case", PUBLISHED, ids=lambda path: path.stem)
def test_every_published_monte_carlo_example_is_within_the_default_work_limit(case: Path) -> None:
    request = EvaluationRequest.model_validate(json.loads(case.read_text())["request"])
    trials = (request.mcm or McmSettings()).trials
    assert trials * model_size(request) <= Settings().max_monte_carlo_work


def test_the_workbench_example_at_the_most_trials_is_within_the_default_work_limit() -> None:
    settings = Settings()
    request = EvaluationRequest.model_validate(EVALUATION_EXAMPLE)
    assert settings.max_monte_carlo_trials * model_size(request) <= settings.max_monte_carlo_work


def test_the_issues_run_of_2m_trials_of_10_outputs_is_refused_naming_the_limit(
    client: TestClient, technician: dict[str, str]
) -> None:
    model = the_issues_model()
    assert len(model) == 841
    request = {
        "models": {f"y{i}": model for i in range(10)},
        "inputs": [{"name": n, "value": 1.0, "standard_uncertainty": 0.1} for n in "abc"],
        "method": "mcm",
        "mcm": {"trials": 2_000_000},
    }
    response = client.post(EVALUATE, json=request, headers=technician)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    size = model_size(EvaluationRequest.model_validate(request))
    assert problem["type"].endswith("/too-much-work")
    assert (problem["limit"], problem["work"]) == ("LIMS_MAX_MONTE_CARLO_WORK", 2_000_000 * size)
    assert problem["errors"][0]["field"] == "mcm.trials"
    assert f"at most {problem['max_work'] // size} trials" in problem["detail"]


def test_the_trials_cap_still_holds_beside_the_work_limit(
    client: TestClient, technician: dict[str, str], settings: Settings
) -> None:
    request = sum_of_two(settings.max_monte_carlo_trials + 1)
    response = client.post(EVALUATE, json=request, headers=technician)
    assert response.status_code == 422
    assert "trials per request" in response.json()["detail"]


# -- the time of one request ------------------------------------------------------------------


def test_a_run_past_the_time_limit_is_stopped_with_503_naming_the_limit(
    serve: Callable[..., Served],
) -> None:
    _, client, headers = serve(monte_carlo_seconds=1e-9)
    response = client.post(EVALUATE, json=sum_of_two(1_000_000), headers=headers)
    gum = client.post(EVALUATE, json={**sum_of_two(1000), "method": "gum"}, headers=headers)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    problem = response.json()
    assert problem["type"].endswith("/time-limit")
    assert problem["limit"] == "LIMS_MONTE_CARLO_SECONDS"
    assert "LIMS_MONTE_CARLO_SECONDS" in problem["detail"]
    assert gum.status_code == 200  # GUM alone runs no Monte Carlo and meets no time limit


def test_a_client_that_goes_away_stops_its_run(
    app: FastAPI, technician: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks: list[int] = []
    stopped: list[MonteCarloStopped] = []

    def counted(body: EvaluationRequest, **options: Any) -> dict[str, Any]:
        try:
            return evaluate(body, progress=lambda done, total: chunks.append(done), **options)
        except MonteCarloStopped as error:
            stopped.append(error)
            raise

    monkeypatch.setattr(uncertainty_api, "evaluate", counted)
    body = json.dumps(sum_of_two(15 * mc.CHUNK)).encode()  # under LIMS_MAX_MONTE_CARLO_TRIALS
    asyncio.run(_post_and_hang_up(app, EVALUATE, body, technician))
    assert len(stopped) == 1
    assert len(chunks) < 15


async def _post_and_hang_up(app: FastAPI, path: str, body: bytes, headers: dict[str, str]) -> None:
    """Send the request, then tell the application the client has disconnected."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    messages = iter([{"type": "http.request", "body": body, "more_body": False}])

    async def receive() -> dict[str, Any]:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: dict[str, Any]) -> None:
        return None

    await app(scope, receive, send)


# -- runs at once in one process --------------------------------------------------------------


def test_with_the_one_run_taken_another_gets_503_with_retry_after_until_it_ends(
    serve: Callable[..., Served],
) -> None:
    app, client, headers = serve(max_monte_carlo_runs=1, busy_wait_seconds=0)
    runs = work_pools(app.state, app.state.settings).monte_carlo
    with runs.slot():
        busy = client.post(EVALUATE, json=sum_of_two(10_000), headers=headers)
        gum = client.post(EVALUATE, json={**sum_of_two(1000), "method": "gum"}, headers=headers)
    assert busy.status_code == 503, busy.text
    assert busy.headers["content-type"] == "application/problem+json"
    assert int(busy.headers["retry-after"]) > 0
    assert busy.json()["type"].endswith("/busy")
    assert busy.json()["limit"] == "LIMS_MAX_MONTE_CARLO_RUNS"
    assert gum.status_code == 200  # GUM alone takes no Monte Carlo slot
    after = client.post(EVALUATE, json=sum_of_two(10_000), headers=headers)
    assert after.status_code == 200, after.text
    assert after.json()["outputs"][0]["mcm"]["trials"] == 10_000
