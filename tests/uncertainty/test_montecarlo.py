"""Monte Carlo (JCGM 101): intervals, seeds, adaptive procedure, blocks, correlation, validation."""

import math
import tracemalloc
from typing import Any

import numpy as np
import pytest

from lims.uncertainty import Input, UncertaintyInputError, evaluate, monte_carlo, parse_model
from lims.uncertainty import montecarlo as mc


def normal(name: str, value: float, u: float, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": value, "standard_uncertainty": u, **extra}


@pytest.mark.parametrize("probability", [0.3, 0.5, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("trials", [1000, 1001, 12345])
def test_partial_sort_gives_the_same_intervals_as_a_full_sort(
    probability: float, trials: int
) -> None:
    y = np.random.default_rng(trials).lognormal(size=trials)
    ordered = np.sort(y)
    q, low = mc.interval_indices(trials, probability)
    widths = ordered[q:] - ordered[: trials - q]
    best = int(np.argmin(widths))
    symmetric, shortest = mc.coverage_intervals(y.copy(), probability)
    assert symmetric == (ordered[low], ordered[low + q])
    assert shortest == (ordered[best], ordered[best + q])


@pytest.mark.parametrize("probability", [0.8, 0.95, 0.99, 0.999])
@pytest.mark.parametrize("kind", ["normal", "lognormal", "ties", "cauchy"])
def test_large_sample_tails_from_a_subsample_give_the_full_sort_intervals(
    probability: float, kind: str
) -> None:
    rng = np.random.default_rng(7)
    trials = mc.SUBSAMPLE_FROM + 12_345
    y = {
        "normal": rng.standard_normal(trials),
        "lognormal": rng.lognormal(size=trials),
        "ties": np.round(rng.standard_normal(trials), 1),
        "cauchy": rng.standard_cauchy(trials),
    }[kind]
    ordered = np.sort(y)
    q, low = mc.interval_indices(trials, probability)
    best = int(np.argmin(ordered[q:] - ordered[: trials - q]))
    symmetric, shortest = mc.coverage_intervals(y.copy(), probability)
    assert symmetric == (ordered[low], ordered[low + q])
    assert shortest == (ordered[best], ordered[best + q])


def test_a_misleading_subsample_falls_back_to_the_partition() -> None:
    # Every 64th value (the subsample) is far below the rest: its thresholds pick out too few
    # values for the lower tail, and the intervals must still be exact.
    rng = np.random.default_rng(8)
    trials = mc.SUBSAMPLE_FROM * 2
    y = rng.standard_normal(trials)
    y[::64] = -100.0 - rng.random(y[::64].size)
    ordered = np.sort(y)
    q, low = mc.interval_indices(trials, 0.95)
    best = int(np.argmin(ordered[q:] - ordered[: trials - q]))
    assert mc._tails_by_threshold(y.copy(), trials - q) is None
    symmetric, shortest = mc.coverage_intervals(y.copy(), 0.95)
    assert symmetric == (ordered[low], ordered[low + q])
    assert shortest == (ordered[best], ordered[best + q])


def test_results_depend_on_the_seed_not_on_the_number_of_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = {"y": parse_model("a * b + c")}
    inputs = [
        Input("a", 1.0, 0.1),
        Input.rectangular("b", 2.0, half_width=0.3),
        Input("c", 0.0, 0.5, "t", 5.0, scale=0.5),
    ]
    runs = []
    for workers in (1, 2, 3):
        monkeypatch.setattr(mc, "WORKERS", workers)
        runs.append(monte_carlo(model, inputs, trials=3 * mc.BATCH + 1234, seed=17).outputs)
    assert runs[0] == runs[1] == runs[2]


def test_interval_indices_follow_jcgm_101_7_7() -> None:
    # M = 10^6, p = 0.95: q = 950 000, r = 25 000 (1-based) -> y_(25000), y_(975000).
    assert mc.interval_indices(10**6, 0.95) == (950_000, 24_999)
    # (M - q) odd: r = integer part of (M - q + 1)/2.
    assert mc.interval_indices(1001, 0.95) == (951, 24)


def test_same_seed_same_result_and_chosen_seed_is_reported() -> None:
    request = {
        "model": "a * b",
        "inputs": [
            normal("a", 2.0, 0.1),
            {"name": "b", "value": 3.0, "distribution": "rectangular", "half_width": 0.2},
        ],
        "method": "mcm",
        "mcm": {"trials": 10_000, "seed": 42},
    }
    first = evaluate(request)["outputs"][0]["mcm"]
    again = evaluate(request)["outputs"][0]["mcm"]
    assert first == again
    unseeded = evaluate({**request, "mcm": {"trials": 10_000}})["outputs"][0]["mcm"]
    assert isinstance(unseeded["seed"], int) and 0 <= unseeded["seed"] < 2**32
    replay = evaluate({**request, "mcm": {"trials": 10_000, "seed": unseeded["seed"]}})
    assert replay["outputs"][0]["mcm"] == unseeded


@pytest.mark.parametrize(
    ("spec", "mean", "u"),
    [
        ({"distribution": "triangular", "half_width": 1.0}, 0.0, 1 / math.sqrt(6)),
        ({"distribution": "arcsine", "half_width": 1.0}, 0.0, 1 / math.sqrt(2)),
        ({"distribution": "trapezoidal", "half_width": 1.0, "beta": 0.4}, 0.0, math.sqrt(1.16 / 6)),
        ({"distribution": "t", "scale": 1.0, "dof": 10}, 0.0, math.sqrt(10 / 8)),
        ({"distribution": "t", "standard_uncertainty": 1.0, "dof": 10}, 0.0, 1.0),
        ({"observations": [-1.0, 0.0, 1.0, 0.5, -0.5]}, 0.0, math.sqrt(0.625 / 5 * 4 / 2)),
    ],
)
def test_draws_have_the_distribution_moments(spec: dict[str, Any], mean: float, u: float) -> None:
    request = {
        "model": "x",
        "inputs": [
            {"name": "x", "value": mean, **spec}
            if "observations" not in spec
            else {"name": "x", **spec}
        ],
        "method": "mcm",
        "mcm": {"trials": 400_000, "seed": 3},
    }
    result = evaluate(request)["outputs"][0]["mcm"]
    assert result["value"] == pytest.approx(mean, abs=5 * u / math.sqrt(400_000))
    assert result["standard_uncertainty"] == pytest.approx(u, rel=0.01)


def test_correlated_normal_inputs_are_drawn_jointly() -> None:
    inputs = [Input("a", 0.0, 1.0), Input("b", 0.0, 2.0)]
    correlation = np.array([[1.0, 1.0], [1.0, 1.0]])  # singular but positive semi-definite
    models = {"s": parse_model("a + b"), "d": parse_model("2*a - b")}
    result = monte_carlo(models, inputs, correlation, trials=50_000, seed=5)
    s, d = result.outputs
    assert s.standard_uncertainty == pytest.approx(3.0, rel=0.02)
    assert d.standard_uncertainty == pytest.approx(0.0, abs=1e-12)


def test_correlated_input_must_be_normal_for_monte_carlo() -> None:
    request = {
        "model": "a + b",
        "inputs": [
            normal("a", 0, 1),
            {"name": "b", "value": 0, "distribution": "rectangular", "half_width": 1},
        ],
        "correlations": [{"between": ["a", "b"], "r": 0.5}],
        "method": "both",
        "mcm": {"trials": 1000},
    }
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate(request)
    assert caught.value.location == ("inputs", 1, "distribution")
    assert "joint normal" in caught.value.message
    assert evaluate({**request, "method": "gum"})["outputs"][0]["standard_uncertainty"] > 0


def test_model_undefined_for_some_trials_is_refused() -> None:
    request = {
        "model": "log(a)",
        "inputs": [normal("a", 0.5, 1.0)],
        "method": "mcm",
        "mcm": {"trials": 10_000, "seed": 1},
    }
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate(request)
    assert "undefined" in caught.value.message


def test_validation_passes_for_a_linear_model_and_fails_for_a_strongly_nonlinear_one() -> None:
    linear = evaluate(
        {
            "model": "a + 2*b",
            "inputs": [normal("a", 1, 1), normal("b", 1, 1)],
            "method": "both",
            "mcm": {"trials": 200_000, "seed": 11, "significant_digits": 1},
        }
    )
    assert linear["outputs"][0]["mcm"]["validation"]["passed"] is True
    assert linear["outputs"][0]["reported"]["basis"] == "gum"
    # JCGM 101 9.4 with x1 = 0: GUM gives u = 0, Monte Carlo does not.
    square = evaluate(
        {
            "model": "a**2",
            "inputs": [normal("a", 0, 0.005)],
            "method": "both",
            "mcm": {"trials": 100_000, "seed": 11},
        }
    )
    output = square["outputs"][0]
    assert output["mcm"]["validation"]["passed"] is False
    assert output["reported"]["basis"] == "mcm"
    assert any("fails validation" in warning for warning in square["warnings"])


def test_numerical_tolerance_follows_jcgm_101_7_9_2() -> None:
    # u = 0.0291 with 2 significant digits -> 29 x 10^-3 -> delta = 0.0005.
    assert mc.numerical_tolerance(0.0291, 2) == pytest.approx(0.0005)
    assert mc.numerical_tolerance(35.0, 1) == pytest.approx(5.0)


@pytest.mark.slow
def test_adaptive_procedure_stops_when_stable() -> None:
    request = {
        "model": "a + b",
        "inputs": [
            normal("a", 0, 1),
            {"name": "b", "value": 0, "distribution": "rectangular", "half_width": 1},
        ],
        "method": "mcm",
        "mcm": {"adaptive": True, "significant_digits": 2, "trials": 10_000_000, "seed": 2},
    }
    response = evaluate(request)
    result = response["outputs"][0]["mcm"]
    assert result["trials"] % 10_000 == 0 and result["trials"] < 10_000_000
    assert result["standard_uncertainty"] == pytest.approx(math.sqrt(1 + 1 / 3), abs=0.005)
    assert not any("did not stabilise" in warning for warning in response["warnings"])


def test_adaptive_procedure_warns_when_the_cap_is_reached() -> None:
    request = {
        "model": "a",
        "inputs": [normal("a", 0, 1)],
        "method": "mcm",
        "mcm": {"adaptive": True, "significant_digits": 5, "trials": 20_000, "seed": 2},
    }
    response = evaluate(request)
    assert response["outputs"][0]["mcm"]["trials"] == 20_000
    assert any("did not stabilise" in warning for warning in response["warnings"])


def test_beyond_the_memory_budget_results_are_pooled_from_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = {"y": parse_model("a + b")}
    inputs = [Input("a", 0.0, 1.0), Input.rectangular("b", 0.0, half_width=math.sqrt(3.0))]
    # Chunks of one block each: both runs see the same draws in the same order.
    monkeypatch.setattr(mc, "CHUNK", 100_000)
    exact = monte_carlo(model, inputs, trials=400_000, seed=9)
    monkeypatch.setattr(mc, "KEEP_LIMIT", 100_000)
    monkeypatch.setattr(mc, "BLOCK", 100_000)
    blocked = monte_carlo(model, inputs, trials=400_000, seed=9)
    assert blocked.trials == 400_000
    assert any("averages over 4 blocks" in warning for warning in blocked.warnings)
    (a,), (b,) = exact.outputs, blocked.outputs
    assert b.value == pytest.approx(a.value, abs=1e-12)  # same draws, pooled exactly
    assert b.standard_uncertainty == pytest.approx(a.standard_uncertainty, rel=1e-12)
    assert b.interval == pytest.approx(a.interval, abs=0.02)

    def peak(trials: int) -> int:
        tracemalloc.start()
        monte_carlo(model, inputs, trials=trials, seed=9)
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return used

    # Memory does not grow with the number of trials (keeping 3.2e6 values takes 25.6 MB).
    small, large = peak(400_000), peak(3_200_000)
    assert large < 1.5 * small < 8_000_000


def test_constant_model_has_zero_uncertainty() -> None:
    result = monte_carlo({"y": parse_model("2 + 0*a")}, [Input("a", 1.0, 1.0)], trials=1000, seed=1)
    assert result.outputs[0].standard_uncertainty == 0.0
