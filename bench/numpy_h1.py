"""GUM H.1 (end-gauge calibration) by Monte Carlo in plain NumPy, hand-written for this model.

The NumPy baseline of ``bench_uncertainty.py`` (in process) and of ``bench_cli_montecarlo.py``
(as a whole process, against ``lims uncertainty evaluate``). It imports only NumPy and the
standard library, as a script written for one evaluation would::

    .venv/bin/python bench/numpy_h1.py --trials 10000000 --seed 20261127

prints the mean, the standard deviation and the two coverage intervals as JSON.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import numpy as np


def numpy_h1_mcm(trials: int, seed: int, probability: float) -> dict[str, Any]:
    """Monte Carlo (JCGM 101) of H.1 in plain NumPy.

    Returns the mean, the standard deviation (ddof=1), the probabilistically symmetric
    interval (JCGM 101 7.7.1) and the shortest interval (JCGM 101 7.7.2: the minimum of
    y[r+q] - y[r] over the sorted sample) for the coverage probability.
    """
    rng = np.random.default_rng(seed)
    l_s = 50000623.6 + 25.0 * rng.standard_t(18, trials)
    d = rng.normal(215.0, 9.7, trials)
    alpha_s = rng.uniform(11.5e-6 - 2e-6, 11.5e-6 + 2e-6, trials)
    theta = rng.normal(-0.1, 0.41, trials)
    d_alpha = rng.uniform(-1e-6, 1e-6, trials)
    d_theta = rng.uniform(-0.05, 0.05, trials)

    y = l_s + d - l_s * (d_alpha * theta + alpha_s * d_theta)
    mean = float(y.mean())
    std = float(y.std(ddof=1))
    y.sort()

    # q = pM if that is an integer, else floor(pM + 1/2); symmetric interval [y_(r), y_(r+q)]
    # with r = (M - q)/2 if that is an integer, else (M - q + 1)/2 (1-based order statistics).
    q = math.floor(probability * trials + 0.5)
    low = (trials - q + 1) // 2 - 1
    shortest = int(np.argmin(y[q:] - y[: trials - q]))
    return {
        "value": mean,
        "u": std,
        "symmetric": (float(y[low]), float(y[low + q])),
        "shortest": (float(y[shortest]), float(y[shortest + q])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--probability", type=float, default=0.99)
    arguments = parser.parse_args()
    print(json.dumps(numpy_h1_mcm(arguments.trials, arguments.seed, arguments.probability)))


if __name__ == "__main__":
    main()
