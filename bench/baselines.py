"""Baselines for the uncertainty-engine benchmarks: GUM H.1 (end-gauge calibration).

Three third-party or hand-written evaluations of the same model and inputs as
``H1_REQUEST`` (the engine request of ``shared/fixtures/uncertainty/gum-h1-end-gauge.json``):

* :func:`gtc_h1_gum` - GTC 1.5.1, GUM law of propagation with budget and Welch-Satterthwaite
  dof, as GTC's ``examples/GUM_H1.py`` does (but with the six inputs of the request).
* :func:`numpy_h1.numpy_h1_mcm` - a hand-written, fully vectorised NumPy Monte Carlo script
  for this one model: mean, standard deviation, probabilistically symmetric and shortest
  intervals (its own module, so that it also runs as a process with nothing else imported).
* :func:`metas_h1_mcm` - METAS UncLib 3.0.3 Monte Carlo mode (``use_mcprop``), as its
  ``examples/gum_h1.py`` with the six inputs of the request.

GTC and METAS UncLib are optional (``bench/requirements.txt``, installed by ``make bench``);
``*_unavailable()`` says why one cannot run, or returns ``None`` when it can.
"""

from __future__ import annotations

import copy
import importlib.util
import math
import re
import subprocess
import sys
from typing import Any

import numpy as np

# Engine request for GUM H.1, copied from shared/fixtures/uncertainty/gum-h1-end-gauge.json.
# Lengths in nm. Model: l = l_s + d - l_s*(d_alpha*theta + alpha_s*d_theta).
H1_REQUEST: dict[str, Any] = {
    "model": "l_s + d - l_s*(d_alpha*theta + alpha_s*d_theta)",
    "output": "l",
    "inputs": [
        {"name": "l_s", "distribution": "t", "value": 50000623.6, "scale": 25.0, "dof": 18},
        {
            "name": "d",
            "distribution": "normal",
            "value": 215.0,
            "standard_uncertainty": 9.7,
            "dof": 25.6,
        },
        {
            "name": "alpha_s",
            "distribution": "rectangular",
            "value": 1.15e-05,
            "half_width": 1.9999999999999995e-06,
        },
        {"name": "theta", "distribution": "normal", "value": -0.1, "standard_uncertainty": 0.41},
        {
            "name": "d_alpha",
            "distribution": "rectangular",
            "value": 0.0,
            "half_width": 1e-06,
            "dof": 50,
        },
        {
            "name": "d_theta",
            "distribution": "rectangular",
            "value": 0.0,
            "half_width": 0.05,
            "dof": 2,
        },
    ],
    "correlations": [],
    "coverage_probability": 0.99,
    "method": "both",
    "mcm": {"trials": 1000000, "adaptive": False, "seed": 20261127},
}

COVERAGE_PROBABILITY: float = H1_REQUEST["coverage_probability"]
MCM_SEED: int = H1_REQUEST["mcm"]["seed"]


def h1_request(method: str, *, trials: int | None = None, seed: int | None = None) -> dict:
    """A fresh copy of the H.1 request with ``method`` ("gum", "mcm" or "both") set."""
    request = copy.deepcopy(H1_REQUEST)
    request["method"] = method
    if trials is not None:
        request["mcm"]["trials"] = trials
    if seed is not None:
        request["mcm"]["seed"] = seed
    return request


# --------------------------------------------------------------------------------------------
# (a) GTC: GUM evaluation with budget and dof


try:
    import GTC as gtc
except ImportError:  # a bench-only dependency
    gtc = None


def gtc_unavailable() -> str | None:
    """Why GTC cannot run here, or ``None``."""
    if gtc is None:
        return "GTC is not installed (make .venv/.installed-bench)"
    return None


def gtc_h1_gum(coverage_probability: float = COVERAGE_PROBABILITY) -> dict[str, Any]:
    """GUM H.1 with GTC: estimate, u_c, budget, nu_eff and expanded uncertainty.

    The coverage factor uses the dof truncated to an integer (GUM G.6.4), as the published
    result (k_99 = t_99(16) = 2.92, U_99 = 93 nm) does.
    """
    # Module attributes, not a per-call import (which alone costs ~0.5 us here).
    reporting, result, type_b, ureal = gtc.reporting, gtc.result, gtc.type_b, gtc.ureal

    l_s = ureal(50000623.6, 25.0, 18, label="l_s")
    d = ureal(215.0, 9.7, 25.6, label="d")
    alpha_s = ureal(11.5e-6, type_b.uniform(2e-6), label="alpha_s")
    theta = ureal(-0.1, 0.41, label="theta")
    d_alpha = ureal(0.0, type_b.uniform(1e-6), 50, label="d_alpha")
    d_theta = ureal(0.0, type_b.uniform(0.05), 2, label="d_theta")

    length = result(l_s + d - l_s * (d_alpha * theta + alpha_s * d_theta), label="l")

    budget = [(component.label, component.u) for component in reporting.budget(length)]
    dof = length.df
    k = reporting.k_factor(math.floor(dof), 100.0 * coverage_probability)
    return {
        "value": length.x,
        "u": length.u,
        "dof": dof,
        "k": k,
        "U": k * length.u,
        "budget": budget,
    }


# --------------------------------------------------------------------------------------------
# (c) METAS UncLib: Monte Carlo mode (MCProp) through pythonnet and Mono

_METAS_PROBE = "import pythonnet; pythonnet.load('mono'); import metas_unclib"
_metas_loaded = False


def metas_unavailable() -> str | None:
    """Why METAS UncLib cannot run here, or ``None``.

    Loading Mono happens in a child process first: with Mono's assemblies incomplete (no
    ``mono-complete``), the runtime aborts the whole process instead of raising.
    """
    for module in ("pythonnet", "metas_unclib"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (make .venv/.installed-bench)"
    try:
        probe = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", _METAS_PROBE],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "loading METAS UncLib under Mono timed out"
    if probe.returncode != 0:
        lines = [line.strip() for line in probe.stderr.splitlines() if line.strip()]
        # Mono's own abort message, else the first exception line of the traceback.
        reason = next(
            (line for line in lines if "Could not load" in line),
            next(
                (line for line in lines if re.match(r"^[\w.]+(Error|Exception): ", line)),
                f"exit status {probe.returncode}",
            ),
        )
        return (
            "METAS UncLib does not load under Mono "
            f"(apt-get install -y mono-complete): {reason.strip()[:200]}"
        )
    return None


def _load_metas() -> None:
    global _metas_loaded
    if not _metas_loaded:
        import warnings

        import pythonnet

        with warnings.catch_warnings():
            # clr_loader warns that Mono < 6.12 is "known to be problematic"; 6.8 works here.
            warnings.simplefilter("ignore")
            pythonnet.load("mono")
        _metas_loaded = True


def metas_h1_mcm(
    trials: int = 1_000_000, probability: float = COVERAGE_PROBABILITY
) -> dict[str, Any]:
    """Monte Carlo of H.1 with METAS UncLib (MCProp, its defaults: Intel MKL on).

    METAS UncLib has one kind of coverage interval, the shortest one (``GetCoverageInterval``
    sorts the sample and takes the minimum of y[i+q] - y[i]); it has no probabilistically
    symmetric interval, so it does a little less work than the other two.
    """
    _load_metas()
    import metas_unclib as mu

    mu.use_mcprop(trials)
    l_s = mu.ufloatfromdistribution(mu.StudentTDistribution(50000623.6, 25.0, 18.0), desc="l_s")
    d = mu.ufloatfromdistribution(mu.NormalDistribution(215.0, 9.7), desc="d")
    alpha_s = mu.ufloatfromdistribution(
        mu.UniformDistribution(11.5e-6 - 2e-6, 11.5e-6 + 2e-6), desc="alpha_s"
    )
    theta = mu.ufloatfromdistribution(mu.NormalDistribution(-0.1, 0.41), desc="theta")
    d_alpha = mu.ufloatfromdistribution(mu.UniformDistribution(-1e-6, 1e-6), desc="d_alpha")
    d_theta = mu.ufloatfromdistribution(mu.UniformDistribution(-0.05, 0.05), desc="d_theta")

    length = l_s + d - l_s * (d_alpha * theta + alpha_s * d_theta)

    interval = mu.get_coverage_interval(length, probability)
    low, high = (float(x) for x in np.asarray(interval, dtype=float).ravel())
    return {
        "value": float(mu.get_value(length)),
        "u": float(mu.get_stdunc(length)),
        "symmetric": None,
        "shortest": (low, high),
    }
