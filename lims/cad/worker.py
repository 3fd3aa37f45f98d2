"""Read a model in a separate process with a size cap, a memory cap and a timeout.

A hostile file (a record loop, a gzip or XML bomb, a 2 GB upload) must cost bounded time
and memory: the reader runs in a fresh process (``spawn``: no locks or threads inherited
from the server) whose address space is capped with ``RLIMIT_AS``; if it has not answered
within the timeout it is killed.  The caller gets the model or one ``InvalidInput`` naming
the problem; nothing is written anywhere.  How many readers run at once is the caller's to
bound (the service takes a slot of ``LIMS_MAX_CAD_READERS``, see lims.limits).  The worker
answers a refusal as its :class:`Reason` (template and parameters, not text), so that it is
worded in the reader's language on this side of the process boundary.
"""

import multiprocessing
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from lims.cad.plan import CadError
from lims.cad.reader import Model, read_model
from lims.config import Settings
from lims.errors import InvalidInput, TooLarge
from lims.reasons import Reason


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_decompressed_bytes: int
    max_memory_bytes: int
    timeout_seconds: float
    qif_schema_dir: Path | None = None


def read_bounded(path: Path, limits: Limits) -> Model:
    """The model of the file at ``path``, read under ``limits`` in a worker process."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise TooLarge(
            "the model is %(size)s bytes; the limit is %(max_bytes)s bytes",
            code="cad.model_bytes_limit_bytes",
            size=size,
            max_bytes=limits.max_bytes,
        )
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_work, args=(sender, path, limits), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(limits.timeout_seconds):
            raise InvalidInput(
                "reading the model took longer than %(timeout_seconds)g s and was stopped",
                code="cad.reading_model_took_longer_than",
                timeout_seconds=limits.timeout_seconds,
            )
        outcome, payload = receiver.recv()
    except EOFError:
        raise InvalidInput(
            "the reader stopped without an answer (the file needs more memory than "
            "%(max_memory_bytes)s bytes, or it is damaged)",
            code="cad.reader_stopped_without_answer_file",
            max_memory_bytes=limits.max_memory_bytes,
        ) from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if outcome == "error":
        raise InvalidInput("%(reason)s", code="cad.model_unreadable", reason=payload)
    return payload


def _work(sender: Connection, path: Path, limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.max_memory_bytes, limits.max_memory_bytes))
    try:
        model = read_model(
            path.read_bytes(),
            qif_schema_dir=limits.qif_schema_dir,
            max_decompressed_bytes=limits.max_decompressed_bytes,
        )
        sender.send(("model", model))
    except CadError as error:
        sender.send(("error", error.reason))
    except MemoryError:
        sender.send(
            (
                "error",
                Reason(
                    "the file needs more memory than %(max_memory_bytes)s bytes",
                    max_memory_bytes=limits.max_memory_bytes,
                ),
            )
        )
    except RecursionError:
        sender.send(("error", Reason("the file nests too deep to read")))
    except Exception as error:  # a reader bug must still answer as a refusal, never a 500
        sender.send(
            (
                "error",
                Reason("the reader failed on this file (%(slip)s)", slip=type(error).__name__),
            )
        )
    finally:
        sender.close()


def limits_of(settings: Settings) -> Limits:
    return Limits(
        max_bytes=settings.max_upload_bytes,
        max_decompressed_bytes=settings.cad_max_decompressed_bytes,
        max_memory_bytes=settings.cad_max_memory_bytes,
        timeout_seconds=settings.cad_parse_seconds,
        qif_schema_dir=settings.qif_schema_dir,
    )
