"""ASGI middleware: request ids with a JSON access log, and a cap on request body size.

Both are plain ASGI (not BaseHTTPMiddleware) so streaming bodies stay streaming.
"""

import json
import logging
import re
import time
import uuid
from http import HTTPStatus
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lims.api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE

logger = logging.getLogger("lims.request")
# A caller (a proxy, a CMM cell) may bring its own id; accept only a short, plain token.
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
UPLOAD_MEDIA_TYPES = ("multipart/form-data", "application/octet-stream", "text/csv")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = _header(scope, b"x-request-id")
        request_id = (
            offered if offered and _ACCEPTABLE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder: dict[str, int] = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status_holder["status"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


class BodySizeLimitMiddleware:
    """Refuse request bodies over the limit with 413, before the application reads them all.

    File uploads have their own, larger limit; everything else is JSON and small.
    """

    def __init__(self, app: ASGIApp, *, max_request_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type = _header(scope, b"content-type") or ""
        limit = (
            self.max_upload_bytes
            if content_type.startswith(UPLOAD_MEDIA_TYPES)
            else self.max_request_bytes
        )
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(scope, send, limit)
            return
        received = 0
        response_started = False
        refused = False

        async def counting_receive() -> Message:
            # Past the limit, answer 413 ourselves and tell the application the client left;
            # whatever it then tries to send is dropped.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not response_started:
                    refused = True
                    await _send_too_large(scope, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)


#: Everything from this origin only; no inline script or style, no plugins, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
#: The interactive API documentation (lims.api.docs) loads its script and style from this
#: service (/docs-assets) and starts with an inline script; ReDoc also styles inline and
#: searches in a worker it makes from a blob.  Only the documentation pages get this policy.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    """Security headers on every answer; HSTS only on answers sent over TLS.

    "Over TLS" is the request's scheme: ``https`` when TLS ends at uvicorn, or when a proxy
    that uvicorn trusts (``LIMS_FORWARDED_ALLOW_IPS``) says so in ``X-Forwarded-Proto``.
    Sending HSTS over plain HTTP would be ignored at best, so it is not sent.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = (
            DOCS_CONTENT_SECURITY_POLICY if scope["path"] in DOCS_PATHS else CONTENT_SECURITY_POLICY
        )
        headers = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if scope.get("scheme") == "https":
            headers.append((b"strict-transport-security", HSTS.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(header for header in headers if header[0] not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _send_too_large(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_TYPE_BASE + "too-large",
            "title": HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase,
            "status": 413,
            "detail": f"The request body is larger than the limit of {limit} bytes.",
            "instance": scope["path"],
            "request_id": scope.get("state", {}).get("request_id"),
        }
    ).encode()
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    headers: Any = scope.get("headers", [])
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None
