"""A method's uncertainty model template, and its evaluation through the engine.

The template is the model expression and, for every name in it, where its value comes from:
a certificate of the equipment used, observations (Type A), a fixed Type B, or a parameter of
the job or item.  Evaluating the method for a job fills those sources in and hands the
engine an ordinary request, so the budget is the engine's own (GUM, with Monte Carlo on
request).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter

from lims.errors import InvalidInput
from lims.methods.models import (
    CertificateSource,
    CertificateValue,
    InputSource,
    Method,
    ObservationsSource,
    ParameterSource,
    TypeBSource,
)
from lims.uncertainty import UncertaintyInputError, evaluate, parse_model
from lims.uncertainty.inputs import input_from_spec
from lims.uncertainty.schemas import InputSpec
from lims.units import convert, convert_interval

_SOURCES = TypeAdapter(list[InputSource])


def sources_of(method: Method) -> list[InputSource]:
    return _SOURCES.validate_python(method.inputs)


#: The name a method's range and CMC give the measured size (``range_min``, ``cmc``).
SIZE = "L"


def size_parameters(method: Method) -> list[ParameterSource]:
    """The parameter inputs that carry the measured size: the one the range and CMC call
    ``L``, and any that picks a certificate result of that nominal size."""
    sources = sources_of(method)
    picking = {s.nominal_parameter for s in sources if isinstance(s, CertificateSource)}
    return [
        source
        for source in sources
        if isinstance(source, ParameterSource) and (source.name == SIZE or source.name in picking)
    ]


def _type_b_spec(source: TypeBSource) -> InputSpec:
    fields = source.model_dump(
        include={"distribution", "value", "standard_uncertainty", "half_width", "beta", "dof"},
        exclude_none=True,
    )
    return InputSpec(name=source.name, **fields)


def check_template(*, model: str, output: str, sources: Sequence[InputSource]) -> None:
    """Refuse a template the engine could not evaluate: every name in the model needs a
    source, every source a name in the model, and fixed Type B inputs must make sense."""
    try:
        parsed = parse_model(model)
    except UncertaintyInputError as error:
        raise error.at("model") from None
    if not output.isidentifier():
        raise InvalidInput(
            "'%(output)s' is not a valid output name",
            code="methods.valid_output_name",
            output=output,
            location=("output",),
        )
    names = [source.name for source in sources]
    parameters = {source.name for source in sources if isinstance(source, ParameterSource)}
    for index, source in enumerate(sources):
        if names.count(source.name) > 1:
            raise InvalidInput(
                "input '%(source)s' has two sources; give each input one",
                code="methods.input_has_two_sources_give",
                source=source.name,
                location=("inputs", index, "name"),
            )
        if source.name not in parsed.names:
            raise InvalidInput(
                "input '%(source)s' is not used by the model '%(model)s'",
                code="methods.input_used_model",
                source=source.name,
                model=model,
                location=("inputs", index, "name"),
            )
        if isinstance(source, TypeBSource):
            try:
                input_from_spec(_type_b_spec(source), index)
            except UncertaintyInputError as error:
                raise InvalidInput(
                    "%(reason)s",
                    code="methods.type_b_source_invalid",
                    reason=error,
                    location=("inputs", index),
                ) from None
        if (
            isinstance(source, CertificateSource)
            and source.nominal_parameter is not None
            and source.nominal_parameter not in parameters
        ):
            raise InvalidInput(
                "input '%(source)s' picks its certificate result by the parameter "
                "'%(nominal_parameter)s', which is not a parameter input",
                code="methods.input_picks_certificate_result_parameter",
                source=source.name,
                nominal_parameter=source.nominal_parameter,
                location=("inputs", index, "nominal_parameter"),
            )
    missing = sorted(parsed.names - set(names))
    if missing:
        listed = ", ".join(f"'{name}'" for name in missing)
        raise InvalidInput(
            "the model uses %(listed)s with no source: add an input for each, "
            "saying where its value comes from (certificate, type_a, type_b or "
            "parameter)",
            code="methods.model_uses_source_add_input",
            listed=listed,
            location=("inputs",),
        )


def _engine_input(
    source: InputSource,
    *,
    certificates: Mapping[str, CertificateValue],
    observations: Mapping[str, Sequence[float]],
    parameters: Mapping[str, float],
) -> dict[str, Any]:
    name = source.name
    if isinstance(source, CertificateSource):
        if name not in certificates:
            raise InvalidInput(
                "input '%(name)s' comes from the certificate of the "
                "'%(equipment_role)s' equipment: name that equipment",
                code="methods.input_comes_from_certificate_equipment",
                name=name,
                equipment_role=source.equipment_role,
                location=("equipment", source.equipment_role),
            )
        certificate = certificates[name]
        what = f"the certificate value for '{name}'"
        return {
            "name": name,
            "value": convert(
                certificate.value, from_unit=certificate.unit, to_unit=source.unit, what=what
            ),
            "expanded_uncertainty": convert_interval(
                certificate.expanded_uncertainty,
                from_unit=certificate.unit,
                to_unit=source.unit,
                what=what,
            ),
            "coverage_factor": certificate.coverage_factor,
        }
    if isinstance(source, ObservationsSource):
        values = observations.get(name)
        if values is None or len(values) < 2:
            raise InvalidInput(
                "input '%(name)s' is Type A: give at least two observations (in %(unit)s)",
                code="methods.input_type_give_least_two",
                name=name,
                unit=source.unit,
                location=("observations", name),
            )
        return {"name": name, "distribution": "type_a", "observations": list(values)}
    if isinstance(source, ParameterSource):
        if name not in parameters:
            raise InvalidInput(
                "input '%(name)s' is a parameter of the job or item: give its value (in %(unit)s)",
                code="methods.input_parameter_job_item_give",
                name=name,
                unit=source.unit,
                location=("parameters", name),
            )
        return {"name": name, "value": parameters[name], "standard_uncertainty": 0.0}
    return _type_b_spec(source).model_dump(exclude_none=True)


def engine_request(
    method: Method,
    *,
    certificates: Mapping[str, CertificateValue],
    observations: Mapping[str, Sequence[float]],
    parameters: Mapping[str, float],
) -> dict[str, Any]:
    """The engine request for one evaluation of ``method`` (GUM, k from nu_eff)."""
    return {
        "model": method.model,
        "output": method.output,
        "inputs": [
            _engine_input(
                source, certificates=certificates, observations=observations, parameters=parameters
            )
            for source in sources_of(method)
        ],
        "coverage_probability": method.coverage_probability,
        "method": "gum",
    }


def evaluate_method(
    method: Method,
    *,
    certificates: Mapping[str, CertificateValue] | None = None,
    observations: Mapping[str, Sequence[float]] | None = None,
    parameters: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The full budget of one evaluation of ``method``: the engine's response."""
    request = engine_request(
        method,
        certificates=certificates or {},
        observations=observations or {},
        parameters=parameters or {},
    )
    return evaluate(request)
