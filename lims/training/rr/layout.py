"""From a list of readings to the balanced array a study needs, or a refusal that says which
cells are missing.

A crossed study is an array ``values[part, operator, trial]``; a nested one the same with the
parts of each operator on the first axis (a part is known by its operator and its label, so
operators may number their parts 1, 2, 3 alike).  Parts and operators keep the order in which
they first appear; trials are ordered by their label when every label is a number.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from lims.errors import InvalidInput
from lims.reasons import Reason
from lims.training.rr.schemas import Measurement

# How many missing or uneven cells a message lists before it says "and N more".
LISTED = 8


@dataclass(frozen=True)
class Study:
    """A balanced study: ``values[i, j, k]`` is part ``i`` by operator ``j``, trial ``k``.

    In a nested study ``parts[j][i]`` names part ``i`` of operator ``j``; in a crossed study
    every operator measured the same ``parts[0]``.
    """

    parts: tuple[tuple[str, ...], ...]
    operators: tuple[str, ...]
    values: np.ndarray

    @property
    def part_labels(self) -> tuple[str, ...]:
        return self.parts[0]


def crossed_study(measurements: Sequence[Measurement]) -> Study:
    cells = _cells(measurements)
    operators = _ordered(key[1] for key in cells)
    parts = _ordered(key[0] for key in cells)
    _need_two(operators, Reason("reproducibility needs at least two operators"))
    _need_two(parts, Reason("part-to-part variation needs at least two parts"))
    _balanced_trials(cells, [(p, o) for o in operators for p in parts], _crossed_name)
    values = np.array(
        [[cells[(part, operator)] for operator in operators] for part in parts], dtype=float
    )
    _check_variation(values)
    return Study(parts=(tuple(parts),) * len(operators), operators=tuple(operators), values=values)


def nested_study(measurements: Sequence[Measurement]) -> Study:
    cells = _cells(measurements)
    operators = _ordered(key[1] for key in cells)
    _need_two(operators, Reason("reproducibility needs at least two operators"))
    parts_of = {o: _ordered(p for p, owner in cells if owner == o) for o in operators}
    counts = Counter(len(parts) for parts in parts_of.values())
    if len(counts) > 1:
        usual = counts.most_common(1)[0][0]
        uneven = [
            Reason("operator %(operator)s has %(count)s", operator=o, count=len(p))
            for o, p in parts_of.items()
            if len(p) != usual
        ]
        raise InvalidInput(
            "the nested design is unbalanced: every operator must measure the same "
            "number of parts (%(usual)s for most); %(listing)s",
            code="training.nested_design_unbalanced_every_operator",
            usual=usual,
            listing=listing(uneven),
            location=("measurements",),
        )
    if min(counts) < 2:
        raise InvalidInput(
            "part-to-part variation needs at least two parts for each operator",
            code="training.part_part_variation_needs_least",
            location=("measurements",),
        )
    keys = [(p, o) for o in operators for p in parts_of[o]]
    _balanced_trials(cells, keys, _nested_name)
    values = np.array(
        [
            [cells[(parts_of[o][i], o)] for o in operators]
            for i in range(len(parts_of[operators[0]]))
        ],
        dtype=float,
    )
    _check_variation(values)
    return Study(
        parts=tuple(tuple(parts_of[o]) for o in operators),
        operators=tuple(operators),
        values=values,
    )


# -- building the cells ---------------------------------------------------------------------


def _cells(measurements: Sequence[Measurement]) -> dict[tuple[str, str], list[float]]:
    """Readings per (part, operator), ordered by trial; every reading needs both labels."""
    missing = [
        Reason("measurements[%(index)s] has no part", index=index)
        if name == "part"
        else Reason("measurements[%(index)s] has no operator", index=index)
        for index, reading in enumerate(measurements)
        for name in ("part", "operator")
        if getattr(reading, name) is None
    ]
    if missing:
        raise InvalidInput(
            "every reading needs its part and operator: %(listing)s",
            code="training.every_reading_needs_part_operator",
            listing=listing(missing),
            location=("measurements",),
        )
    grouped: dict[tuple[str, str], list[tuple[int, Measurement]]] = defaultdict(list)
    for index, reading in enumerate(measurements):
        grouped[(str(reading.part), str(reading.operator))].append((index, reading))
    return {key: _in_trial_order(key, readings) for key, readings in grouped.items()}


def _in_trial_order(key: tuple[str, str], readings: list[tuple[int, Measurement]]) -> list[float]:
    labels = [reading.trial for _, reading in readings]
    given = [label for label in labels if label is not None]
    repeated = (
        [label for label, count in Counter(given).items() if count > 1]
        if len(set(given)) != len(given)
        else []
    )
    if repeated:
        where = [f"measurements[{i}]" for i, r in readings if r.trial == repeated[0]]
        raise InvalidInput(
            "part %(key)s, operator %(key2)s, trial %(repeated)s is given more "
            "than once (%(where)s)",
            code="training.part_operator_trial_given_more",
            key=key[0],
            key2=key[1],
            repeated=repeated[0],
            where=", ".join(where),
            location=("measurements",),
        )
    if given and len(given) == len(labels) and all(_is_number(label) for label in given):
        readings = sorted(readings, key=lambda pair: float(str(pair[1].trial)))
    return [reading.value for _, reading in readings]


def _balanced_trials(
    cells: dict[tuple[str, str], list[float]],
    keys: list[tuple[str, str]],
    name: Callable[[tuple[str, str]], Reason],
) -> int:
    missing = [name(key) for key in keys if key not in cells]
    counts = Counter(len(cells[key]) for key in keys if key in cells)
    usual = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
    uneven = [
        Reason("%(cell)s has %(count)s", cell=name(key), count=len(cells[key]))
        for key in keys
        if key in cells and len(cells[key]) != usual
    ]
    if missing or uneven:
        problems = (
            Reason(
                "%(missing)s; %(uneven)s",
                missing=_missing(missing),
                uneven=_unequal(usual, uneven),
            )
            if missing and uneven
            else _missing(missing)
            if missing
            else _unequal(usual, uneven)
        )
        raise InvalidInput(
            "the design is unbalanced: the ANOVA and average-and-range methods "
            "need every operator to measure each of their parts the same number of "
            "times; %(problems)s",
            code="training.design_unbalanced_anova_average_range",
            problems=problems,
            location=("measurements",),
        )
    if usual < 2:
        raise InvalidInput(
            "repeatability needs each part measured at least twice by each "
            "operator; every cell has one reading",
            code="training.repeatability_needs_each_part_measured",
            location=("measurements",),
        )
    return usual


def _missing(cells: list[Reason]) -> Reason:
    return Reason("missing: %(listing)s", listing=listing(cells))


def _unequal(usual: int, cells: list[Reason]) -> Reason:
    return Reason(
        "trials per cell should be %(usual)s: %(listing)s", usual=usual, listing=listing(cells)
    )


def _crossed_name(key: tuple[str, str]) -> Reason:
    return Reason("part %(part)s by operator %(operator)s", part=key[0], operator=key[1])


def _nested_name(key: tuple[str, str]) -> Reason:
    return Reason("operator %(operator)s's part %(part)s", part=key[0], operator=key[1])


def _check_variation(values: np.ndarray) -> None:
    if float(np.ptp(values)) == 0.0:
        raise InvalidInput(
            "all %(size)s values are %(flat)g: there is no variation to analyse; "
            "check the resolution of the instrument",
            code="training.all_values_there_variation_analyse",
            size=values.size,
            flat=values.flat[0],
            location=("measurements",),
        )


def _need_two(labels: list[str], why: Reason) -> None:
    if len(labels) < 2:
        raise InvalidInput(
            "%(why)s; the study has %(labels_count)s (%(labels)s)",
            code="training.study_has",
            why=why,
            labels_count=len(labels),
            labels=", ".join(labels),
            location=("measurements",),
        )


def _ordered(labels: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(labels))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def listing(items: list[Reason]) -> Reason:
    """The first LISTED items, separated by commas, and how many more (a Reason that words
    each item in the reader's language)."""
    listed = items[:LISTED]
    shown = listed[-1]
    for item in reversed(listed[:-1]):
        shown = Reason("%(item)s, %(rest)s", item=item, rest=shown)
    more = len(items) - LISTED
    return Reason("%(shown)s and %(more)s more", shown=shown, more=more) if more > 0 else shown
