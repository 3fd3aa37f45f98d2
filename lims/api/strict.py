"""Requests are held to the types their schema declares: no silent coercion.

FastAPI validates a JSON body in pydantic's lax mode, and SQLModel classes validate in lax
mode whatever is asked, which quietly turns ``"5"`` into 5, ``0`` into the date 1970-01-01
and ``"true"`` into True: a request the OpenAPI document calls invalid is accepted and
stored as something its sender did not write.  This dependency, on every API route, walks a
JSON body beside the JSON schema of the route's body model and refuses a value whose JSON
type is not the declared one (a number where a number is declared, a boolean for a
boolean, an ISO string for a date or time); query parameters typed as dates are held to ISO
form the same way.  A refusal is the usual 422 problem naming each field; everything else
(ranges, formats, rules) stays with the models and services.
"""

import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter

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


async def strict_request(request: Request) -> None:
    route = request.scope.get("route")
    if route is None:
        return
    errors = list(_query_errors(request, getattr(route, "dependant", None)))
    body_field = getattr(route, "body_field", None)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body_field is not None and media_type in _JSON_MEDIA_TYPES:
        body = await request.body()
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = None  # malformed JSON is FastAPI's to answer (400), as before
        if document is not None:
            schema = _schema_of(body_field.field_info.annotation)
            errors += [
                _error(("body", *location), message)
                for location, message in _mismatches(document, schema, schema.get("$defs", {}), ())
            ]
    if errors:
        raise RequestValidationError(errors)


def _error(location: Location, message: str) -> dict[str, Any]:
    return {"type": "json_type", "loc": location, "msg": message, "input": None}


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
        # JSON Schema counts 5.0 as an integer; so does pydantic.
        "integer": is_number and float(value).is_integer(),
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
        if value is not None and iso is not None and not iso.fullmatch(value):
            yield _error(("query", field.alias), "must be an ISO 8601 date (e.g. 2026-11-27)")


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
