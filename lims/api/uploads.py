"""File uploads over HTTP: a raw ``application/octet-stream`` body, streamed to disk.

Uploads are raw bodies rather than multipart forms so that the upload size cap of the
middleware applies by media type, and a caller without access is refused before a byte is
stored.  One helper streams the body into a temporary file under the data directory; the
service then reads it (into the file store, or into a parser) at its own pace.
"""

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from lims.config import Settings
from lims.errors import InvalidInput, StorageFull, TooLarge
from lims.storage import NO_SPACE_MESSAGE, is_out_of_space


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


@asynccontextmanager
async def body_in_file(request: Request, settings: Settings) -> AsyncIterator[Path]:
    """The request body streamed into a temporary file, refused beyond the upload limit."""
    incoming = settings.data_dir / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=incoming, suffix=".upload") as spool:
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    raise TooLarge(
                        f"the file is larger than the limit of {settings.max_upload_bytes} bytes"
                    )
                spool.write(chunk)
            spool.flush()
        except ClientDisconnect:
            # The size cap (middleware) has already answered 413, or the client went away.
            raise InvalidInput("the upload stopped before its end") from None
        except OSError as error:
            if is_out_of_space(error):
                raise StorageFull(NO_SPACE_MESSAGE) from error
            raise
        yield Path(spool.name)
