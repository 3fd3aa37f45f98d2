"""``lims serve`` as a real server process, for tests that kill it, run several workers or
send it many requests at once.

The server runs in its own process group, so killing the group ends uvicorn's worker
processes too and nothing outlives the test.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx2

START_SECONDS = 120.0  # imports alone take seconds on a busy two-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LimsServer:
    """One ``lims serve`` process (group) on a free loopback port."""

    def __init__(self, *, database_url: str, data_dir: Path, workers: int = 1) -> None:
        self.environment = {
            **os.environ,
            "LIMS_DATABASE_URL": database_url,
            "LIMS_DATA_DIR": str(data_dir),
            "LIMS_ENVIRONMENT": "test",
            "LIMS_LOG_LEVEL": "WARNING",
        }
        self.workers = workers
        self.log = data_dir.parent / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        command = [sys.executable, "-c", "from lims.cli import main; main()", "serve"]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"lims serve exited: see {self.log}")
            try:
                if httpx2.get(f"{self.url}/api/v1/ready", timeout=2).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"lims serve did not become ready in {START_SECONDS} s")

    def kill(self) -> None:
        """SIGKILL the whole server at once, as a crash or the OOM killer would."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, signal_number: int) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal_number)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


@contextmanager
def serving(*, database_url: str, data_dir: Path, workers: int = 1) -> Iterator[LimsServer]:
    server = LimsServer(database_url=database_url, data_dir=data_dir, workers=workers)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def all_at_once(calls: list[Callable[[], httpx2.Response]]) -> list[httpx2.Response]:
    """Run every call in its own thread, released together."""
    start = threading.Barrier(len(calls))
    answers: list[httpx2.Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(answer is not None for answer in answers)
    return answers  # type: ignore[return-value]
