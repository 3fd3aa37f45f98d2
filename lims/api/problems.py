"""RFC 9457 problem details for every 4xx and 5xx answer.

Each problem carries the request id, so a person reporting an error gives support the one
string that finds the matching log line.  Stack traces never leave the server.

A refusal carries a stable ``code`` and its ``params`` beside the ``detail``; the detail (and
each field error's message) is worded in the language the request's ``Accept-Language`` asks
for, English when it asks for none the service speaks (:mod:`lims.problem_text`).
"""

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from lims.errors import LimsError, problem_template
from lims.problem_text import json_params, localized, localized_text, negotiated_language
from lims.uncertainty.errors import UncertaintyInputError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://lims.example/problems/"
logger = logging.getLogger("lims.api")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


#: The JSON schema of every problem document (RFC 9457 members and ours; more may follow).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
        "code": {"type": "string", "description": "Stable: what went wrong (area.what)"},
        "params": {"type": "object", "description": "The values the detail names"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "location": {"type": "array"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                    "params": {"type": "object"},
                },
            },
        },
    },
}
_PROBLEMS = {
    400: "Malformed request (e.g. JSON that does not parse)",
    401: "Not signed in",
    403: "Signed in, but not allowed (role, scope or CSRF token)",
    404: "No such record, or not the caller's to see",
    409: "Conflicts with the record's state or a concurrent change",
    413: "Body over the size limit",
    415: "Upload whose content is not what its name declares",
    422: "Invalid input; `errors` names each field",
    429: "Too many failed logins; see Retry-After",
    500: "Server failure; nothing was changed (quote the request id)",
    503: "Database unavailable, too much work at once, or a run stopped at its time limit; "
    "see Retry-After",
    507: "File store full; nothing was stored",
}
#: Documented on every API route: each of these answers is a problem document.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
    }
    for status, description in _PROBLEMS.items()
}


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


def request_language(request: Request) -> str:
    """The language the caller reads refusals in (``Accept-Language``; English by default)."""
    return negotiated_language(request.headers.get("accept-language"))


#: A field's refusal by the kind of error the schema found (Pydantic's error type), for the
#: languages other than English; English keeps Pydantic's own words.
VALIDATION_TEMPLATES = {
    "missing": problem_template("a value is required"),
    "string_too_long": problem_template("at most %(max_length)s characters"),
    "string_too_short": problem_template("at least %(min_length)s characters"),
    "too_long": problem_template("at most %(max_length)s items"),
    "too_short": problem_template("at least %(min_length)s items"),
    "greater_than": problem_template("must be greater than %(gt)s"),
    "greater_than_equal": problem_template("must be at least %(ge)s"),
    "less_than": problem_template("must be less than %(lt)s"),
    "less_than_equal": problem_template("must be at most %(le)s"),
    "int_parsing": problem_template("must be a whole number"),
    "int_from_float": problem_template("must be a whole number"),
    "int_type": problem_template("must be a whole number"),
    "float_parsing": problem_template("must be a number"),
    "float_type": problem_template("must be a number"),
    "decimal_parsing": problem_template("must be a number"),
    "finite_number": problem_template("must be a finite number"),
    "bool_parsing": problem_template("must be true or false"),
    "bool_type": problem_template("must be true or false"),
    "string_type": problem_template("must be text"),
    "string_pattern_mismatch": problem_template("is not in the expected form"),
    "enum": problem_template("must be one of %(expected)s"),
    "literal_error": problem_template("must be one of %(expected)s"),
    "date_parsing": problem_template("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": problem_template("must be a date (YYYY-MM-DD)"),
    "date_type": problem_template("must be a date (YYYY-MM-DD)"),
    "datetime_parsing": problem_template("must be a date and time"),
    "datetime_from_date_parsing": problem_template("must be a date and time"),
    "list_type": problem_template("must be a list"),
    "dict_type": problem_template("must be an object"),
    "model_type": problem_template("must be an object"),
    "model_attributes_type": problem_template("must be an object"),
    "extra_forbidden": problem_template("is not a field of this request"),
    "url_parsing": problem_template("must be a web address"),
}
MALFORMED_JSON = problem_template(
    "The request body is not valid JSON (%(error)s); send a JSON document."
)
CORRECT_THE_REQUEST = problem_template("Please correct the request: %(errors)s.")
CORRECT_THE_REQUEST_AND_MORE = problem_template(
    "Please correct the request: %(errors)s (and %(more)s more)."
)


def _validation_error(error: dict[str, Any], language: str) -> dict[str, Any]:
    """One field's refusal: where, its code and parameters, and its words in ``language``."""
    kind = str(error.get("type", "value_error"))
    context = dict(error.get("ctx") or {})
    cause = context.pop("error", None)
    where = {"field": field_path(error["loc"]), "location": list(error["loc"])}
    if isinstance(cause, LimsError):
        # A validator that raised a refusal of ours: its own code and words.
        return where | {
            "message": localized(cause, language),
            "code": cause.code,
            "params": json_params(cause.params),
        }
    english = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    params = json_params(context)
    template = VALIDATION_TEMPLATES.get(kind)
    message = localized_text(template, params, language, english=english) if template else english
    return where | {"message": message, "code": f"validation.{kind}", "params": params}


async def _on_validation_error(request: Request, exc: RequestValidationError) -> ProblemResponse:
    errors = list(exc.errors())
    language = request_language(request)
    if any(error.get("type") == "json_invalid" for error in errors):
        context = errors[0].get("ctx", {})
        params = {"error": str(context.get("error", "malformed"))}
        return problem(
            request,
            400,
            localized_text(MALFORMED_JSON, params, language),
            slug="malformed-json",
            title="Malformed JSON",
            code="validation.json_invalid",
            params=params,
        )
    described = [_validation_error(error, language) for error in errors]
    summary = "; ".join(f"{item['field']}: {item['message']}" for item in described[:5])
    more = len(described) - 5
    template = CORRECT_THE_REQUEST_AND_MORE if more > 0 else CORRECT_THE_REQUEST
    return problem(
        request,
        422,
        localized_text(template, {"errors": summary, "more": more}, language),
        slug="validation",
        title="Invalid request",
        code="validation.invalid_request",
        params={"count": len(described)},
        errors=described,
    )


NOTHING_HERE = problem_template("There is nothing at %(path)s.")
METHOD_NOT_ALLOWED = problem_template("%(method)s is not allowed on %(path)s.")
SERVER_FAILED = problem_template(
    "The server failed to answer this request. Nothing was changed; "
    "please report request id %(request_id)s to the lab."
)
DATABASE_UNAVAILABLE = problem_template(
    "The database is not available right now (unreachable, restarting or busy), so this "
    "request was not completed. Please try again in a few seconds; if it was a change, "
    "check whether it was recorded before sending it again."
)
OUT_OF_RANGE = problem_template(
    "A value in the request is beyond what can be stored (a number too large or a text "
    "too long); please correct it."
)
CONCURRENT_CHANGE = problem_template(
    "Someone else changed this record at the same moment, so your change was not saved "
    "(no lost updates): reload it and enter your change again."
)


def _worded(request: Request, template: str, code: str, **params: object) -> dict[str, Any]:
    """``detail``, ``code`` and ``params`` of a problem the service words itself."""
    return {
        "detail": localized_text(template, params, request_language(request)),
        "code": code,
        "params": json_params(params),
    }


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> ProblemResponse:
    path = request.url.path
    worded = {
        404: lambda: _worded(request, NOTHING_HERE, "http.not_found", path=path),
        405: lambda: _worded(
            request, METHOD_NOT_ALLOWED, "http.method_not_allowed", method=request.method, path=path
        ),
    }
    # FastAPI's HTTPException, a subclass, takes any JSON-ready detail, not only a text.
    given: object = exc.detail
    detail = given if isinstance(given, str) else HTTPStatus(exc.status_code).phrase
    headers = getattr(exc, "headers", None)
    if exc.status_code in worded and detail == HTTPStatus(exc.status_code).phrase:
        return problem(request, exc.status_code, headers=headers, **worded[exc.status_code]())
    return problem(request, exc.status_code, detail, headers=headers)


async def _on_domain_error(request: Request, exc: LimsError) -> ProblemResponse:
    detail = localized(exc, request_language(request))
    extensions: dict[str, Any] = {"params": json_params(exc.params)}
    if exc.code:
        extensions["code"] = exc.code
    if exc.location:
        extensions["errors"] = [
            {
                "field": field_path(exc.location),
                "location": list(exc.location),
                "message": detail,
                "code": exc.code,
            }
        ]
    # Some errors carry more than a message, e.g. the list of texts still to translate.
    extensions.update(getattr(exc, "extensions", {}))
    if exc.status == 503:
        # Busy or out of time is the service protecting itself, not a fault: no traceback.
        logger.warning("service unavailable: %s", exc.message)
    elif exc.status >= 500:
        logger.error("domain error", exc_info=exc)
    headers = {}
    if exc.status == 401:
        headers["www-authenticate"] = "Bearer"
    if retry_after := getattr(exc, "retry_after", None):
        headers["retry-after"] = str(retry_after)
    return problem(
        request,
        exc.status,
        detail,
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
        slug="internal",
        **_worded(request, SERVER_FAILED, "server.failed", request_id=request_id),
        headers={"x-request-id": request_id} if request_id else None,
    )


#: Seconds a client should wait before retrying when the database is away.
DATABASE_RETRY_AFTER_SECONDS = 5


async def _on_database_error(request: Request, exc: DBAPIError) -> ProblemResponse:
    """A lost or refused database connection is the service being away, not a bug: 503.

    The transaction of the failed request was not committed (a change is recorded whole or
    not at all); the pool drops the broken connection, so the next request reconnects.
    """
    if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
        return await _on_unexpected_error(request, exc)
    logger.warning(
        "database unavailable",
        exc_info=exc,
        extra={"request_id": getattr(request.state, "request_id", None)},
    )
    return problem(
        request,
        503,
        slug="database-unavailable",
        **_worded(request, DATABASE_UNAVAILABLE, "server.database_unavailable"),
        title="Service unavailable",
        headers={"retry-after": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


async def _on_out_of_range(request: Request, exc: Exception) -> ProblemResponse:
    """A value the database cannot hold (an id of 30 digits, an over-long text): the
    request is invalid, not the server broken.  SQLite's driver raises OverflowError for
    integers beyond 64 bits; PostgreSQL answers a data error."""
    return problem(
        request,
        422,
        slug="out-of-range",
        **_worded(request, OUT_OF_RANGE, "validation.out_of_range"),
        title="Invalid input",
    )


async def _on_concurrent_change(request: Request, exc: Exception) -> ProblemResponse:
    """A unique rule met by a record committed in between (e.g. two first results for one
    characteristic): input is checked before writing, so a race is the way left to reach it.
    Someone else changed the same record at the same moment: 409, reload and retry."""
    logger.warning(
        "concurrent change",
        exc_info=exc,
        extra={"request_id": getattr(request.state, "request_id", None)},
    )
    return problem(
        request,
        409,
        slug="conflict",
        **_worded(request, CONCURRENT_CHANGE, "conflict.concurrent_change"),
        title="Conflict",
    )


async def _on_uncertainty_input_error(
    request: Request, exc: UncertaintyInputError
) -> ProblemResponse:
    detail = localized(exc, request_language(request))
    error: dict[str, Any] = {
        "field": field_path(exc.location),
        "location": list(exc.location),
        "message": detail,
        "code": exc.code,
    }
    if exc.position is not None:
        error["position"] = exc.position
    return problem(
        request,
        422,
        detail,
        slug="invalid-input",
        title="Invalid input",
        errors=[error],
        code=exc.code,
        params=json_params(exc.params),
    )


def install_problem_handlers(app: FastAPI) -> None:
    # The decorator form, called directly: it keeps each handler typed with its exception
    # (add_exception_handler wants a handler of any Exception).
    app.exception_handler(RequestValidationError)(_on_validation_error)
    app.exception_handler(StarletteHTTPException)(_on_http_error)
    app.exception_handler(LimsError)(_on_domain_error)
    app.exception_handler(UncertaintyInputError)(_on_uncertainty_input_error)
    app.exception_handler(DBAPIError)(_on_database_error)
    app.exception_handler(IntegrityError)(_on_concurrent_change)
    app.exception_handler(DataError)(_on_out_of_range)
    app.exception_handler(OverflowError)(_on_out_of_range)
    app.exception_handler(Exception)(_on_unexpected_error)
