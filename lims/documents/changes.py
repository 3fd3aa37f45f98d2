"""What changed on the record between what a document printed and what it would print now.

A revision of a certificate or report (ISO/IEC 17025 7.8.8) must say what it corrects; the
changes are found by comparing the data stored with the valid revision against the data a new
issue would gather.  What differs between two issues by nature (number, issue date,
signatory, the job's step) is no change of the record and is left out.

    >>> record_changes({"customer": {"name": "Oy A"}}, {"customer": {"name": "Oy B"}})
    [{'what': 'customer.name', 'old': 'Oy A', 'new': 'Oy B'}]
"""

import re
from typing import Any

#: Keys of a document's data that a new issue prints differently with the record unchanged.
NOT_THE_RECORD = frozenset(
    {
        "number",
        "language",
        "revision",
        "issued_on",
        "signatory",
        "free_text",  # the same texts are in the record's own fields
        "known_translations",
        "supersedes",
    }
)
#: The job's step moves on by issuing itself; it is not what the document reports.
NOT_THE_RECORD_PATHS = frozenset({"job.status"})
#: How a row of a list is recognised across issues, first found wins.
ROW_KEYS = ("characteristic_id", "id", "code", "number", "label")
#: A raw number the document prints rounded under another key: the printed one is shown.
PRINTED_AS = {"value": "value_text", "expanded_uncertainty": "uncertainty_text"}
#: Keys kept for machines that the document never prints as such (the acceptance limits go to
#: the DCC; the PDF prints the rule and U they follow from).
NOT_PRINTED = frozenset(
    {"characteristic_id", "item_id", "method_id", "id", "D", "En", "acceptance_limits"}
)
_PATH = re.compile(r"(?P<section>[^.\[]+)(?:\[(?P<row>[^\]]*)\])?(?:\.(?P<field>.+))?")
Scalar = str | int | float | bool | None


def record_changes(printed: dict[str, Any], now: dict[str, Any]) -> list[dict[str, Any]]:
    """Each value the record holds now that ``printed`` showed otherwise, as
    ``{"what", "old", "new"}``; an added or removed row has ``None`` on its missing side."""
    old = {key: value for key, value in printed.items() if key not in NOT_THE_RECORD}
    new = {key: value for key, value in now.items() if key not in NOT_THE_RECORD}
    changes: list[dict[str, Any]] = []
    _compare("", old, new, changes)
    return [change for change in changes if change["what"] not in NOT_THE_RECORD_PATHS]


def _compare(path: str, old: Any, new: Any, changes: list[dict[str, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(key for key in new if key not in old)]:
            _compare(_join(path, str(key)), old.get(key), new.get(key), changes)
    elif _rows(old) and _rows(new):
        _compare_rows(path, old, new, changes)
    elif old != new:
        changes.append({"what": path, "old": _shown(old), "new": _shown(new)})


def _compare_rows(
    path: str, old: list[dict[str, Any]], new: list[dict[str, Any]], changes: list[dict[str, Any]]
) -> None:
    old_rows = {_identity(row, index): row for index, row in enumerate(old)}
    new_rows = {_identity(row, index): row for index, row in enumerate(new)}
    for identity in [*old_rows, *(key for key in new_rows if key not in old_rows)]:
        before, after = old_rows.get(identity), new_rows.get(identity)
        where = _join(path, _name(before or after or {}, identity))
        if before is None or after is None:
            changes.append({"what": where, "old": _summary(before), "new": _summary(after)})
        else:
            _compare(where, before, after, changes)


def _rows(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(row, dict) for row in value)


def _identity(row: dict[str, Any], index: int) -> str:
    for key in ROW_KEYS:
        if row.get(key) is not None:
            return f"{key}={row[key]}"
    return f"#{index}"


def _name(row: dict[str, Any], identity: str) -> str:
    """A row as a person finds it on the document: its label where it has one."""
    label = row.get("label") or row.get("code") or row.get("identification")
    return f"[{label}]" if label else f"[{identity.split('=')[-1]}]"


def _summary(row: dict[str, Any] | None) -> Scalar:
    if row is None:
        return None
    for key in ("label", "description", "name", "code", "number"):
        if row.get(key) is not None:
            return _shown(row[key])
    return None


def _shown(value: Any) -> Scalar:
    """A value as it can be stored and printed: lists and objects as their items' text."""
    if isinstance(value, list):
        return ", ".join(str(_shown(each)) for each in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_shown(each)}" for key, each in value.items())
    return value


def _join(path: str, key: str) -> str:
    if not path:
        return key
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"


def printed_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes as a revision prints them (ISO/IEC 17025 7.8.8.1): each split into the
    document's section, the row (a result's label) and the field, so the table names them in
    the reader's words; a raw number appears only as it is printed, rounded.

    >>> [shown] = printed_changes([
    ...     {"what": "results[25 mm].value", "old": 0.41, "new": 0.43},
    ...     {"what": "results[25 mm].value_text", "old": "0.41", "new": "0.43"},
    ... ])
    >>> shown["section"], shown["row"], shown["field"], shown["old"], shown["new"]
    ('results', '25 mm', 'value_text', '0.41', '0.43')
    """
    shown = []
    for change in changes:
        match = _PATH.fullmatch(change["what"])
        if match is None:
            shown.append({**change, "section": change["what"], "row": None, "field": None})
            continue
        field = match["field"]
        if field in PRINTED_AS or field in NOT_PRINTED:
            continue
        shown.append({**change, **match.groupdict()})
    return shown
