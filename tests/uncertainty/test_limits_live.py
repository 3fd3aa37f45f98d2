"""A client that hangs up on a live server (uvicorn, as `lims serve` runs it) stops its run.

The in-process test (test_limits.py) tells the application of the disconnect by hand; here
a real socket is closed while the run computes, as a browser tab or a curl that gives up does.
"""

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.api import uncertainty as uncertainty_api
from lims.app import create_app
from lims.config import Settings
from lims.uncertainty import EvaluationRequest, evaluate
from lims.uncertainty import montecarlo as mc
from lims.uncertainty.montecarlo import MonteCarloStopped
from tests.factories import bearer, make_user
from tests.uncertainty.test_limits import EVALUATE, sum_of_two

#: Generous bounds on waiting for events that come within a second or two.
WAIT_SECONDS = 60
CHUNKS = 15  # 15 x 2**20 trials: under LIMS_MAX_MONTE_CARLO_TRIALS


@pytest.fixture
def live(
    make_settings: Callable[..., Settings], database_url: str, engine: Engine
) -> Iterator[tuple[int, dict[str, str]]]:
    """The application served by uvicorn on a free port, and a technician's header."""
    settings = make_settings(database_url=database_url)
    headers = bearer(settings, make_user(engine, Role.TECHNICIAN))
    app = create_app(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.02)
    yield port, headers
    server.should_exit = True
    thread.join(timeout=WAIT_SECONDS)
    app.state.engine.dispose()


def test_closing_the_connection_stops_the_run_on_a_live_server(
    live: tuple[int, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, headers = live
    chunks: list[int] = []
    computing = threading.Event()
    ended = threading.Event()
    stopped: list[MonteCarloStopped] = []

    def counted(body: EvaluationRequest, **options: Any) -> dict[str, Any]:
        def progress(done: int, total: int) -> None:
            chunks.append(done)
            computing.set()

        try:
            return evaluate(body, progress=progress, **options)
        except MonteCarloStopped as error:
            stopped.append(error)
            raise
        finally:
            ended.set()

    monkeypatch.setattr(uncertainty_api, "evaluate", counted)
    body = json.dumps(sum_of_two(CHUNKS * mc.CHUNK)).encode()
    head = (
        f"POST {EVALUATE} HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        + f"Content-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(head.encode() + body)
        assert computing.wait(WAIT_SECONDS), "the run did not start"
    assert ended.wait(WAIT_SECONDS), "the run did not end"
    assert len(stopped) == 1
    assert len(chunks) < CHUNKS
