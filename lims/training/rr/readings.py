"""An RR study's readings from CSV: a header row naming the columns part, operator, trial,
value and, for type 1 and linearity studies, reference; then one reading per row.

Comma, semicolon and tab separate the columns; with semicolons or tabs a decimal comma is
read as a decimal point, as Finnish spreadsheets write numbers.

>>> read_measurements_csv("part;operator;trial;value\\n1;A;1;0,29\\n")
[{'part': '1', 'operator': 'A', 'trial': '1', 'value': 0.29}]
"""

import csv
import io
import json
import math

from lims.errors import InvalidInput

COLUMNS = ("part", "operator", "trial", "value", "reference")
NUMERIC = ("value", "reference")
MAX_ROWS = 100_000


def read_measurements_csv(text: str) -> list[dict[str, object]]:
    lines = text.removeprefix("\ufeff").splitlines()
    rows = [line for line in lines if line.strip()]
    if not rows:
        raise InvalidInput(
            "the CSV file is empty: give a header row and the readings",
            code="training.csv_file_empty_give_header",
        )
    delimiter = max((";", "\t", ","), key=rows[0].count)
    reader = csv.reader(io.StringIO("\n".join(rows)), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    _check_header(header)
    readings: list[dict[str, object]] = []
    for line_number, fields in enumerate(reader, start=2):
        if len(readings) >= MAX_ROWS:
            raise InvalidInput(
                "the CSV file has more than %(max_rows)s readings",
                code="training.csv_file_has_more_than",
                max_rows=MAX_ROWS,
            )
        if len(fields) != len(header):
            raise InvalidInput(
                "CSV line %(line_number)s has %(fields_count)s fields; the header "
                "names %(header_count)s",
                code="training.csv_line_has_fields_header",
                line_number=line_number,
                fields_count=len(fields),
                header_count=len(header),
            )
        reading: dict[str, object] = {}
        for name, field in zip(header, fields, strict=True):
            field = field.strip()
            if name in NUMERIC:
                number = _number(field, decimal_comma=delimiter != ",", line=line_number, name=name)
                if number is not None:
                    reading[name] = number
            elif field:
                reading[name] = field
        readings.append(reading)
    if not readings:
        raise InvalidInput(
            "the CSV file has a header but no readings", code="training.csv_file_has_header_but"
        )
    return readings


def _check_header(header: list[str]) -> None:
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise InvalidInput(
            "unknown CSV column%(value)s %(names)s; the columns are part, "
            "operator, trial, value[, reference]",
            code="training.unknown_csv_column_columns_part",
            value="s" if len(unknown) > 1 else "",
            names=", ".join(repr(name) for name in unknown),
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InvalidInput(
            "CSV column '%(repeated)s' is given twice",
            code="training.csv_column_given_twice",
            repeated=repeated[0],
        )
    if "value" not in header:
        raise InvalidInput(
            "the CSV file needs a 'value' column", code="training.csv_file_needs_value_column"
        )


def _number(field: str, *, decimal_comma: bool, line: int, name: str) -> float | None:
    if not field:
        if name == "value":
            raise InvalidInput(
                "CSV line %(line)s: the value is empty",
                code="training.csv_line_value_empty",
                line=line,
            )
        return None
    text = field.replace(",", ".") if decimal_comma else field
    try:
        number = float(text)
    except ValueError:
        raise InvalidInput(
            "CSV line %(line)s: %(name)s '%(field)s' is not a number",
            code="training.csv_line_number",
            line=line,
            name=name,
            field=field,
        ) from None
    if not math.isfinite(number):
        raise InvalidInput(
            "CSV line %(line)s: %(name)s '%(field)s' is not a finite number",
            code="training.csv_line_finite_number",
            line=line,
            name=name,
            field=field,
        )
    return number


def study_request(text: str, *, source: str, options: dict[str, object]) -> dict[str, object]:
    """The request of ``lims rr evaluate``: a JSON request as the API takes it, or CSV
    readings; ``options`` (those given on the command line) override the request's fields.

    A file is CSV by its ``.csv`` name; stdin is JSON when it starts with ``{``.
    """
    is_csv = source.lower().endswith(".csv") or (
        not source.lower().endswith(".json") and not text.lstrip().startswith("{")
    )
    if is_csv:
        if "design" not in options:
            raise InvalidInput(
                "a CSV study needs its design: give --design crossed, nested, type1 or linearity",
                code="training.csv_study_needs_design_give",
            )
        request: dict[str, object] = {"measurements": read_measurements_csv(text)}
    else:
        try:
            request = json.loads(text)
        except json.JSONDecodeError as error:
            raise InvalidInput(
                "%(source)s is not valid JSON: %(error)s",
                code="training.valid_json",
                source=source,
                error=error,
            ) from None
        if not isinstance(request, dict):
            raise InvalidInput(
                "%(source)s must hold a JSON object: the request",
                code="training.must_hold_json_object_request",
                source=source,
            )
    return {**request, **options}
