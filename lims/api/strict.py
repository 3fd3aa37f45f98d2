"""Requests are held to the types their schema declares: no silent coercion.

FastAPI validates a JSON body in pydantic's lax mode, and SQLModel classes validate in lax
mode whatever is asked, which quietly turns ``"5"`` into 5, ``0`` into the date 1970-01-01
and ``"true"`` into True: a request the OpenAPI document calls invalid is accepted and
stored as something its sender did not write.  This dependency, on every API route, walks a
JSON body beside the JSON schema of the route's body model and refuses a value whose JSON
type is not the declared one (a number where a number is declared, a boolean for a
boolean, an ISO string for a date or time); query parameters typed as dates are held to ISO
form the same way, and every date to the days the lab's calendar arithmetic is done on
(``lims.clock.EARLIEST_DAY`` .. ``LATEST_DAY``).  A refusal is the usual 422 problem naming
each field; everything else (ranges, formats, rules) stays with the models and services.

Two rules hold for every value whatever its schema, so that what is stored can always be
printed on a certificate and in its DCC (XML 1.0 has no control characters) and read back:
text holds no control characters (a multi-line field, see ``MULTI_LINE_WORDS``, may hold
tabs and line breaks), in a JSON body, a form, a query or a path; and a JSON number is
finite (``NaN``, ``Infinity`` and ``1e400``, which Python's JSON reader would turn into
non-numbers a database stores as null, are refused).
"""

import json
import math
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter

from lims.clock import CALENDAR_RANGE, EARLIEST_DAY, LATEST_DAY

Location = tuple[str | int, ...]
_JSON_MEDIA_TYPES = ("application/json", "application/merge-patch+json")
_ISO = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "date-time": re.compile(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
    ),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"),
}
_FORMAT_OF = {datetime: "date-time", date: "date", time: "time"}


_FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: A field whose name has one of these words (``description``, ``amendment_reason``,
#: ``text_fi``) is multi-line: it may hold tabs and line breaks.  Every other text is one line.
#: A measurement ``model`` is an expression written over lines in the workbench's text area
#: (an instrument's ``model`` shares the name, and the leniency).
MULTI_LINE_WORDS = frozenset(
    {"description", "notes", "note", "reason", "comment", "remarks", "text", "statement",
     "guidance", "criteria", "plan", "address", "model"}
)  # fmt: skip
_LINE_BREAKS_AND_TABS = frozenset("\t\n\r")


async def strict_request(request: Request) -> None:
    route = request.scope.get("route")
    if route is None:
        return
    errors = [
        _error(location, message) for location, message in _control_characters_of_request(request)
    ]
    errors += _query_errors(request, getattr(route, "dependant", None))
    body_field = getattr(route, "body_field", None)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body_field is not None and media_type in _FORM_MEDIA_TYPES:
        form = await request.form()  # cached: the route reads the same parsed form
        errors += [
            _error(("body", name), message)
            for name, value in form.multi_items()
            if isinstance(value, str) and (message := _text_problem(value, name))
        ]
    if body_field is not None and media_type in _JSON_MEDIA_TYPES:
        body = await request.body()
        try:
            document = _read_json(body) if body else None
        except ValueError:
            document = None  # malformed JSON is FastAPI's to answer (400), as before
        if document is not None:
            schema = _schema_of(body_field.field_info.annotation)
            problems = list(_unprintable(document, ())) or list(
                _mismatches(document, schema, schema.get("$defs", {}), ())
            )
            errors += [_error(("body", *location), message) for location, message in problems]
    if errors:
        raise RequestValidationError(errors)


def _error(location: Location, message: str) -> dict[str, Any]:
    return {"type": "json_type", "loc": location, "msg": message, "input": None}


# -- text and numbers whatever the schema --------------------------------------------------


class _NotANumber:
    """What the JSON reader makes of ``NaN``, ``Infinity`` or a number beyond a float."""

    def __init__(self, text: str) -> None:
        self.text = text


def _read_json(body: bytes) -> Any:
    def finite(text: str) -> float | _NotANumber:
        number = float(text)
        return number if math.isfinite(number) else _NotANumber(text)

    return json.loads(body, parse_constant=_NotANumber, parse_float=finite)


def _unprintable(value: Any, location: Location) -> Iterator[tuple[Location, str]]:
    """Non-numbers and text with control characters anywhere in a JSON document."""
    if isinstance(value, _NotANumber):
        yield location, f"must be a finite number, not {value.text}"
    elif isinstance(value, str):
        if message := _text_problem(value, _field_name(location)):
            yield location, message
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unprintable(item, (*location, index))
    elif isinstance(value, dict):
        for name, item in value.items():
            if message := _text_problem(name, ""):
                yield location, f"a field name {message}"
            else:
                yield from _unprintable(item, (*location, name))


def _text_problem(text: str, name: str) -> str | None:
    allowed = _LINE_BREAKS_AND_TABS if _is_multi_line(name) else frozenset()
    found = next((c for c in text if unicodedata.category(c) == "Cc" and c not in allowed), None)
    if found is None:
        return None
    return f"must not contain control characters (found U+{ord(found):04X})"


def _is_multi_line(name: str) -> bool:
    return not MULTI_LINE_WORDS.isdisjoint(name.lower().split("_"))


def _field_name(location: Location) -> str:
    # An item of a list of texts (``notes[2]``) is as multi-line as the list.
    return next((part for part in reversed(location) if isinstance(part, str)), "")


def _control_characters_of_request(request: Request) -> Iterator[tuple[Location, str]]:
    for place, values in (("query", request.query_params), ("path", request.path_params)):
        items = values.multi_items() if hasattr(values, "multi_items") else values.items()
        for name, value in items:
            if isinstance(value, str) and (message := _text_problem(value, "")):
                yield (place, name), message


# -- bodies -------------------------------------------------------------------------------


def _mismatches(
    value: Any, schema: dict[str, Any], definitions: dict[str, Any], location: Location
) -> Iterator[tuple[Location, str]]:
    """Where ``value`` has another JSON type than ``schema`` declares (first problem each)."""
    if "$ref" in schema:
        schema = definitions.get(schema["$ref"].rsplit("/", 1)[-1], {})
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            branches = [
                list(_mismatches(value, b, definitions, location)) for b in schema[combinator]
            ]
            if branches and all(branches):
                yield min(branches, key=len)[0]
            return
    for part in schema.get("allOf", []):
        yield from _mismatches(value, part, definitions, location)
    kind = schema.get("type")
    if kind == "string" and schema.get("format") not in _ISO:
        # Plain text is the model's to judge: pydantic refuses a number for it unless the
        # model chose to take one (``coerce_numbers_to_str``, e.g. an RR part "1" or 1).
        return
    if isinstance(kind, list):
        if not any(_has_type(value, one) for one in kind):
            yield location, f"must be {' or '.join(kind)}"
        return
    if kind is None:
        return
    if not _has_type(value, kind):
        yield location, f"must be a JSON {kind}, not {_json_type(value)}"
        return
    if kind == "string" and (pattern := _ISO.get(schema.get("format", ""))):
        if not pattern.fullmatch(value):
            yield location, f"must be an ISO 8601 {schema['format']} (e.g. 2026-11-27)"
        elif not _in_calendar(value, schema["format"]):
            yield location, f"must be a day {CALENDAR_RANGE}"
    elif kind == "array":
        items = schema.get("items", {})
        for index, item in enumerate(value):
            yield from _mismatches(item, items, definitions, (*location, index))
    elif kind == "object":
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                yield from _mismatches(item, properties[name], definitions, (*location, name))
            elif isinstance(extra, dict):
                yield from _mismatches(item, extra, definitions, (*location, name))


def _has_type(value: Any, kind: str) -> bool:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    checks = {
        "null": value is None,
        "boolean": isinstance(value, bool),
        # JSON Schema counts 5.0 as an integer, and pydantic takes it; we do not: an id or a
        # count sent as 1.0 was computed as a float somewhere, and is refused like "1".
        "integer": is_number and isinstance(value, int),
        "number": is_number,
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }
    return checks.get(kind, True)


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", str: "a string", list: "an array", dict: "an object"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


_schemas: dict[Any, dict[str, Any]] = {}


def _schema_of(annotation: Any) -> dict[str, Any]:
    # Generating a JSON schema takes a while: once per body type, not once per request.
    if annotation not in _schemas:
        _schemas[annotation] = TypeAdapter(annotation).json_schema()
    return _schemas[annotation]


# -- query parameters ---------------------------------------------------------------------


def _query_errors(request: Request, dependant: Any) -> Iterator[dict[str, Any]]:
    for field in _query_fields(dependant):
        value = request.query_params.get(field.alias)
        kind = _temporal_type(field.field_info.annotation)
        iso = None if kind is None else _ISO.get(_FORMAT_OF[kind])
        if value is None or iso is None or kind is None:
            continue
        if not iso.fullmatch(value):
            yield _error(("query", field.alias), "must be an ISO 8601 date (e.g. 2026-11-27)")
        elif not _in_calendar(value, _FORMAT_OF[kind]):
            yield _error(("query", field.alias), f"must be a day {CALENDAR_RANGE}")


def _in_calendar(iso: str, format_: str) -> bool:
    # The calendar arithmetic behind every date is done on these years (lims.clock).
    return format_ == "time" or EARLIEST_DAY.year <= int(iso[:4]) <= LATEST_DAY.year


def _query_fields(dependant: Any) -> Iterator[Any]:
    if dependant is None:
        return
    yield from dependant.query_params
    for sub_dependant in dependant.dependencies:
        yield from _query_fields(sub_dependant)


def _temporal_type(annotation: Any) -> type | None:
    if get_origin(annotation) in (Union, type(int | None)):
        return next(filter(None, map(_temporal_type, get_args(annotation))), None)
    for kind in _FORMAT_OF:  # datetime first: it is a date too
        if isinstance(annotation, type) and issubclass(annotation, kind):
            return kind
    return None
