r"""Read a CSV file of measurement results for one job, and say what is wrong with each row.

This is a pure module: it imports no database, web or template code.  The jobs service calls
:func:`parse_results_csv` for a dry run (what would be stored, and each row's error) and for an
all-or-nothing import: store ``result.rows`` only when ``result.ok`` is true.

The file format
===============

One file holds the results of one job, one row per characteristic.

* **Encoding**: UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" works).
* **Delimiter**: ``,`` or ``;``, recognised from the header line (Finnish Excel writes ``;``).
* **Header**: the first non-blank line names the columns.  Names are case-insensitive,
  surrounding spaces are ignored, the order is free.  A column not listed below is an error.
* **Blank lines**, and lines whose fields are all empty, are skipped.
* **Numbers**: decimal point ``20.0012`` or decimal comma ``20,0012``; an exponent
  (``2.5e-3``) is allowed; thousands separators (``1 234,5``, ``1,234.5``) are not, and neither
  are NaN or infinity.  In a ``,``-delimited file a number with a decimal comma must be quoted
  (``"20,0012"``); Excel does this by itself.
* **Fields** may hold at most 10,000 characters; a file may hold at most ``max_rows`` rows
  (10,000 unless the caller says otherwise).

============== ======== ======================================================================
column         required what it holds
============== ======== ======================================================================
characteristic yes      the characteristic's label exactly as in the job (case-sensitive,
                        surrounding spaces ignored); each characteristic at most once a file
observations   yes      one or more readings separated by ``|``, e.g.
                        ``20.0012|20.0015|20.0011`` or ``20,0012|20,0015``
unit           yes      the unit of the readings: the characteristic's unit or another of its
                        kind (``m``, ``mm``, ``um`` = ``µm``, ``nm``, ``in`` for a length;
                        ``deg``, ``arcsec``, ``mm/m`` for an angle; see lims/units.py); the
                        readings are converted to the characteristic's unit, exactly when the
                        units differ by a power of ten
measured_on    yes      the date of measurement, ``2026-11-27`` or ``27.11.2026``; not after
                        today when the caller gives today's date
equipment      no       the equipment used, as ``role=identification`` entries separated by
                        ``|``, e.g. ``reference=GB-001|indicator=DI-07``; each role once
temperature    no       the laboratory temperature in °C, 0 to 50
humidity       no       the relative humidity in %RH, 0 to 100
comment        no       free text, at most 500 characters
============== ======== ======================================================================

A file as Finnish Excel saves it::

    characteristic;observations;unit;measured_on;equipment;temperature
    D1;20,0012|20,0015|20,0011;mm;27.11.2026;reference=GB-001|indicator=DI-07;20,1
    L2;15,2|15,4;um;27.11.2026;;20,1

Errors
======

Every error is a :class:`RowError` with the file's line number (the header is line 1), the
column (the canonical lower-case name, the name as written for an unknown column, or ``None``
for the whole row or file) and a sentence saying what to change.  Every row is checked and all
its errors are reported, so one round of corrections is usually enough.  Problems with the file
as a whole (not UTF-8, empty, no rows, unknown or missing columns, too many rows, unreadable
CSV) stop the reading; their line is the line where the problem was found (1 for the header).
"""

import csv
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any

from lims import units
from lims.errors import InvalidInput, LimsError
from lims.reasons import Reason

__all__ = [
    "COLUMNS",
    "MAX_COMMENT_CHARS",
    "MAX_FIELD_CHARS",
    "REQUIRED_COLUMNS",
    "CharacteristicRef",
    "CsvParseResult",
    "ParsedRow",
    "RowError",
    "parse_results_csv",
]

COLUMNS: tuple[str, ...] = (
    "characteristic",
    "observations",
    "unit",
    "measured_on",
    "equipment",
    "temperature",
    "humidity",
    "comment",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("characteristic", "observations", "unit", "measured_on")
MAX_FIELD_CHARS = 10_000
MAX_COMMENT_CHARS = 500
TEMPERATURE_RANGE = (0.0, 50.0)  # °C
HUMIDITY_RANGE = (0.0, 100.0)  # %RH

_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_NOT_FINITE = {"nan", "inf", "infinity"}
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_FINNISH_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_SNIFF_CHARS = 64 * 1024
_LABELS_SHOWN = 5


@dataclass(frozen=True)
class CharacteristicRef:
    """A characteristic of the job, as the caller knows it."""

    id: int
    label: str  # unique within the job, matched case-sensitively after strip()
    unit: str  # e.g. "mm", "um", "µm", "deg"


@dataclass(frozen=True)
class ParsedRow:
    """One row that passed every check, ready to be stored."""

    line: int  # 1-based line number in the file (header is line 1)
    characteristic_id: int
    label: str
    observations: tuple[float, ...]  # one or more readings, in the characteristic's unit
    unit: str  # the characteristic's unit (after conversion, if any)
    measured_on: date
    equipment: dict[str, str]  # role -> equipment identification, e.g. {"reference": "GB-001"}
    temperature: float | None  # °C
    humidity: float | None  # %RH
    comment: str


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: ``column`` is None when the whole row or file is meant."""

    line: int
    column: str | None
    message: str
    #: The message as a template and its parameters, worded in the reader's language where
    #: shown (a refusal of a conversion is passed on as it is).
    reason: Reason | LimsError | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, line: int, column: str | None, reason: Reason | LimsError) -> "RowError":
        return cls(line=line, column=column, message=reason.message, reason=reason)


@dataclass(frozen=True)
class CsvParseResult:
    """The rows that passed, and every error found; store the rows only when ``ok``."""

    rows: list[ParsedRow]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_results_csv(
    data: bytes | str,
    characteristics: Sequence[CharacteristicRef],
    *,
    max_rows: int = 10_000,
    today: date | None = None,
) -> CsvParseResult:
    r"""Parse and check a results file; see the module docstring for the format.

    ``rows`` holds every row that passed all its checks (for a dry run to show), ``errors``
    every problem found; the import may store the rows only when ``ok``.  When ``today`` is
    given, measurement dates after it are refused.  A file with more than ``max_rows`` rows is
    refused as a whole without reading the rest.

    >>> job = [CharacteristicRef(id=7, label="D1", unit="mm")]
    >>> result = parse_results_csv(
    ...     "characteristic;observations;unit;measured_on;temperature\n"
    ...     "D1;20,0012|20,0015;mm;27.11.2026;20,1\n",
    ...     job,
    ... )
    >>> result.ok
    True
    >>> row = result.rows[0]
    >>> row.line, row.characteristic_id, row.observations, row.measured_on, row.temperature
    (2, 7, (20.0012, 20.0015), datetime.date(2026, 11, 27), 20.1)

    Readings in another length unit are converted exactly:

    >>> parse_results_csv(
    ...     "characteristic,observations,unit,measured_on\nD1,12.5|13,um,2026-11-27\n", job
    ... ).rows[0].observations
    (0.0125, 0.013)

    Each problem comes with its line and column:

    >>> parse_results_csv(
    ...     "characteristic,observations,unit,measured_on\nD1,abc,mm,2026-11-27\n", job
    ... ).errors
    [RowError(line=2, column='observations', message="value 'abc' is not a number")]
    """
    if max_rows < 1:
        raise ValueError(f"max_rows must be at least 1, not {max_rows}")
    by_label: dict[str, CharacteristicRef] = {}
    for characteristic in characteristics:
        label = characteristic.label.strip()
        if label in by_label:
            raise ValueError(f"characteristic label {label!r} is given twice")
        by_label[label] = characteristic

    text = _decode(data)
    if isinstance(text, RowError):
        return CsvParseResult(rows=[], errors=[text])
    return _Parser(by_label, max_rows=max_rows, today=today).parse(text)


def _decode(data: bytes | str) -> str | RowError:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        return RowError.of(
            line,
            None,
            Reason(
                "the file is not UTF-8 text (byte 0x%(byte)s on line %(line)s); "
                "save it again as 'CSV UTF-8'",
                byte=byte,
                line=line,
            ),
        )


def _sniff_delimiter(text: str) -> str:
    """Pick ``,`` or ``;`` by which one splits the header line into more known column names."""
    head = text.lstrip("\r\n")[:_SNIFF_CHARS]
    first_line = head.splitlines()[0] if head else ""

    def known(delimiter: str) -> tuple[int, int]:
        fields = next(csv.reader([first_line], delimiter=delimiter), [])
        names = sum(1 for name in fields if name.strip().lower() in COLUMNS)
        return names, first_line.count(delimiter)

    return ";" if known(";") > known(",") else ","


class _Parser:
    def __init__(
        self, by_label: dict[str, CharacteristicRef], *, max_rows: int, today: date | None
    ) -> None:
        self.by_label = by_label
        self.max_rows = max_rows
        self.today = today
        self.rows: list[ParsedRow] = []
        self.errors: list[RowError] = []
        self.first_line_of: dict[str, int] = {}
        self._stopped = False  # a CSV error ended the reading early

    def parse(self, text: str) -> CsvParseResult:
        delimiter = _sniff_delimiter(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = self._records(reader)

        header_line, header = next(records, (1, []))
        if self._stopped:
            return CsvParseResult(rows=[], errors=self.errors)
        if not header:
            return self._stop(1, None, self._empty_message())
        columns = self._read_header(header_line, header)
        if columns is None:
            return CsvParseResult(rows=[], errors=self.errors)

        count = 0
        for line, record in records:
            count += 1
            if count > self.max_rows:
                return CsvParseResult(
                    rows=[],
                    errors=[
                        RowError.of(
                            line,
                            None,
                            Reason(
                                "the file has more than %(max_rows)s result rows, the most one "
                                "import takes; split it into files of at most %(max_rows)s rows",
                                max_rows=self.max_rows,
                            ),
                        )
                    ],
                )
            self._read_row(line, record, columns, delimiter)
        if self._stopped:
            return CsvParseResult(rows=self.rows, errors=self.errors)
        if count == 0:
            return self._stop(
                header_line,
                None,
                Reason("the file has a header but no result rows; add one row per characteristic"),
            )
        return CsvParseResult(rows=self.rows, errors=self.errors)

    def _records(self, reader: Any) -> Iterator[tuple[int, list[str]]]:
        """Yield (first line, fields) of each non-blank record; a CSV error ends the file."""
        previous_end = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error:
                # The csv module's own words are English only: the advice covers its causes.
                line = previous_end + 1
                self._stopped = True
                self.errors.append(
                    RowError.of(
                        line,
                        None,
                        Reason(
                            "the file cannot be read from line %(line)s on; look for a "
                            "quotation mark that is not closed or a field longer than "
                            "%(limit)s characters",
                            line=line,
                            limit=MAX_FIELD_CHARS,
                        ),
                    )
                )
                return
            line, previous_end = previous_end + 1, reader.line_num
            if any(field.strip() for field in record):
                yield line, record

    def _empty_message(self) -> Reason:
        return Reason(
            "the file is empty; its first line must be the header, e.g. %(columns)s",
            columns=",".join(REQUIRED_COLUMNS),
        )

    def _stop(self, line: int, column: str | None, reason: Reason) -> CsvParseResult:
        self.errors.append(RowError.of(line, column, reason))
        return CsvParseResult(rows=[], errors=self.errors)

    def _read_header(self, line: int, header: list[str]) -> dict[str, int] | None:
        """Map each canonical column name to its index, or record the errors and return None."""
        columns: dict[str, int] = {}
        allowed = ", ".join(COLUMNS)
        for index, raw in enumerate(header):
            name = raw.strip().lower()
            if len(raw) > MAX_FIELD_CHARS:
                self._error(
                    line,
                    None,
                    Reason(
                        "column %(position)s's name is too long to be a column",
                        position=index + 1,
                    ),
                )
            elif not name:
                self._error(
                    line,
                    None,
                    Reason(
                        "column %(position)s has no name; name it or delete the empty column "
                        "(the columns are: %(allowed)s)",
                        position=index + 1,
                        allowed=allowed,
                    ),
                )
            elif name not in COLUMNS:
                self._error(
                    line,
                    raw.strip(),
                    Reason(
                        "unknown column '%(name)s'; the columns are: %(allowed)s",
                        name=raw.strip(),
                        allowed=allowed,
                    ),
                )
            elif name in columns:
                self._error(
                    line, name, Reason("column '%(name)s' appears twice in the header", name=name)
                )
            else:
                columns[name] = index
        for name in REQUIRED_COLUMNS:
            if name not in columns:
                self._error(
                    line,
                    name,
                    Reason("required column '%(name)s' is missing from the header", name=name),
                )
        return None if self.errors else columns

    def _error(self, line: int, column: str | None, reason: Reason | LimsError) -> None:
        self.errors.append(RowError.of(line, column, reason))

    def _read_row(
        self, line: int, record: list[str], columns: dict[str, int], delimiter: str
    ) -> None:
        width = len(columns)
        if len(record) != width:
            if delimiter == "," and len(record) > width:
                self._error(
                    line,
                    None,
                    Reason(
                        "the row has %(fields)s fields but the header has %(width)s; a number "
                        "with a decimal comma must be quoted in a ','-delimited file",
                        fields=len(record),
                        width=width,
                    ),
                )
            else:
                self._error(
                    line,
                    None,
                    Reason(
                        "the row has %(fields)s fields but the header has %(width)s",
                        fields=len(record),
                        width=width,
                    ),
                )
            return
        fields: dict[str, str] = {}
        errors_before = len(self.errors)
        for name, index in columns.items():
            value = record[index]
            if len(value) > MAX_FIELD_CHARS:
                self._error(
                    line,
                    name,
                    Reason(
                        "the field is %(length)s characters long; the limit is %(limit)s",
                        length=len(value),
                        limit=MAX_FIELD_CHARS,
                    ),
                )
            else:
                fields[name] = value.strip()

        characteristic = self._characteristic(line, fields.get("characteristic"))
        observations = self._observations(line, fields.get("observations"))
        in_unit = self._unit(line, fields.get("unit"), characteristic)
        measured_on = self._date(line, fields.get("measured_on"))
        equipment = self._equipment(line, fields.get("equipment", ""))
        temperature = self._optional_number(
            line, "temperature", fields.get("temperature", ""), TEMPERATURE_RANGE, "°C"
        )
        humidity = self._optional_number(
            line, "humidity", fields.get("humidity", ""), HUMIDITY_RANGE, "%RH"
        )
        comment = fields.get("comment", "")
        if len(comment) > MAX_COMMENT_CHARS:
            self._error(
                line,
                "comment",
                Reason(
                    "the comment is %(length)s characters long; the limit is %(limit)s",
                    length=len(comment),
                    limit=MAX_COMMENT_CHARS,
                ),
            )

        if len(self.errors) > errors_before:
            return
        if (
            characteristic is None
            or observations is None
            or in_unit is None
            or measured_on is None
            or equipment is None
        ):
            raise RuntimeError(f"line {line}: a field was refused without an error for the row")
        self.rows.append(
            ParsedRow(
                line=line,
                characteristic_id=characteristic.id,
                label=characteristic.label.strip(),
                observations=tuple(in_unit(value) for value in observations),
                unit=characteristic.unit,
                measured_on=measured_on,
                equipment=equipment,
                temperature=temperature,
                humidity=humidity,
                comment=comment,
            )
        )

    def _characteristic(self, line: int, label: str | None) -> CharacteristicRef | None:
        if label is None:
            return None
        if not label:
            self._error(
                line, "characteristic", Reason("the characteristic is empty; give its label")
            )
            return None
        characteristic = self.by_label.get(label)
        if characteristic is None:
            self._error(
                line,
                "characteristic",
                Reason(
                    "unknown characteristic '%(label)s'; %(known)s",
                    label=label,
                    known=_known_characteristics(sorted(self.by_label)),
                ),
            )
            return None
        first = self.first_line_of.setdefault(label, line)
        if first != line:
            self._error(
                line,
                "characteristic",
                Reason(
                    "characteristic '%(label)s' already appears on line %(first)s; "
                    "give all its readings on one row",
                    label=label,
                    first=first,
                ),
            )
            return None
        return characteristic

    def _observations(self, line: int, text: str | None) -> list[Decimal] | None:
        if text is None:
            return None
        if not text:
            self._error(
                line,
                "observations",
                Reason("no observations; give one or more readings separated by '|'"),
            )
            return None
        parts = [part.strip() for part in text.split("|")]
        values: list[Decimal] = []
        ok = True
        for position, part in enumerate(parts, start=1):
            if not part:
                self._error(
                    line,
                    "observations",
                    Reason(
                        "reading %(position)s of %(count)s is empty; remove the extra '|'",
                        position=position,
                        count=len(parts),
                    ),
                )
                ok = False
                continue
            value = _parse_number(part)
            if isinstance(value, Reason):
                if len(parts) > 1:
                    value = Reason(
                        "reading %(position)s of %(count)s: %(reason)s",
                        position=position,
                        count=len(parts),
                        reason=value,
                    )
                self._error(line, "observations", value)
                ok = False
            else:
                values.append(value)
        return values if ok else None

    def _unit(
        self, line: int, unit: str | None, characteristic: CharacteristicRef | None
    ) -> Callable[[Decimal], float] | None:
        """The conversion of a reading to the characteristic's unit."""
        if unit is None:
            return None
        if not unit:
            if characteristic is None:
                self._error(line, "unit", Reason("the unit is empty"))
            else:
                self._error(
                    line,
                    "unit",
                    Reason(
                        "the unit is empty; the characteristic's unit is '%(unit)s'",
                        unit=characteristic.unit,
                    ),
                )
            return None
        if characteristic is None:
            return float  # reported as an unknown characteristic; nothing to compare with
        if not units.is_unit(unit):
            self._error(
                line, "unit", Reason("'%(unit)s' is not a unit (write e.g. µm, mm, deg)", unit=unit)
            )
            return None
        if not units.same_dimension(unit, characteristic.unit):
            self._error(
                line,
                "unit",
                Reason(
                    "unit '%(unit)s' does not match the characteristic's unit '%(expected)s'",
                    unit=unit,
                    expected=characteristic.unit,
                ),
            )
            return None
        try:
            return _conversion(unit, characteristic.unit)
        except InvalidInput as refused:
            self._error(line, "unit", refused)
            return None

    def _date(self, line: int, text: str | None) -> date | None:
        if text is None:
            return None
        if not text:
            self._error(
                line, "measured_on", Reason("the measurement date is empty; give it as 27.11.2026")
            )
            return None
        iso, finnish = _ISO_DATE.fullmatch(text), _FINNISH_DATE.fullmatch(text)
        if iso:
            year, month, day = (int(part) for part in iso.groups())
        elif finnish:
            day, month, year = (int(part) for part in finnish.groups())
        else:
            self._error(
                line,
                "measured_on",
                Reason(
                    "date '%(text)s' is not a date; write it as 27.11.2026 or 2026-11-27",
                    text=text,
                ),
            )
            return None
        try:
            measured_on = date(year, month, day)
        except ValueError:
            self._error(
                line,
                "measured_on",
                Reason("date '%(text)s' does not exist in the calendar", text=text),
            )
            return None
        if self.today is not None and measured_on > self.today:
            self._error(
                line,
                "measured_on",
                Reason(
                    "date '%(text)s' is in the future (today is %(today)s)",
                    text=text,
                    today=self.today,
                ),
            )
            return None
        return measured_on

    def _equipment(self, line: int, text: str) -> dict[str, str] | None:
        equipment: dict[str, str] = {}
        ok = True
        for entry in (part.strip() for part in text.split("|")):
            if not entry:
                continue
            role, sep, ident = (part.strip() for part in entry.partition("="))
            if not sep or not role or not ident:
                self._error(
                    line,
                    "equipment",
                    Reason(
                        "equipment entry '%(entry)s' is not role=identification, "
                        "e.g. reference=GB-001; separate entries with '|'",
                        entry=entry,
                    ),
                )
                ok = False
            elif role in equipment:
                self._error(
                    line,
                    "equipment",
                    Reason("equipment role '%(role)s' is given twice", role=role),
                )
                ok = False
            else:
                equipment[role] = ident
        return equipment if ok else None

    def _optional_number(
        self, line: int, column: str, text: str, limits: tuple[float, float], unit: str
    ) -> float | None:
        if not text:
            return None
        value = _parse_number(text)
        if isinstance(value, Reason):
            self._error(line, column, value)
            return None
        number = float(value)
        low, high = limits
        if not low <= number <= high:
            self._error(line, column, _implausible(column, text, low, high))
            return None
        return number


def _known_characteristics(labels: list[str]) -> Reason:
    """The labels an unknown characteristic could have meant, the first few by name."""
    if not labels:
        return Reason("this job has no characteristics yet")
    shown = ", ".join(f"'{name}'" for name in labels[:_LABELS_SHOWN])
    if len(labels) > _LABELS_SHOWN:
        return Reason(
            "this job's characteristics are %(shown)s and %(more)s more",
            shown=shown,
            more=len(labels) - _LABELS_SHOWN,
        )
    return Reason("this job's characteristics are %(shown)s", shown=shown)


def _implausible(column: str, text: str, low: float, high: float) -> Reason:
    if column == "temperature":
        return Reason(
            "temperature %(text)s °C is outside the plausible range %(low)g to %(high)g °C",
            text=text,
            low=low,
            high=high,
        )
    return Reason(
        "humidity %(text)s %%RH is outside the plausible range %(low)g to %(high)g %%RH",
        text=text,
        low=low,
        high=high,
    )


def _parse_number(text: str) -> Decimal | Reason:
    """The exact decimal value of ``text``, or the reason it is not a number."""
    if _NUMBER.fullmatch(text):
        value = Decimal(text.replace(",", "."))
        if math.isfinite(float(value)):
            return value
        return Reason("value '%(text)s' is too large to be a measured value", text=text)
    if text.lower().lstrip("+-") in _NOT_FINITE:
        return Reason(
            "value '%(text)s' is not a finite number; leave out readings that were not taken",
            text=text,
        )
    if ("," in text and "." in text) or re.search(r"[0-9][\s'\u00a0\u202f][0-9]", text):
        return Reason(
            "value '%(text)s' is not a number; write it without thousands separators", text=text
        )
    return Reason("value '%(text)s' is not a number", text=text)


def _conversion(given: str, wanted: str) -> Callable[[Decimal], float]:
    """Readings in ``given`` to ``wanted``: units a power of ten apart (nm, µm, mm, m) move the
    decimal point of the exact reading, so 12.5 µm is 0.0125 mm and not 0.012500000000000001;
    any other pair (inches, angles, °C to K) converts through pint."""
    factor = units.convert(1.0, from_unit=given, to_unit=wanted, what="a reading")
    offset = units.convert(0.0, from_unit=given, to_unit=wanted, what="a reading")
    exponent = round(math.log10(factor)) if factor > 0 and offset == 0 else None
    if exponent is not None and math.isclose(factor, 10.0**exponent, rel_tol=1e-12):
        return lambda value: float(value.scaleb(exponent, _EXACT))
    return lambda value: units.convert(
        float(value), from_unit=given, to_unit=wanted, what="a reading"
    )
