"""One entry point for any model file: STEP (plain or gzip) or QIF, told apart by content.

>>> read_model(b"%PDF-1.7").format
Traceback (most recent call last):
...
lims.cad.plan.CadError: not a STEP (ISO 10303-21) or QIF file: it begins with '%PDF-1.7'
"""

from dataclasses import dataclass
from pathlib import Path

from lims.cad import ap242, qif
from lims.cad.part21 import GZIP_MAGIC, StepError, decompress, read_step
from lims.cad.plan import CadError, Plan
from lims.reasons import Reason

DEFAULT_MAX_DECOMPRESSED = 512 * 1024 * 1024


@dataclass
class Model:
    format: str
    plan: Plan | None
    results: qif.Results | None = None


def read_model(
    data: bytes,
    *,
    qif_schema_dir: Path | None = None,
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED,
) -> Model:
    """Extract the plan (and, from QIF, the measurements); CadError says why not."""
    try:
        if data.startswith(GZIP_MAGIC):
            data = decompress(data, max_bytes=max_decompressed_bytes)
        head = data[:64].lstrip()
        if head.startswith(b"ISO-10303-21"):
            return Model("step-ap242", ap242.extract(read_step(data)))
        if head.startswith(b"<"):
            return _read_qif(data, qif_schema_dir)
    except StepError as error:
        raise CadError(
            Reason("not a readable STEP file: %(reason)s", reason=error.reason)
        ) from None
    raise CadError(
        Reason(
            "not a STEP (ISO 10303-21) or QIF file: it begins with %(start)r",
            start=data[:8].decode("latin-1"),
        )
    )


def _read_qif(data: bytes, schema_dir: Path | None) -> Model:
    root = qif.parse(data)
    if schema_dir is not None:
        qif.validate(root, schema_dir)
    plan = qif.read_plan(root)
    results = qif.read_results(root)
    if not plan.characteristics and not results.measurements:
        plan.warnings.append("the QIF document defines no characteristics")
    return Model("qif", plan, results)
