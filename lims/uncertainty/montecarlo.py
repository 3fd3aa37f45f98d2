"""Monte Carlo propagation of distributions (JCGM 101:2008, GUM Supplement 1).

Trials are drawn and evaluated in chunks so that memory stays bounded whatever the number of
trials. Up to :data:`KEEP_LIMIT` model values are kept, sorted once, and give the exact
probabilistically symmetric (7.7.1) and shortest (7.7.2) coverage intervals. Beyond that, and in
the adaptive procedure of 7.9, the trials are grouped in blocks; the estimate and standard
uncertainty are pooled exactly from the blocks and, when the values could not be kept, the
interval endpoints are the averages of the block endpoints (7.9.4).
"""

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lims.reasons import Reason
from lims.uncertainty.errors import UncertaintyInputError
from lims.uncertainty.expression import Model
from lims.uncertainty.inputs import Input
from lims.uncertainty.warning_text import WarningText

#: Model values kept (all outputs together) for exact intervals: 2e7 float64 = 160 MB.
KEEP_LIMIT = 20_000_000
#: Trials drawn and evaluated at once.
CHUNK = 1 << 20
#: Trials per batch. Each batch is drawn from its own random stream and evaluated by a worker
#: thread (NumPy's generators and ufuncs release the GIL, so batches run in parallel). Fixed,
#: so that the results depend on the seed alone, not on the number of threads.
BATCH = 1 << 17
#: Worker threads for the batches.
WORKERS = os.cpu_count() or 1
#: Block size when more than KEEP_LIMIT values are asked for without the adaptive procedure.
BLOCK = 1_000_000


class MonteCarloStopped(Exception):
    """The run was stopped before its end because its caller's ``should_stop`` said so."""


#: Asked between batches of trials; True stops the run with :class:`MonteCarloStopped`.
StopCheck = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class McmOutput:
    """Monte Carlo result for one output."""

    name: str
    value: float
    standard_uncertainty: float
    interval: tuple[float, float]
    shortest_interval: tuple[float, float]
    #: (bin edges, counts) over the central 99.9 % of the values, when asked for and kept.
    histogram: tuple[list[float], list[int]] | None = None


@dataclass(frozen=True, slots=True)
class McmResult:
    """Monte Carlo results; ``stabilised`` is None unless the procedure was adaptive."""

    outputs: list[McmOutput]
    trials: int
    seed: int
    correlation: np.ndarray
    stabilised: bool | None = None
    warnings: list[str] = field(default_factory=list)


def numerical_tolerance(standard_uncertainty: float, significant_digits: int) -> float:
    """delta = 10^l / 2 where u = c 10^l with c an integer of ndig digits (JCGM 101 7.9.2).

    >>> numerical_tolerance(32.0, 2), numerical_tolerance(0.0291, 2), numerical_tolerance(1.0, 1)
    (0.5, 0.0005, 0.5)
    """
    if standard_uncertainty <= 0 or not math.isfinite(standard_uncertainty):
        return 0.0
    exponent = math.floor(math.log10(standard_uncertainty)) - significant_digits + 1
    return 0.5 * 10.0**exponent


def interval_indices(trials: int, coverage_probability: float) -> tuple[int, int]:
    """q and the 0-based index of y_low of the symmetric interval (JCGM 101 7.7.1).

    q = pM rounded to the nearest integer, r = (M - q)/2 (rounded up when not whole); the
    interval is [y_(r), y_(r+q)] in 1-based order statistics.

    >>> interval_indices(1_000_000, 0.95)
    (950000, 24999)
    """
    q = min(int(coverage_probability * trials + 0.5), trials - 1)
    r = max((trials - q + 1) // 2, 1)
    return q, r - 1


def coverage_intervals(y: np.ndarray, coverage_probability: float) -> tuple[Any, Any]:
    """The symmetric (7.7.1) and shortest (7.7.2) intervals of ``y`` along its last axis.

    ``y`` may be reordered in place. Only the order statistics the intervals need are sorted:
    the shortest interval is [y_(r), y_(r+q)] for some r <= M - q, so the M - q smallest and
    the M - q largest values (1 % each for p = 99 %) are all it takes.

    >>> y = np.arange(100.0, 0.0, -1.0)
    >>> coverage_intervals(y, 0.9)
    ((5.0, 95.0), (1.0, 91.0))
    """
    trials = y.shape[-1]
    q, low = interval_indices(trials, coverage_probability)
    tail = trials - q
    lower, upper = _tails(y, tail)  # y_(1..tail) and y_(q+1..M), each sorted
    symmetric = (lower[..., low], upper[..., low])
    best = np.argmin(upper - lower, axis=-1)
    if y.ndim == 1:
        return (float(symmetric[0]), float(symmetric[1])), (float(lower[best]), float(upper[best]))
    rows = np.arange(y.shape[0])
    return symmetric, (lower[rows, best], upper[rows, best])


#: A 1-D sample at least this large has its tails found through a subsample (see _tails).
SUBSAMPLE_FROM = 1 << 16
#: Every how many values the subsample takes one.
_STRIDE = 64


def _tails(y: np.ndarray, tail: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``tail`` smallest and the ``tail`` largest values of ``y``, each sorted.

    A large 1-D sample is not reordered: thresholds read off a subsample pick out a few more
    values than the tails hold, and only those are sorted, which costs a fraction of a
    partition of the whole sample. Otherwise (or when the thresholds do not hold enough
    values) ``y`` is partitioned at both tails in place and the tails are sorted.
    """
    trials = y.shape[-1]
    if y.ndim == 1 and trials >= SUBSAMPLE_FROM and 4 * tail <= trials:
        tails = _tails_by_threshold(y, tail)
        if tails is not None:
            return tails
    q = trials - tail
    if tail < q:
        y.partition([tail - 1, q], axis=-1)
        y[..., :tail].sort(axis=-1)
        y[..., q:].sort(axis=-1)
    else:
        y.sort(axis=-1)
    return y[..., :tail], y[..., q:]


def _tails_by_threshold(y: np.ndarray, tail: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The tails of ``y`` through thresholds from a strided subsample; None if they miss.

    The trials are independent draws, so the subsample is a random sample of them. Its order
    statistic at rank k, k the expected count of subsample values in a tail plus six binomial
    standard deviations, lies beyond the tail but for a chance of well under one in a million;
    the counts are checked all the same, so the result is exact whatever the data.
    """
    sample = y[::_STRIDE].copy()
    size = sample.size
    expected = tail * size / y.size
    k = math.ceil(expected + 6.0 * math.sqrt(expected) + 1.0)
    if 2 * k >= size:
        return None
    sample.partition([k, size - 1 - k])
    lower = y[y <= sample[k]]
    upper = y[y >= sample[size - 1 - k]]
    if lower.size < tail or upper.size < tail:
        return None
    lower.sort()
    upper.sort()
    return lower[:tail], upper[upper.size - tail :]


class _Sampler:
    """Draws the inputs the models use; correlated inputs jointly through their covariance."""

    def __init__(
        self, inputs: Sequence[Input], correlation: np.ndarray | None, used: set[str]
    ) -> None:
        chosen = [i for i, item in enumerate(inputs) if item.name in used]
        self.independent: list[Input] = []
        self.joint: list[Input] = []
        joint_index: list[int] = []
        for i in chosen:
            if correlation is not None and any(correlation[i, j] != 0.0 for j in chosen if j != i):
                if inputs[i].distribution != "normal":
                    raise UncertaintyInputError(
                        (
                            "Input '%(name)s' is correlated with another input but has a "
                            "%(distribution)s distribution; Monte Carlo draws correlated inputs "
                            "from a joint normal distribution only (JCGM 101 6.4.8). Make it "
                            "normal or use method 'gum'."
                        ),
                        location=("inputs", i, "distribution"),
                        code="uncertainty.input_correlated_another_input_but",
                        name=inputs[i].name,
                        distribution=inputs[i].distribution,
                    )
                self.joint.append(inputs[i])
                joint_index.append(i)
            else:
                self.independent.append(inputs[i])
        if self.joint and correlation is not None:  # only a correlation makes inputs joint
            u = np.array([item.standard_uncertainty for item in self.joint])
            covariance = correlation[np.ix_(joint_index, joint_index)] * np.outer(u, u)
            # eigh, not Cholesky: a positive semi-definite (singular) matrix is allowed.
            eigenvalues, vectors = np.linalg.eigh(covariance)
            self.factor = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
            self.mean = np.array([item.value for item in self.joint])[:, None]

    def draw(self, rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
        env = {item.name: item.draw(rng, size) for item in self.independent}
        if self.joint:
            values = self.factor @ rng.standard_normal((len(self.joint), size))
            values += self.mean
            env.update((item.name, values[i]) for i, item in enumerate(self.joint))
        return env


def _evaluate(
    functions: Sequence[Callable], env: Mapping[str, np.ndarray], size: int
) -> list[np.ndarray]:
    """The model values for the draws ``env``; NaN or inf where a model is undefined."""
    results = []
    with np.errstate(all="ignore"):  # thread-local: each worker sets its own
        for function in functions:
            y = np.asarray(function(env), dtype=float)
            if y.shape != (size,):
                y = np.full(size, y)  # a model that uses no input is constant
            results.append(y)
    return results


def _run_batches(
    pool: Executor,
    streams: np.random.SeedSequence,
    sampler: "_Sampler",
    functions: Sequence[Callable],
    names: Sequence[str],
    size: int,
    should_stop: StopCheck | None = None,
) -> list[np.ndarray]:
    """Draw and evaluate ``size`` trials, in batches of :data:`BATCH` run in parallel.

    Each batch has its own generator, spawned from ``streams`` in batch order, and fills its
    own slice of the result: the values depend on the seed and the sizes asked for, never on
    the scheduling of the threads. ``should_stop`` is asked before each batch, so a run that
    is told to stop ends within one batch per thread; asking draws nothing, so it changes no
    value.
    """
    starts = range(0, size, BATCH)
    generators = [np.random.Generator(np.random.PCG64(s)) for s in streams.spawn(len(starts))]
    values = [np.empty(size) for _ in functions]

    def batch(start: int, rng: np.random.Generator) -> list[int]:
        if should_stop is not None and should_stop():
            raise MonteCarloStopped(f"stopped before trial {start + 1} of {size} in this chunk")
        stop = min(start + BATCH, size)
        results = _evaluate(functions, sampler.draw(rng, stop - start), stop - start)
        bad = []
        for target, y in zip(values, results, strict=True):
            target[start:stop] = y
            bad.append(y.size - int(np.count_nonzero(np.isfinite(y))))
        return bad

    if len(starts) == 1:  # run here: starting a thread costs more than a small run
        per_batch = [batch(0, generators[0])]
    else:
        per_batch = list(pool.map(batch, starts, generators))
    counts = [sum(column) for column in zip(*per_batch, strict=True)]
    for name, bad in zip(names, counts, strict=True):
        if bad:
            raise UncertaintyInputError(
                (
                    "Output %(name)s: the model is undefined (division by zero, logarithm "
                    "or square root of a negative number, ...) in %(bad)s of %(size)s "
                    "Monte Carlo trials; the input distributions reach where the model has "
                    "no value. Change the model or the input distributions."
                ),
                location=("inputs",),
                code="uncertainty.output_model_undefined_division_zero",
                name=name,
                bad=bad,
                size=size,
            )
    return values


def new_seed() -> int:
    """A fresh 32-bit seed from the operating system's entropy (reported, so runs repeat).

    >>> 0 <= new_seed() < 2**32
    True
    """
    return int(np.random.SeedSequence().generate_state(1)[0])


Progress = Callable[[int, int], None]


def monte_carlo(
    models: Mapping[str, Model],
    inputs: Sequence[Input],
    correlation: np.ndarray | None = None,
    *,
    trials: int = 1_000_000,
    coverage_probability: float = 0.95,
    seed: int | None = None,
    adaptive: bool = False,
    significant_digits: int = 2,
    progress: Progress | None = None,
    histogram_bins: int | None = None,
    should_stop: StopCheck | None = None,
) -> McmResult:
    """Propagate the input distributions through the models by Monte Carlo (JCGM 101 7).

    With ``adaptive`` true, ``trials`` is the most that will be run (JCGM 101 7.9).
    ``progress(done, total)`` is told after each chunk of trials (total: ``trials``).
    ``histogram_bins`` adds a histogram of each output where the values are kept.
    ``should_stop()`` is asked before each batch of trials; when it answers True the run
    raises :class:`MonteCarloStopped` (a time limit, a client that went away).

    >>> from lims.uncertainty.expression import parse_model
    >>> inputs = [Input("X1", 0.0, 1.0), Input.rectangular("X2", 0.0, half_width=3 ** 0.5)]
    >>> result = monte_carlo({"Y": parse_model("X1 + X2")}, inputs, trials=200_000, seed=1)
    >>> y = result.outputs[0]
    >>> round(y.standard_uncertainty, 2), result.trials, result.seed
    (1.41, 200000, 1)
    """
    seed = new_seed() if seed is None else seed
    streams = np.random.SeedSequence(seed)
    names = list(models)
    used = set().union(*(model.names for model in models.values()))
    sampler = _Sampler(inputs, correlation, used)
    functions = [models[name].function for name in names]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = 0

        def run(size: int) -> list[np.ndarray]:
            nonlocal done
            values = _run_batches(pool, streams, sampler, functions, names, size, should_stop)
            done += size
            if progress is not None:
                progress(min(done, trials), trials)
            return values

        return _run_procedure(
            run,
            names,
            seed,
            trials,
            coverage_probability,
            adaptive,
            significant_digits,
            histogram_bins,
        )


def _run_procedure(
    run: Callable[[int], list[np.ndarray]],
    names: Sequence[str],
    seed: int,
    trials: int,
    coverage_probability: float,
    adaptive: bool,
    significant_digits: int,
    histogram_bins: int | None = None,
) -> McmResult:
    """Run the trials as a fixed run, in blocks, or adaptively (JCGM 101 7.9)."""
    if adaptive:
        block = max(math.ceil(100.0 / (1.0 - coverage_probability)), 10_000)
        return _blocks(
            run,
            names,
            seed,
            coverage_probability,
            block,
            max(2, trials // block),
            significant_digits,
            histogram_bins,
        )
    if trials * len(names) > KEEP_LIMIT:
        count = math.ceil(trials / BLOCK)
        return _blocks(run, names, seed, coverage_probability, math.ceil(trials / count), count)
    return _fixed(run, names, seed, coverage_probability, trials, histogram_bins)


def _fixed(
    run: Callable[[int], list[np.ndarray]],
    names: Sequence[str],
    seed: int,
    coverage_probability: float,
    trials: int,
    histogram_bins: int | None = None,
) -> McmResult:
    if trials <= CHUNK:
        values = run(trials)
    else:
        values = [np.empty(trials) for _ in names]
        for start in range(0, trials, CHUNK):
            size = min(CHUNK, trials - start)
            for target, chunk in zip(values, run(size), strict=True):
                target[start : start + size] = chunk
    return _exact(values, names, seed, coverage_probability, histogram_bins)


#: The share of the values a histogram leaves out, half in each tail: far outliers of a
#: heavy-tailed output would otherwise squeeze the body of the chart into a few bins.
HISTOGRAM_TAILS = 0.001


def histogram(y: np.ndarray, bins: int) -> tuple[list[float], list[int]]:
    """Counts of ``y`` in ``bins`` equal bins over its central 99.9 %.

    >>> edges, counts = histogram(np.arange(1001.0), 10)
    >>> edges[0], edges[-1], sum(counts)
    (0.5, 999.5, 999)
    """
    low, high = np.quantile(y, [HISTOGRAM_TAILS / 2, 1 - HISTOGRAM_TAILS / 2])
    if not high > low:  # an output without spread
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(y, bins=bins, range=(float(low), float(high)))
    return [float(edge) for edge in edges], [int(count) for count in counts]


def _exact(
    values: list[np.ndarray],
    names: Sequence[str],
    seed: int,
    coverage_probability: float,
    histogram_bins: int | None = None,
) -> McmResult:
    correlation = np.ones((1, 1))
    if len(values) > 1:
        with np.errstate(all="ignore"):
            correlation = np.corrcoef(np.vstack(values))
        correlation[~np.isfinite(correlation)] = 0.0  # an output without spread
        np.fill_diagonal(correlation, 1.0)
    outputs = []
    for name, y in zip(names, values, strict=True):
        trials = y.size
        mean = float(np.mean(y))
        deviation = y - mean
        u = math.sqrt(float(deviation @ deviation) / (trials - 1))
        del deviation
        symmetric, shortest = coverage_intervals(y, coverage_probability)
        bins = histogram(y, histogram_bins) if histogram_bins else None
        outputs.append(McmOutput(name, mean, u, symmetric, shortest, bins))
    return McmResult(outputs, values[0].size, seed, np.atleast_2d(correlation))


def _blocks(
    run: Callable[[int], list[np.ndarray]],
    names: Sequence[str],
    seed: int,
    coverage_probability: float,
    block: int,
    max_blocks: int,
    significant_digits: int | None = None,
    histogram_bins: int | None = None,
) -> McmResult:
    """Blocks of ``block`` trials; with ``significant_digits`` stop when stable (7.9.4)."""
    per_chunk = max(1, CHUNK // block)
    # A fixed run is only blocked when it cannot be kept; an adaptive one may stop early.
    keep = significant_digits is not None
    kept: list[list[np.ndarray]] = [[] for _ in names]
    means: list[np.ndarray] = []  # per chunk: (blocks, outputs)
    covariances: list[np.ndarray] = []  # per chunk: (blocks, outputs, outputs)
    ends: list[np.ndarray] = []  # per chunk: (blocks, outputs, 4) symmetric and shortest ends
    done = 0
    stabilised: bool | None = None if significant_digits is None else False
    while done < max_blocks:
        count = min(per_chunk, max_blocks - done)
        values = run(count * block)
        stacked = np.stack([y.reshape(count, block) for y in values], axis=1)
        mean = stacked.mean(axis=2)
        centred = stacked - mean[:, :, None]
        covariances.append(np.einsum("bim,bjm->bij", centred, centred) / (block - 1))
        del centred
        means.append(mean)
        done += count
        # Keep the values for exact intervals while they fit in the memory budget.
        keep = keep and done * block * len(names) <= KEEP_LIMIT
        for store, y in zip(kept, values, strict=True):
            if keep:
                store.append(y)
            else:
                store.clear()
        chunk_ends = []
        for index in range(len(names)):
            symmetric, shortest = coverage_intervals(stacked[:, index, :], coverage_probability)
            chunk_ends.append(np.column_stack([*symmetric, *shortest]))
        ends.append(np.stack(chunk_ends, axis=1))
        if significant_digits is not None and done >= 2:
            stabilised = _stable(means, covariances, ends, block, significant_digits)
            if stabilised:
                break

    trials = done * block
    all_means = np.concatenate(means)
    grand = all_means.mean(axis=0)
    spread = all_means - grand
    # Pooled covariance of all trials from the block means and covariances (exact).
    covariance = (
        (block - 1) * np.concatenate(covariances).sum(axis=0) + block * spread.T @ spread
    ) / (trials - 1)
    warnings: list[str] = []
    if stabilised is False:
        warnings.append(
            WarningText(
                Reason(
                    "The adaptive Monte Carlo procedure did not stabilise to "
                    "%(significant_digits)s significant digits within %(trials)s trials; raise "
                    "mcm.trials for a stable result.",
                    significant_digits=significant_digits,
                    trials=trials,
                )
            )
        )
    if keep:
        result = _exact(
            [np.concatenate(store) for store in kept],
            names,
            seed,
            coverage_probability,
            histogram_bins,
        )
        return McmResult(result.outputs, trials, seed, result.correlation, stabilised, warnings)
    average_ends = np.concatenate(ends).mean(axis=0)
    warnings.append(
        WarningText(
            Reason(
                "With %(trials)s trials the model values were not all kept in memory; the "
                "coverage interval endpoints are averages over %(blocks)s blocks of %(block)s "
                "trials (JCGM 101 7.9.4).",
                trials=trials,
                blocks=done,
                block=block,
            )
        )
    )
    sd = np.sqrt(np.diag(covariance))
    outputs = [
        McmOutput(
            name,
            float(grand[i]),
            float(sd[i]),
            (float(average_ends[i, 0]), float(average_ends[i, 1])),
            (float(average_ends[i, 2]), float(average_ends[i, 3])),
        )
        for i, name in enumerate(names)
    ]
    with np.errstate(all="ignore"):
        correlation = covariance / np.outer(sd, sd)
    correlation[~np.isfinite(correlation)] = 0.0
    np.fill_diagonal(correlation, 1.0)
    return McmResult(outputs, trials, seed, correlation, stabilised, warnings)


def _stable(
    means: list[np.ndarray],
    covariances: list[np.ndarray],
    ends: list[np.ndarray],
    block: int,
    significant_digits: int,
) -> bool:
    """JCGM 101 7.9.4 f)-i): 2 s of y, u(y), y_low and y_high all within the tolerance."""
    block_means = np.concatenate(means)
    block_u = np.sqrt(np.diagonal(np.concatenate(covariances), axis1=1, axis2=2))
    block_ends = np.concatenate(ends)[:, :, :2]
    h = block_means.shape[0]
    spread = block_means - block_means.mean(axis=0)
    pooled_variance = ((block - 1) * (block_u**2).sum(axis=0) + block * (spread**2).sum(axis=0)) / (
        h * block - 1
    )
    for index, variance in enumerate(pooled_variance):
        delta = numerical_tolerance(math.sqrt(variance), significant_digits)
        for statistic in (
            block_means[:, index],
            block_u[:, index],
            block_ends[:, index, 0],
            block_ends[:, index, 1],
        ):
            if 2.0 * float(np.std(statistic, ddof=1)) / math.sqrt(h) > delta:
                return False
    return True


def validate(
    value: float,
    expanded_uncertainty: float,
    standard_uncertainty: float,
    mcm_interval: tuple[float, float],
    significant_digits: int = 2,
) -> dict:
    """Validate a GUM interval against the Monte Carlo one (JCGM 101 clause 8).

    d_low = |y - U_p - y_low|, d_high = |y + U_p - y_high|; passed when both are at most the
    numerical tolerance of u(y) to ``significant_digits`` digits.

    >>> check = validate(0.0, 3.92, 2.0, (-3.88, 3.88))
    >>> round(check["d_low"], 6), check["tolerance"], check["passed"]
    (0.04, 0.05, True)
    """
    d_low = abs(value - expanded_uncertainty - mcm_interval[0])
    d_high = abs(value + expanded_uncertainty - mcm_interval[1])
    tolerance = numerical_tolerance(standard_uncertainty, significant_digits)
    return {
        "d_low": d_low,
        "d_high": d_high,
        "tolerance": tolerance,
        "passed": d_low <= tolerance and d_high <= tolerance,
    }
