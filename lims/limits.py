"""Bounds on the work one service process takes on at once.

Monte Carlo runs and CAD readers each take a slot from a pool of their own for as long as they
compute.  A request that finds its pool full waits a little (``LIMS_BUSY_WAIT_SECONDS``) for a
slot to come free and is otherwise refused with 503 and Retry-After, rather than queueing
without end: ten uploads at once must not start ten 4 GiB readers, nor ten Monte Carlo runs
share the CPUs until every one of them times out.  The pools count per process; with
``lims serve --workers N`` the installation runs N times as many.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import State

from lims.config import Settings
from lims.errors import LimsError

#: Seconds a refused client is told to wait: about what a typical Monte Carlo run or model
#: read takes, so that a retry usually finds a free slot.
RETRY_AFTER_SECONDS = 10


class Busy(LimsError):
    """All slots of a pool are taken: try again after ``retry_after`` seconds."""

    status = 503
    title = "Busy"
    slug = "busy"

    def __init__(
        self, message: str, *, setting: str, retry_after: int, code: str, **params: Any
    ) -> None:
        super().__init__(message, code=code, setting=setting, **params)
        self.retry_after = retry_after
        # The UI words its own message from these.
        self.extensions = {"limit": setting, "retry_after": retry_after}


class TimeLimitReached(LimsError):
    """A computation stopped at its time limit; the server may be less busy later."""

    status = 503
    title = "Time limit reached"
    slug = "time-limit"

    def __init__(
        self, message: str, *, setting: str, retry_after: int, code: str, **params: Any
    ) -> None:
        super().__init__(message, code=code, setting=setting, **params)
        self.retry_after = retry_after
        self.extensions = {"limit": setting, "retry_after": retry_after}


class SlotPool:
    """At most ``size`` holders at once; another waits up to ``wait_seconds``, then Busy.

    >>> pool = SlotPool("Monte Carlo runs", size=1, setting="LIMS_MAX_MONTE_CARLO_RUNS")
    >>> with pool.slot(), pool.slot():  # doctest: +ELLIPSIS
    ...     pass
    Traceback (most recent call last):
    ...
    lims.limits.Busy: the most Monte Carlo runs at once (LIMS_MAX_MONTE_CARLO_RUNS = 1) ...
    """

    def __init__(self, what: str, *, size: int, setting: str, wait_seconds: float = 0.0) -> None:
        self.what = what
        self.size = size
        self.setting = setting
        self.wait_seconds = wait_seconds
        self._free = threading.BoundedSemaphore(size)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the block; blocks the calling thread while it waits."""
        if not self._free.acquire(timeout=self.wait_seconds):
            raise Busy(
                "the most %(what)s at once (%(setting)s = %(size)s) are running; try "
                "again in %(retry_after_seconds)s s",
                code="limits.most_once_running_try_again",
                what=self.what,
                setting=self.setting,
                size=self.size,
                retry_after_seconds=RETRY_AFTER_SECONDS,
                retry_after=RETRY_AFTER_SECONDS,
            )
        try:
            yield
        finally:
            self._free.release()


@dataclass(frozen=True)
class WorkPools:
    """The pools of one application (one process)."""

    monte_carlo: SlotPool
    cad_readers: SlotPool

    @classmethod
    def of(cls, settings: Settings) -> "WorkPools":
        return cls(
            monte_carlo=SlotPool(
                "Monte Carlo runs",
                size=settings.max_monte_carlo_runs,
                setting="LIMS_MAX_MONTE_CARLO_RUNS",
                wait_seconds=settings.busy_wait_seconds,
            ),
            cad_readers=SlotPool(
                "CAD model readers",
                size=settings.max_cad_readers,
                setting="LIMS_MAX_CAD_READERS",
                wait_seconds=settings.busy_wait_seconds,
            ),
        )


def work_pools(state: State, settings: Settings) -> WorkPools:
    """The pools kept on ``state`` (an application's ``app.state``), made on first use.

    Called from the event loop's thread only (async routes), so two requests cannot both
    make them.
    """
    pools = getattr(state, "work_pools", None)
    if not isinstance(pools, WorkPools):
        pools = state.work_pools = WorkPools.of(settings)
    return pools
