"""A planned calibration point's name: the key the job stores, and what a reader sees.

A point planned from a method's sizes (:func:`lims.jobs.service.plan_calibration_points`)
stores as its label the size in no reader's notation, ``f"{size:g} {size_unit}"`` ("2.5 mm"):
the point's key in the job (unique there), as the API, the audit trail and a results file name
it. Pages and documents never print that key: they write the nominal size with its unit in the
reader's notation (2,5 mm in Finnish and Swedish, 2.5 mm in English) through the ``number``/
``num`` and ``unit`` filters. A label the lab typed (a renamed point, a drawing's feature) is
not such a key and is shown as typed. Points stored before this rule carry the same key, so
they read the same way without a data migration.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal


def planned_label(size: float, size_unit: str) -> str:
    """The key a point planned at ``size`` (in the method's ``size_unit``) is stored under."""
    return f"{size:g} {size_unit}"


def reader_label(point: object, write: Callable[[Decimal, str], str]) -> str:
    """The label of ``point`` (a characteristic, or a document's row of one) as a reader sees
    it: a planned point's key as its size and unit written by ``write(size, unit)`` in the
    reader's notation, with the digits the key has ("10 mm" stays 10, never 10,0); any other
    label as it is."""
    label, kind, nominal = (_field(point, name) for name in ("label", "kind", "nominal"))
    text = "" if label is None else str(label)
    if kind != "calibration_point" or not isinstance(nominal, int | float):
        return text
    size, _, size_unit = text.partition(" ")
    if not size_unit or text != planned_label(nominal, size_unit):
        return text
    return write(Decimal(size), size_unit)


def _field(point: object, name: str) -> object:
    return point.get(name) if isinstance(point, Mapping) else getattr(point, name, None)
