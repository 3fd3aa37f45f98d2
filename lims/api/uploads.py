"""File uploads over HTTP: a raw body (a file, or CSV), streamed to disk.

Uploads are raw bodies rather than multipart forms so that the upload size cap of the
middleware applies by media type.  Every upload route takes its body one way,
``receive_upload``: the service's check that the caller may change the record runs before a
byte of the body is read, the body is streamed into a temporary file under the data directory,
and the service then reads it (into the file store, or into a parser) at its own pace.  A file
name is held to the one rule of ``lims.sniffing.check_filename``, also before the body.
A process killed during an upload leaves its temporary file behind; the application removes
such leftovers when it starts (``remove_interrupted_uploads``).
"""

import logging
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from lims.config import Settings
from lims.errors import InvalidInput, StorageFull, TooLarge
from lims.sniffing import check_filename
from lims.storage import is_out_of_space

Kept = TypeVar("Kept")
INCOMING_FOLDER = "incoming"
SPOOL_SUFFIX = ".upload"
#: A leftover is a spool file untouched this long: an upload in progress in another worker
#: writes to its file at least once a chunk, so it is never this old.
INTERRUPTED_AFTER_SECONDS = 3600
logger = logging.getLogger("lims.uploads")
FILENAME_QUERY = Query(
    max_length=255,
    description="The file's name, e.g. drawing 1234-A.pdf: a name only, without folders",
)


def _plain_name(filename: Annotated[str, FILENAME_QUERY]) -> str:
    return check_filename(filename)


def _plain_name_if_given(filename: Annotated[str | None, FILENAME_QUERY] = None) -> str | None:
    return None if filename is None else check_filename(filename)


FileName = Annotated[str, Depends(_plain_name)]
OptionalFileName = Annotated[str | None, Depends(_plain_name_if_given)]


def octet_stream_body(description: str, example: str) -> dict[str, Any]:
    """The OpenAPI request body of an upload route (for ``openapi_extra``)."""
    return {
        "requestBody": {
            "required": True,
            "description": f"{description}, as application/octet-stream "
            "(at most LIMS_MAX_UPLOAD_BYTES)",
            "content": {
                "application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": example,
                }
            },
        }
    }


async def receive_upload(
    request: Request,
    settings: Settings,
    *,
    may_write: Callable[[], object],
    keep: Callable[[Path], Kept],
) -> Kept:
    """Refuse the caller ``may_write`` refuses before reading the body, so a stranger's or a
    reader's upload costs nothing; then stream the body and ``keep`` it from its temporary file,
    which is gone afterwards."""
    await run_in_threadpool(may_write)
    async with _body_in_file(request, settings) as path:
        return await run_in_threadpool(keep, path)


@asynccontextmanager
async def _body_in_file(request: Request, settings: Settings) -> AsyncIterator[Path]:
    """The request body streamed into a temporary file, refused beyond the upload limit."""
    incoming = settings.data_dir / INCOMING_FOLDER
    incoming.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=incoming, suffix=SPOOL_SUFFIX) as spool:
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    raise TooLarge(
                        "the file is larger than the limit of %(max_upload_bytes)s bytes",
                        code="api.file_larger_than_limit_bytes",
                        max_upload_bytes=settings.max_upload_bytes,
                    )
                spool.write(chunk)
            spool.flush()
        except ClientDisconnect:
            # The size cap (middleware) has already answered 413, or the client went away.
            raise InvalidInput(
                "the upload stopped before its end", code="api.upload_stopped_before_end"
            ) from None
        except OSError as error:
            if is_out_of_space(error):
                raise StorageFull(
                    "the file store is full: nothing was stored; ask the lab's administrator "
                    "to free space, "
                    "then send the file again",
                    code="storage.file_store_full",
                ) from error
            raise
        yield Path(spool.name)


def remove_interrupted_uploads(data_dir: Path, *, now: float | None = None) -> int:
    """Remove the spool files of uploads interrupted by a killed process: those not written
    to for ``INTERRUPTED_AFTER_SECONDS``, so that another worker's upload in progress stays.
    Logs and returns how many."""
    cutoff = (time.time() if now is None else now) - INTERRUPTED_AFTER_SECONDS
    removed = 0
    for leftover in (data_dir / INCOMING_FOLDER).glob(f"*{SPOOL_SUFFIX}"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another worker starting at the same time removed it first
    logger.info("removed %d interrupted uploads from %s", removed, data_dir / INCOMING_FOLDER)
    return removed
