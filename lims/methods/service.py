"""Rules for methods, the accredited scope and method evaluations: functions over a ``Session``.

Methods are lab-internal (staff and auditors read, the quality manager or an admin writes);
the accredited scope is public to every signed-in user, customers included, as the
accreditation body publishes it too.
"""

import math
from datetime import date

from sqlmodel import Session, col, select

from lims import units
from lims.accounts.models import STAFF_ROLES, Role
from lims.accounts.principal import Principal, require_role
from lims.audit.trail import save, set_context
from lims.equipment import service as equipment_register
from lims.equipment.models import CalibrationResult
from lims.errors import Conflict, InvalidInput, NotFound
from lims.methods.cmc import cmc_at, to_expression
from lims.methods.models import (
    AccreditationDecision,
    CertificateSource,
    CertificateValue,
    Method,
    MethodCreate,
    MethodEvaluation,
    MethodPublic,
    MethodUpdate,
    ParameterSource,
    TemplateCheck,
)
from lims.methods.scope import BelowCmc, accreditation_of_result
from lims.methods.template import check_template, evaluate_method, sources_of
from lims.uncertainty import UncertaintyInputError, parse_model
from lims.units import convert

READERS = (*STAFF_ROLES, Role.AUDITOR)
MANAGERS = (Role.ADMIN, Role.QUALITY_MANAGER)


def _acting(db_session: Session, actor: Principal) -> None:
    set_context(db_session, actor.audit_context())


def describe(method: Method, *, on_date: date) -> MethodPublic:
    return MethodPublic.model_validate(
        method,
        from_attributes=True,
        update={"inputs": sources_of(method), "in_scope": method.in_scope_on(on_date)},
    )


def list_methods(db_session: Session, *, actor: Principal) -> list[Method]:
    require_role(actor, *READERS, doing="read the method library")
    return list(db_session.exec(select(Method).order_by(col(Method.code), col(Method.version))))


def get_method(db_session: Session, *, actor: Principal, method_id: int) -> Method:
    require_role(actor, *READERS, doing="read the method library")
    method = db_session.get(Method, method_id)
    if method is None:
        raise NotFound(
            "method %(method_id)s does not exist",
            code="competence.method_does_exist",
            method_id=method_id,
        )
    return method


def find_method(db_session: Session, *, code: str, version: int) -> Method | None:
    return db_session.exec(
        select(Method).where(Method.code == code, Method.version == version)
    ).first()


def _check_scope_dates(accredited_from: date | None, accredited_until: date | None) -> None:
    if accredited_until is not None and (
        accredited_from is None or accredited_until < accredited_from
    ):
        raise InvalidInput(
            "the last day in scope must be on or after the first day in scope",
            code="methods.last_day_scope_must_after",
            location=("accredited_until",),
        )


def _check_range_and_cmc(data: MethodCreate) -> None:
    if not (math.isfinite(data.range_min) and math.isfinite(data.range_max)):
        raise InvalidInput(
            "the measuring range must be finite numbers",
            code="methods.measuring_range_must_finite_numbers",
            location=("range_max",),
        )
    if data.range_min > data.range_max:
        raise InvalidInput(
            "the range starts at %(range_min)g but ends at %(range_max)g",
            code="methods.range_starts_but_ends",
            range_min=data.range_min,
            range_max=data.range_max,
            location=("range_max",),
        )
    try:
        to_expression(data.cmc)
        for size in (data.range_min, data.range_max):
            cmc_at(data.cmc, size)
    except UncertaintyInputError as error:
        raise error.at("cmc") from None


def _check_units(data: MethodCreate) -> None:
    """Every unit a method states is one lims/units.py knows, so its results, CMC and
    certificate inputs convert by the unit's meaning instead of being compared as text."""
    units.parse(data.result_unit, location=("result_unit",))
    units.parse(data.size_unit, location=("size_unit",))
    for index, source in enumerate(data.inputs):
        units.parse(source.unit, location=("inputs", index, "unit"))


def create_method(db_session: Session, *, actor: Principal, data: MethodCreate) -> Method:
    require_role(actor, *MANAGERS, doing="add methods")
    _check_units(data)
    _check_range_and_cmc(data)
    _check_scope_dates(data.accredited_from, data.accredited_until)
    check_template(model=data.model, output=data.output, sources=data.inputs)
    _check_equipment_roles(data)
    if find_method(db_session, code=data.code, version=data.version):
        raise Conflict(
            "method %(data)s version %(version)s already exists",
            code="methods.method_version_already_exists",
            data=data.code,
            version=data.version,
        )
    _acting(db_session, actor)
    method = Method.model_validate(
        data,
        update={
            "inputs": [source.model_dump() for source in data.inputs],
            "coordinate_budget": data.coordinate_budget.model_dump()
            if data.coordinate_budget
            else None,
        },
    )
    return save(db_session, actor.audit_context(), method)


def _check_equipment_roles(data: MethodCreate) -> None:
    """Each role names the kinds that may fill it (a CMM role takes a CMM), and every input
    taken from a certificate names its role there, so a result's equipment can be checked."""
    for role, kinds in data.equipment_roles.items():
        if not role.strip() or not kinds or not all(kind.strip() for kind in kinds):
            raise InvalidInput(
                "equipment role '%(role)s' must name the kinds of equipment that may fill it",
                code="methods.equipment_role_must_name_kinds",
                role=role,
                location=("equipment_roles", role),
            )
    for source in data.inputs:
        if isinstance(source, CertificateSource) and source.equipment_role not in (
            data.equipment_roles
        ):
            raise InvalidInput(
                "input '%(source)s' comes from the certificate of the "
                "'%(equipment_role)s' role: name the kinds of equipment it takes",
                code="methods.input_comes_from_certificate_role",
                source=source.name,
                equipment_role=source.equipment_role,
                location=("equipment_roles", source.equipment_role),
            )


def check_draft(db_session: Session, *, actor: Principal, data: TemplateCheck) -> list[str]:
    """The names a draft model uses, once it passes the rules a new method must pass: the
    engine's parser, a source for every name, and a CMC that parses (nothing is saved)."""
    require_role(actor, *READERS, doing="check a method's model")
    check_template(model=data.model, output=data.output, sources=data.inputs)
    if data.cmc is not None:
        try:
            to_expression(data.cmc)
        except UncertaintyInputError as error:
            raise error.at("cmc") from None
    return sorted(parse_model(data.model).names)


def update_method(
    db_session: Session, *, actor: Principal, method_id: int, data: MethodUpdate
) -> Method:
    require_role(actor, *MANAGERS, doing="change methods")
    method = get_method(db_session, actor=actor, method_id=method_id)
    changes = data.model_dump(exclude_unset=True)
    _check_scope_dates(
        changes.get("accredited_from", method.accredited_from),
        changes.get("accredited_until", method.accredited_until),
    )
    _acting(db_session, actor)
    method.sqlmodel_update(changes)
    return save(db_session, actor.audit_context(), method)


# -- the accredited scope ----------------------------------------------------------------------


def accredited_scope(db_session: Session, *, on_date: date) -> list[Method]:
    """Every method version in the accredited scope on ``on_date`` (any signed-in user)."""
    methods = db_session.exec(
        select(Method)
        .where(col(Method.accredited_from).is_not(None))
        .order_by(col(Method.code), col(Method.version))
    )
    return [method for method in methods if method.in_scope_on(on_date)]


def decide_accreditation(
    db_session: Session,
    *,
    actor: Principal,
    method_id: int,
    size: float,
    expanded_uncertainty: float,
    on_date: date,
    below_cmc: BelowCmc = "raise",
) -> AccreditationDecision:
    method = get_method(db_session, actor=actor, method_id=method_id)
    return accreditation_of_result(
        method,
        size=size,
        expanded_uncertainty=expanded_uncertainty,
        on_date=on_date,
        below_cmc=below_cmc,
    )


# -- evaluating a method for a job -------------------------------------------------------------


def _certificate_result(
    results: list[CalibrationResult],
    source: CertificateSource,
    parameters: dict[str, float],
    parameter_units: dict[str, str],
    equipment_label: str,
) -> CalibrationResult:
    if source.nominal_parameter is None:
        if len(results) != 1:
            raise InvalidInput(
                "the certificate of %(equipment_label)s states %(results_count)s "
                "results; the method must say which one input '%(source)s' takes",
                code="methods.certificate_states_results_method_must",
                equipment_label=equipment_label,
                results_count=len(results),
                source=source.name,
                location=("equipment", source.equipment_role),
            )
        return results[0]
    wanted = parameters.get(source.nominal_parameter)
    if wanted is None:
        raise InvalidInput(
            "give the parameter '%(nominal_parameter)s': it picks the certificate result",
            code="methods.give_parameter_picks_certificate_result",
            nominal_parameter=source.nominal_parameter,
            location=("parameters", source.nominal_parameter),
        )
    unit = parameter_units[source.nominal_parameter]
    for result in results:
        if result.nominal is None:
            continue
        nominal = convert(
            result.nominal,
            from_unit=result.nominal_unit or unit,
            to_unit=unit,
            what=f"the nominal size on the certificate of {equipment_label}",
        )
        if math.isclose(nominal, wanted, rel_tol=1e-9, abs_tol=1e-12):
            return result
    raise InvalidInput(
        "the certificate of %(equipment_label)s has no result for nominal %(wanted)g %(unit)s",
        code="methods.certificate_has_result_nominal",
        equipment_label=equipment_label,
        wanted=wanted,
        unit=unit,
        location=("equipment", source.equipment_role),
    )


def evaluate_for_job(
    db_session: Session, *, actor: Principal, method_id: int, data: MethodEvaluation
) -> dict:
    """The full uncertainty budget of the method with the job's equipment and observations.

    The equipment must be usable on the day; certificate inputs take the value and U of the
    latest calibration of the item in that role.
    """
    require_role(actor, *STAFF_ROLES, doing="evaluate methods for jobs")
    method = get_method(db_session, actor=actor, method_id=method_id)
    roles = list(data.equipment)
    try:
        equipment_register.check_equipment_usable(
            db_session, equipment_ids=[data.equipment[role] for role in roles], on_date=data.on_date
        )
    except InvalidInput as error:
        # Point at the role in this request rather than at a position in a list.
        index = error.location[-1] if error.location else None
        where = ("equipment", roles[index]) if isinstance(index, int) else ("equipment",)
        raise error.at(where) from None
    sources = sources_of(method)
    parameter_units = {s.name: s.unit for s in sources if isinstance(s, ParameterSource)}
    certificates: dict[str, CertificateValue] = {}
    for source in sources:
        if not isinstance(source, CertificateSource) or source.equipment_role not in data.equipment:
            continue
        equipment_id = data.equipment[source.equipment_role]
        # A refusal names the item by its identification, as the register and labels do.
        identification = equipment_register.get_equipment(
            db_session, actor=actor, equipment_id=equipment_id
        ).identification
        calibration = equipment_register.latest_calibration(
            db_session, equipment_id=equipment_id, on_date=data.on_date
        )
        if calibration is None:  # check_equipment_usable refuses an uncalibrated item
            raise InvalidInput(
                "equipment %(equipment)s has no calibration on or before %(on_date)s",
                code="methods.equipment_has_calibration_before",
                equipment=identification,
                on_date=data.on_date,
                location=("equipment", source.equipment_role),
            )
        result = _certificate_result(
            [CalibrationResult.model_validate(item) for item in calibration.results],
            source,
            data.parameters,
            parameter_units,
            identification,
        )
        certificates[source.name] = CertificateValue(
            value=result.value,
            expanded_uncertainty=result.expanded_uncertainty,
            coverage_factor=result.coverage_factor,
            unit=result.unit,
        )
    return evaluate_method(
        method,
        certificates=certificates,
        observations=data.observations,
        parameters=data.parameters,
    )
