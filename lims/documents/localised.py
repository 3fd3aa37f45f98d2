"""A job document's master data in the language it is rendered in.

The stored data (and ``data.json``) keeps the Finnish master text beside its translations
(:mod:`lims.master_text`); rendering a translation swaps in the translation of each method
reference, equipment name and characteristic label, the master where the lab gave none.
"""

import copy
from collections.abc import Mapping
from typing import Any

from lims.i18n import MASTER_LANGUAGE
from lims.master_text import in_language

#: The rows that print a characteristic's label.
LABELLED_ROWS = ("results", "adjustments", "comparison")


def localised(data: Mapping[str, Any], language: str) -> Mapping[str, Any]:
    """``data`` with its master text in ``language`` (the data itself for the master)."""
    if language == MASTER_LANGUAGE or "job" not in data:
        return data
    shown = copy.deepcopy(dict(data))
    for method in shown.get("methods") or []:
        method["reference"] = in_language(
            method.get("translations"), language, "reference", method["reference"]
        )
    for row in shown.get("equipment") or []:
        row["name"] = in_language(row.get("translations"), language, "name", row["name"])
    labels: dict[str, dict[str, dict[str, str]]] = shown.get("label_translations") or {}
    for rows in LABELLED_ROWS:
        for row in shown.get(rows) or []:
            row["label"] = in_language(labels.get(row["label"]), language, "label", row["label"])
    return shown
