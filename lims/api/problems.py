"""RFC 9457 problem details for every 4xx and 5xx answer.

Each problem carries the request id, so a person reporting an error gives support the one
string that finds the matching log line.  Stack traces never leave the server.
"""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lims.errors import LimsError
from lims.uncertainty.errors import UncertaintyInputError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://lims.example/problems/"
logger = logging.getLogger("lims.api")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
        **extensions,
    }
    return ProblemResponse(body, status_code=status, headers=headers)


def field_path(location: Sequence[str | int]) -> str:
    """``("body", "inputs", 2, "dof")`` -> ``"inputs[2].dof"``: the path a person reads."""
    parts = list(location)
    if parts and parts[0] == "body":
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def _validation_message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    return message.removeprefix("Value error, ")


async def _on_validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        context = errors[0].get("ctx", {})
        return problem(
            request,
            400,
            f"The request body is not valid JSON ({context.get('error', 'malformed')}); "
            "send a JSON document.",
            slug="malformed-json",
            title="Malformed JSON",
        )
    described = [
        {
            "field": field_path(error["loc"]),
            "location": list(error["loc"]),
            "message": _validation_message(error),
        }
        for error in errors
    ]
    summary = "; ".join(f"{item['field']}: {item['message']}" for item in described[:5])
    more = f" (and {len(described) - 5} more)" if len(described) > 5 else ""
    return problem(
        request,
        422,
        f"Please correct the request: {summary}{more}.",
        slug="validation",
        title="Invalid request",
        errors=described,
    )


async def _on_http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    details = {
        404: f"There is nothing at {request.url.path}.",
        405: f"{request.method} is not allowed on {request.url.path}.",
    }
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code in details and detail == HTTPStatus(exc.status_code).phrase:
        detail = details[exc.status_code]
    return problem(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _on_domain_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, LimsError)
    extensions: dict[str, Any] = {}
    if exc.location:
        extensions["errors"] = [
            {
                "field": field_path(exc.location),
                "location": list(exc.location),
                "message": exc.message,
            }
        ]
    if exc.status >= 500:
        logger.error("domain error", exc_info=exc)
    headers = {}
    if exc.status == 401:
        headers["www-authenticate"] = "Bearer"
    if retry_after := getattr(exc, "retry_after", None):
        headers["retry-after"] = str(retry_after)
    return problem(
        request,
        exc.status,
        exc.message,
        slug=exc.slug,
        title=exc.title,
        headers=headers or None,
        **extensions,
    )


async def _on_unexpected_error(request: Request, exc: Exception) -> ProblemResponse:
    request_id = getattr(request.state, "request_id", None)
    logger.error("unhandled error", exc_info=exc, extra={"request_id": request_id})
    # This answer is sent from outside the request-id middleware, so it sets the header itself.
    return problem(
        request,
        500,
        f"The server failed to answer this request. Nothing was changed; "
        f"please report request id {request_id} to the lab.",
        slug="internal",
        headers={"x-request-id": request_id} if request_id else None,
    )


async def _on_uncertainty_input_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, UncertaintyInputError)
    error: dict[str, Any] = {
        "field": field_path(exc.location),
        "location": list(exc.location),
        "message": exc.message,
    }
    if exc.position is not None:
        error["position"] = exc.position
    return problem(
        request, 422, exc.message, slug="invalid-input", title="Invalid input", errors=[error]
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(LimsError, _on_domain_error)
    app.add_exception_handler(UncertaintyInputError, _on_uncertainty_input_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
