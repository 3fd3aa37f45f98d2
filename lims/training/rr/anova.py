"""ANOVA of a balanced gauge study: the crossed two-way random model (parts x operators with
their interaction) and the nested model (parts within operators), with the variance
components of the expected mean squares.

For ``values[part, operator, trial]`` with p parts, o operators and r trials (Montgomery,
Design and Analysis of Experiments, 8th ed., eq. 13.7 and 14.10-14.12):

crossed   repeatability = MS_E, interaction = (MS_PO - MS_E) / r,
          operator = (MS_O - MS_PO) / (p r), part = (MS_P - MS_PO) / (o r);
          with the interaction pooled, MS_E and MS_PO both become the pooled error mean square.
nested    repeatability = MS_E, part = (MS_P(O) - MS_E) / r, operator = (MS_O - MS_P(O)) / (p r).

The components here are raw: negative estimates are left as they are, for
:mod:`lims.training.rr.components` to treat by the chosen convention.

>>> import numpy as np
>>> values = np.array([[[1.0, 1.2], [1.1, 1.3]], [[2.0, 2.1], [2.3, 2.2]]])
>>> crossed_anova(values, pool_above_p=None, f_denominator="interaction").full["total"].df
7
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Row:
    df: int
    ss: float
    ms: float | None
    f: float | None
    p: float | None

    def as_json(self) -> dict[str, float | int | None]:
        return {"df": self.df, "ss": self.ss, "ms": self.ms, "f": self.f, "p": self.p}


@dataclass(frozen=True)
class CrossedAnova:
    full: dict[str, Row]
    reduced: dict[str, Row] | None
    pooled: bool
    components: dict[str, float | None]


@dataclass(frozen=True)
class NestedAnova:
    table: dict[str, Row]
    components: dict[str, float | None]


def crossed_anova(
    values: np.ndarray, *, pool_above_p: float | None, f_denominator: str
) -> CrossedAnova:
    """The two-way table with interaction, the table without it when it is pooled, and the
    variance components of the model that was kept."""
    parts, operators, trials = values.shape
    deviations = values - values.mean()
    part_means = deviations.mean(axis=(1, 2))
    operator_means = deviations.mean(axis=(0, 2))
    cell_means = deviations.mean(axis=2)
    interaction_effects = cell_means - part_means[:, None] - operator_means[None, :]
    ss_part = operators * trials * float(np.sum(part_means**2))
    ss_operator = parts * trials * float(np.sum(operator_means**2))
    ss_interaction = trials * float(np.sum(interaction_effects**2))
    ss_error = float(np.sum((deviations - cell_means[..., None]) ** 2))
    ss_total = float(np.sum(deviations**2))
    df_part, df_operator = parts - 1, operators - 1
    df_interaction = df_part * df_operator
    df_error = parts * operators * (trials - 1)

    error = _mean_square(ss_error, df_error)
    interaction = _tested(df_interaction, ss_interaction, error, df_error)
    denominator, df_denominator = (
        (interaction.ms, df_interaction) if f_denominator == "interaction" else (error, df_error)
    )
    full = {
        "part": _tested(df_part, ss_part, denominator, df_denominator),
        "operator": _tested(df_operator, ss_operator, denominator, df_denominator),
        "interaction": interaction,
        "repeatability": Row(df_error, ss_error, error, None, None),
        "total": Row(df_part + df_operator + df_interaction + df_error, ss_total, None, None, None),
    }
    pooled = pool_above_p is not None and interaction.p is not None and interaction.p > pool_above_p
    if not pooled:
        return CrossedAnova(
            full=full,
            reduced=None,
            pooled=False,
            components=_crossed_components(
                full, parts=parts, operators=operators, trials=trials, error=error
            ),
        )
    df_pooled = df_interaction + df_error
    pooled_error = _mean_square(ss_interaction + ss_error, df_pooled)
    reduced = {
        "part": _tested(df_part, ss_part, pooled_error, df_pooled),
        "operator": _tested(df_operator, ss_operator, pooled_error, df_pooled),
        "repeatability": Row(df_pooled, ss_interaction + ss_error, pooled_error, None, None),
        "total": full["total"],
    }
    return CrossedAnova(
        full=full,
        reduced=reduced,
        pooled=True,
        components=_pooled_components(
            reduced, parts=parts, operators=operators, trials=trials, error=pooled_error
        ),
    )


def nested_anova(values: np.ndarray, *, f_denominator: str) -> NestedAnova:
    """``values[i, j, k]``: part ``i`` of operator ``j``, trial ``k``."""
    parts, operators, trials = values.shape
    deviations = values - values.mean()
    operator_means = deviations.mean(axis=(0, 2))
    cell_means = deviations.mean(axis=2)
    ss_operator = parts * trials * float(np.sum(operator_means**2))
    ss_part = trials * float(np.sum((cell_means - operator_means[None, :]) ** 2))
    ss_error = float(np.sum((deviations - cell_means[..., None]) ** 2))
    ss_total = float(np.sum(deviations**2))
    df_operator = operators - 1
    df_part = operators * (parts - 1)
    df_error = parts * operators * (trials - 1)
    error = _mean_square(ss_error, df_error)
    part = _tested(df_part, ss_part, error, df_error)
    denominator, df_denominator = (
        (part.ms, df_part) if f_denominator == "interaction" else (error, df_error)
    )
    table = {
        "operator": _tested(df_operator, ss_operator, denominator, df_denominator),
        "part_within_operator": part,
        "repeatability": Row(df_error, ss_error, error, None, None),
        "total": Row(df_operator + df_part + df_error, ss_total, None, None, None),
    }
    ms_operator, ms_part = _ms(table["operator"]), _ms(part)
    return NestedAnova(
        table=table,
        components={
            "repeatability": error,
            "operator": (ms_operator - ms_part) / (parts * trials),
            "interaction": None,
            "part": (ms_part - error) / trials,
        },
    )


# -- pieces ---------------------------------------------------------------------------------


def _crossed_components(
    table: dict[str, Row], *, parts: int, operators: int, trials: int, error: float
) -> dict[str, float | None]:
    ms_interaction = _ms(table["interaction"])
    return {
        "repeatability": error,
        "operator": (_ms(table["operator"]) - ms_interaction) / (parts * trials),
        "interaction": (ms_interaction - error) / trials,
        "part": (_ms(table["part"]) - ms_interaction) / (operators * trials),
    }


def _pooled_components(
    table: dict[str, Row], *, parts: int, operators: int, trials: int, error: float
) -> dict[str, float | None]:
    return {
        "repeatability": error,
        "operator": (_ms(table["operator"]) - error) / (parts * trials),
        "interaction": 0.0,
        "part": (_ms(table["part"]) - error) / (operators * trials),
    }


def _mean_square(ss: float, df: int) -> float:
    return ss / df


def _ms(row: Row) -> float:
    if row.ms is None:
        raise ValueError("an effect row has a mean square; the total row has none")
    return row.ms


def _tested(df: int, ss: float, denominator: float | None, df_denominator: int) -> Row:
    """A row with its F test against ``denominator``; no F when the denominator is zero."""
    ms = _mean_square(ss, df)
    if not denominator:
        return Row(df, ss, ms, None, None)
    f = ms / denominator
    return Row(df, ss, ms, f, float(stats.f.sf(f, df, df_denominator)))
