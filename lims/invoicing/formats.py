"""The invoicing basis as the lab's accounting system imports it: CSV and JSON.

CSV: UTF-8 without a byte order mark, ';' between fields, a header row of the column names
below, one row per job; amounts with two decimals and a decimal comma (123,45), as Finnish
accounting imports and a Finnish spreadsheet read them, which is also why the separator is
';'; the VAT rate with its own decimals (25,5); days as ISO 8601 (2026-11-30).  A text
field that a spreadsheet would run as a formula (starting with = + - @) is written with a
leading apostrophe.  JSON: the same fields, amounts as strings with a decimal point
("123.45") so that no reader rounds them through a binary float.
"""

import csv
import io
from decimal import Decimal

from pydantic import BaseModel

from lims.contracts.money import cents
from lims.invoicing.models import BasisLine

COLUMNS = (
    "export_number",
    "job_number",
    "delivered_on",
    "price_basis",
    "quotation_number",
    "customer_reference",
    "customer_name",
    "business_id",
    "vat_number",
    "street_address",
    "postal_code",
    "city",
    "country",
    "billing_email",
    "vat_rule",
    "vat_rate",
    "vat_statement",
    "net",
    "vat",
    "gross",
)
AMOUNTS = frozenset({"net", "vat", "gross"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_csv(export_number: str, lines: list[BasisLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines:
        fields = {"export_number": export_number, **line.model_dump()}
        writer.writerow([_cell(name, fields[name]) for name in COLUMNS])
    return out.getvalue()


def as_json(export: BaseModel) -> str:
    return export.model_dump_json(indent=2) + "\n"


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = str(cents(value)) if name in AMOUNTS else _rate(value)
        return text.replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _rate(value: Decimal) -> str:
    """A VAT rate without trailing zeros: 25.5, 24, 0."""
    normalized = value.normalize()
    return f"{normalized:f}"
