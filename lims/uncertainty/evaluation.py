"""evaluate(): the one entry point the HTTP API, the CLI and the services call.

It checks a request, runs GUM propagation and/or Monte Carlo, and returns the JSON-ready
response: only plain floats, ints, strings, None, lists and dicts; infinite dof as None; every
key present, with None where it does not apply.
"""

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lims.reasons import Reason
from lims.uncertainty.errors import UncertaintyInputError
from lims.uncertainty.expression import Model, parse_model, resolve_names
from lims.uncertainty.gum import GumOutput, covariance_to_correlation, propagate
from lims.uncertainty.inputs import Input, correlation_matrix, input_from_spec
from lims.uncertainty.montecarlo import (
    McmOutput,
    McmResult,
    Progress,
    StopCheck,
    monte_carlo,
    validate,
)
from lims.uncertainty.reporting import report_gum, report_mcm
from lims.uncertainty.schemas import EvaluationRequest, McmSettings
from lims.uncertainty.warning_text import WarningText

DEFAULT_OUTPUT = "y"
_DEFAULT_SETTINGS = McmSettings()  # read only; building one per request costs microseconds
#: EvaluationRequest.model_validate without its Python-level wrapper (a microsecond a call).
_validate: Callable[[Any], EvaluationRequest] = (
    EvaluationRequest.__pydantic_validator__.validate_python
)


def _dof(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else float(value)


def _models(request: EvaluationRequest) -> tuple[dict[str, Model], dict[str, tuple]]:
    if request.model is not None and request.models is not None:
        raise UncertaintyInputError(
            "Give either model (one output) or models (several outputs), not both.",
            location=("models",),
            code="uncertainty.give_either_model_one_output",
        )
    if request.models is not None:
        if request.output is not None:
            raise UncertaintyInputError(
                (
                    "output names the single output of model; with models the keys name "
                    "the outputs. Remove output."
                ),
                location=("output",),
                code="uncertainty.output_names_single_output_model",
            )
        if not request.models:
            raise UncertaintyInputError(
                "models is empty; give at least one output and its expression.",
                location=("models",),
                code="uncertainty.models_empty_give_least_one",
            )
        texts = request.models
        locations: dict[str, tuple[str, ...]] = {name: ("models", name) for name in texts}
    else:
        if request.model is None:
            raise UncertaintyInputError(
                "The model is missing; give model (an expression such as 'a * b').",
                location=("model",),
                code="uncertainty.model_missing_give_model_expression",
            )
        name = request.output or DEFAULT_OUTPUT
        texts = {name: request.model}
        locations = {name: ("model",)}
    models = {}
    for name, text in texts.items():
        if not name.strip():
            raise UncertaintyInputError(
                "An output name is empty; name every output.",
                location=locations[name],
                code="uncertainty.output_name_empty_name_every",
            )
        try:
            models[name] = parse_model(text)
        except UncertaintyInputError as error:
            raise error.at(*locations[name]) from None
    return models, locations


def _inputs(request: EvaluationRequest) -> list[Input]:
    inputs = []
    seen: set[str] = set()
    for index, spec in enumerate(request.inputs):
        if spec.name in seen:
            raise UncertaintyInputError(
                "There are two inputs named '%(spec)s'; give each input a unique name.",
                location=("inputs", index, "name"),
                code="uncertainty.there_two_inputs_named_give",
                spec=spec.name,
            )
        seen.add(spec.name)
        inputs.append(input_from_spec(spec, index))
    return inputs


def _budget(output: GumOutput) -> list[dict[str, Any]]:
    return [
        {
            "input": row.input,
            "value": row.value,
            "standard_uncertainty": row.standard_uncertainty,
            "distribution": row.distribution,
            "dof": None if row.dof == math.inf else float(row.dof),
            "sensitivity": row.sensitivity,
            "contribution": row.contribution,
            "index_percent": row.index_percent,
        }
        for row in output.budget
    ]


def _mcm_block(
    result: McmOutput, run: McmResult, validation: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "value": result.value,
        "standard_uncertainty": result.standard_uncertainty,
        "interval": list(result.interval),
        "shortest_interval": list(result.shortest_interval),
        "trials": run.trials,
        "seed": run.seed,
        "validation": validation,
        "histogram": None
        if result.histogram is None
        else {"edges": result.histogram[0], "counts": result.histogram[1]},
    }


def _output(
    name: str,
    request: EvaluationRequest,
    settings: McmSettings,
    g: GumOutput | None,
    m: McmOutput | None,
    run: McmResult | None,
    warnings: list[str],
) -> dict[str, Any]:
    validation = None
    if g is not None and m is not None and run is not None:
        validation = validate(
            g.value,
            g.expanded_uncertainty,
            g.standard_uncertainty,
            m.interval,
            settings.significant_digits,
        )
        if not validation["passed"]:
            warnings.append(
                WarningText(
                    Reason(
                        "%(name)s: the GUM result fails validation against Monte Carlo (JCGM 101 "
                        "clause 8): d_low = %(d_low).3g, d_high = %(d_high).3g, tolerance "
                        "%(tolerance).3g. Use the Monte Carlo result; the reported block is "
                        "based on it.",
                        name=name,
                        d_low=validation["d_low"],
                        d_high=validation["d_high"],
                        tolerance=validation["tolerance"],
                    )
                )
            )
    if g is not None and (validation is None or validation["passed"]):
        reported = report_gum(
            name,
            g.value,
            g.standard_uncertainty,
            g.expanded_uncertainty,
            g.coverage_factor,
            g.coverage_probability,
            g.dof,
        )
    elif m is not None and run is not None:
        reported = report_mcm(
            name,
            m.value,
            m.standard_uncertainty,
            m.interval,
            request.coverage_probability,
            run.trials,
        )
    else:
        raise RuntimeError(f"{name}: neither GUM nor Monte Carlo gave a result to report")
    return {
        "name": name,
        "value": None if g is None else g.value,
        "standard_uncertainty": None if g is None else g.standard_uncertainty,
        "dof": None if g is None else _dof(g.dof),
        "coverage_factor": None if g is None else g.coverage_factor,
        "coverage_probability": request.coverage_probability,
        "expanded_uncertainty": None if g is None else g.expanded_uncertainty,
        "interval": None if g is None else list(g.interval),
        "budget": None if g is None else _budget(g),
        "second_order_standard_uncertainty": None
        if g is None
        else g.second_order_standard_uncertainty,
        "mcm": None if m is None or run is None else _mcm_block(m, run, validation),
        "reported": reported,
    }


def evaluate(
    request: Mapping[str, Any] | EvaluationRequest,
    *,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> dict[str, Any]:
    """Evaluate the uncertainty of a measurement model; the response is JSON-ready.

    ``progress(done, total)`` is called as Monte Carlo trials complete (for progress bars).
    ``should_stop()`` is asked between batches of Monte Carlo trials; True ends the run with
    :class:`~lims.uncertainty.montecarlo.MonteCarloStopped`.

    Raises :class:`UncertaintyInputError` (a ValueError) for input that makes no sense, with the
    JSON path of the field; a malformed mapping raises ``pydantic.ValidationError``.

    >>> response = evaluate({
    ...     "model": "m_s + dm", "output": "m_x",
    ...     "inputs": [
    ...         {"name": "m_s", "value": 10000.005, "standard_uncertainty": 0.0225},
    ...         {"name": "dm", "value": 0.02, "standard_uncertainty": 0.0142, "dof": 10},
    ...     ],
    ...     "coverage_factor": 2,
    ... })
    >>> m_x = response["outputs"][0]
    >>> round(m_x["value"], 3), round(m_x["standard_uncertainty"], 4), m_x["reported"]["value"]
    (10000.025, 0.0266, '10000.025')
    >>> m_x["reported"]["expanded_uncertainty"], response["warnings"]
    ('0.053', [])
    """
    if not isinstance(request, EvaluationRequest):
        request = _validate(request)
    if request.coverage_factor is not None and not math.isfinite(request.coverage_factor):
        raise UncertaintyInputError(
            "coverage_factor must be a finite number (or null).",
            location=("coverage_factor",),
            code="uncertainty.coverage_factor_must_finite_number",
        )
    models, locations = _models(request)
    inputs = _inputs(request)
    known = {item.name for item in inputs}
    for name, model in models.items():
        try:
            resolve_names(model, known)
        except UncertaintyInputError as error:
            raise error.at(*locations[name]) from None
    used = set().union(*(model.names for model in models.values()))
    warnings: list[str] = [
        WarningText(
            Reason(
                "Input '%(name)s' is not used by the model; it has no effect on the result.",
                name=item.name,
            )
        )
        for item in inputs
        if item.name not in used
    ]
    correlation = correlation_matrix(inputs, request.correlations)
    settings = request.mcm or _DEFAULT_SETTINGS

    gum_outputs: list[GumOutput] | None = None
    covariance: list[list[float]] = []
    if request.method in ("gum", "both"):
        gum_outputs, covariance, gum_warnings = propagate(
            models,
            inputs,
            correlation,
            coverage_probability=request.coverage_probability,
            fixed_coverage_factor=request.coverage_factor,
            second_order=request.second_order,
            locations=locations,
        )
        warnings.extend(gum_warnings)
    elif request.second_order:
        warnings.append(
            WarningText(Reason("second_order applies to GUM propagation only; it was ignored."))
        )
    run: McmResult | None = None
    if request.method in ("mcm", "both"):
        run = monte_carlo(
            models,
            inputs,
            correlation,
            trials=settings.trials,
            coverage_probability=request.coverage_probability,
            seed=settings.seed,
            adaptive=settings.adaptive,
            significant_digits=settings.significant_digits,
            progress=progress,
            histogram_bins=settings.histogram_bins,
            should_stop=should_stop,
        )
        warnings.extend(run.warnings)

    outputs = [
        _output(
            name,
            request,
            settings,
            None if gum_outputs is None else gum_outputs[index],
            None if run is None else run.outputs[index],
            run,
            warnings,
        )
        for index, name in enumerate(models)
    ]
    correlation_out = None
    if len(models) > 1:
        if gum_outputs is not None:
            matrix = covariance_to_correlation(np.array(covariance))
        elif run is not None:
            matrix = run.correlation
        else:
            raise RuntimeError("neither GUM nor Monte Carlo gave the outputs' correlation")
        correlation_out = [[float(value) for value in row] for row in matrix]
    if not _all_finite(outputs):
        raise UncertaintyInputError(
            (
                "The result overflows floating point (a value or uncertainty is too "
                "large); express the inputs in other units."
            ),
            location=("inputs",),
            code="uncertainty.result_overflows_floating_point_value",
        )
    return {"outputs": outputs, "correlation": correlation_out, "warnings": warnings}


#: The floats of an output that the engine computes. A budget row adds its index_percent;
#: its other figures are finite by construction: the inputs' (checked by input_from_spec),
#: sensitivities (checked by gum()) and contributions (else u_c would overflow, refused by
#: gum()). Correlations are finite too (0 where undefined).
_OUTPUT_FLOATS = (
    "value",
    "standard_uncertainty",
    "dof",
    "coverage_factor",
    "expanded_uncertainty",
    "second_order_standard_uncertainty",
)
_MCM_FLOATS = ("value", "standard_uncertainty")
_VALIDATION_FLOATS = ("d_low", "d_high", "tolerance")


def _all_finite(outputs: list[dict[str, Any]]) -> bool:
    """Whether the computed floats of the outputs are finite (JSON has no infinity or NaN).

    The fields are named rather than found by walking the response: a walk visits every
    string and dict too, and costs more than the rest of a small GUM evaluation.
    """
    numbers: list[float | None] = []
    for output in outputs:
        numbers += [output[key] for key in _OUTPUT_FLOATS]
        numbers += output["interval"] or ()
        numbers += [row["index_percent"] for row in output["budget"] or ()]
        mcm = output["mcm"]
        if mcm is not None:
            numbers += [mcm[key] for key in _MCM_FLOATS]
            numbers += mcm["interval"] + mcm["shortest_interval"]
            if mcm["validation"] is not None:
                numbers += [mcm["validation"][key] for key in _VALIDATION_FLOATS]
    return all(map(math.isfinite, [number for number in numbers if number is not None]))
