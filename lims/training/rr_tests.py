"""RR-test records: a measurement system study tied to its measurers, the method and the
instrument, judged against the lab's acceptance criteria.

Recording one evaluates the study (:func:`lims.training.rr.evaluate_rr`) and stores the request
and the answer, so the report shows exactly what was judged.  Each operator is judged on
their own figures too (lims.training.rr.operators) against the limits the lab sets for the
method (lims.training.operator_limits).  Each measurer who is on the lab's staff gets a
competence record naming its basis (the study, the method, the operator's figures and the
limits): evidence for an authorisation of that method that a person still grants
(lims.training.competence_records).  Staff record RR tests, but not one they measured in;
auditors read them; a customer reads those of its own staff.
"""

from dataclasses import asdict
from typing import Any

from sqlmodel import Session, col, select

from lims.accounts.models import STAFF_ROLES, Organisation, Role, User
from lims.accounts.principal import Principal, require_role, visible_to
from lims.audit.trail import set_context
from lims.db import persisted_id
from lims.equipment.models import Equipment
from lims.errors import InvalidInput, LimsError, NotFound, PermissionDenied
from lims.methods.models import Method
from lims.numbering import formatted, next_number
from lims.problem_text import localized_warnings
from lims.reasons import Reason
from lims.training.models import (
    AcceptanceCriteria,
    CompetenceRecord,
    CompetenceSource,
    Enrolment,
    MeasurerPublic,
    MeasurerSpec,
    RRTest,
    RRTestCreate,
    RRTestMeasurer,
    RRTestOutcome,
    RRTestPublic,
)
from lims.training.operator_limits import operator_limits
from lims.training.rr import RRRequest, evaluate_rr
from lims.training.rr.charts import chart_names, draw
from lims.training.rr.operators import OperatorFigures, OperatorLimits, judge_operators, worst
from lims.training.service import TRAINERS, save_all
from lims.uncertainty.warning_text import WarningText

OUTCOME_WORDS = {
    RRTestOutcome.ACCEPTABLE: Reason("acceptable"),
    RRTestOutcome.CONDITIONALLY_ACCEPTABLE: Reason("conditionally acceptable"),
    RRTestOutcome.NOT_ACCEPTABLE: Reason("not acceptable"),
}
#: What a linearity study found significant, in the words of its outcome's reason.
SIGNIFICANT_WORDS = {
    ("slope", "intercept"): Reason("slope and intercept"),
    ("slope",): Reason("slope"),
    ("intercept",): Reason("intercept"),
    (): Reason("neither slope nor intercept"),
}
#: The bases of %GRR, in the words of an outcome's reason.
BASIS_WORDS = {"study_variation": Reason("study variation"), "tolerance": Reason("tolerance")}


def record_rr_test(db_session: Session, *, actor: Principal, data: RRTestCreate) -> RRTest:
    require_role(actor, *TRAINERS, doing="record RR tests")
    _check_references(db_session, data)
    _check_not_a_measurer(actor, data)
    try:
        evaluation = evaluate_rr(data.study)
    except InvalidInput as error:
        raise error.at(("study", *error.location)) from None
    outcome, reason, grr_percent, ndc = judge(data.study, evaluation, data.acceptance)
    measurers = _measurers(db_session, data)
    limits = operator_limits(db_session, data.method_id)
    operators = {
        figures.operator: figures
        for figures in judge_operators(
            data.study, evaluation, limits, basis=data.acceptance.grr_basis
        )
    }
    method = db_session.get(Method, data.method_id) if data.method_id is not None else None
    set_context(db_session, actor.audit_context())
    year = data.performed_on.year
    rr_test = RRTest(
        number=formatted("RR", year, next_number(db_session, series="rr_test", year=year)),
        title=data.title,
        performed_on=data.performed_on,
        design=data.study.design,
        method_id=data.method_id,
        equipment_id=data.equipment_id,
        organisation_id=data.organisation_id,
        enrolment_id=data.enrolment_id,
        request=data.study.model_dump(mode="json"),
        result=evaluation,
        acceptance=data.acceptance.model_dump(mode="json"),
        grr_percent=grr_percent,
        ndc=ndc,
        outcome=outcome.value,
        outcome_reason=reason,
        recorded_by_id=actor.user_id,
        recorded_by=actor.username,
    )
    db_session.add(rr_test)
    db_session.flush()
    records: list[object] = []
    for spec, user in measurers:
        own = operators.get(spec.operator) if spec.operator is not None else None
        # Type 1 and linearity studies have no operators to compare: the study is the figure.
        operator_outcome = own.outcome if own else outcome.value
        records.append(
            RRTestMeasurer(
                rr_test_id=persisted_id(rr_test),
                operator_label=spec.operator,
                user_id=user.id if user else None,
                name=spec.name or (user.full_name if user else ""),
                outcome=operator_outcome,
                figures=_figures(own, limits),
            )
        )
        if user is not None and set(user.roles) & STAFF_ROLES:
            basis = _basis(rr_test, method, spec, own, limits, operator_outcome)
            # The study must discriminate before any operator's figures mean anything.
            supported = worst(outcome.value, operator_outcome) != RRTestOutcome.NOT_ACCEPTABLE
            records.append(
                CompetenceRecord(
                    user_id=persisted_id(user),
                    source=CompetenceSource.RR_TEST.value,
                    rr_test_id=rr_test.id,
                    method_id=data.method_id,
                    description=_description(rr_test, method, spec, own, reason),
                    achieved_on=data.performed_on,
                    supports_authorisation=supported,
                    basis=basis,
                )
            )
    save_all(db_session, actor, [rr_test, *records])
    db_session.refresh(rr_test)
    return rr_test


def judge(
    study: RRRequest, evaluation: dict[str, Any], acceptance: AcceptanceCriteria
) -> tuple[RRTestOutcome, str, float | None, int | None]:
    """The outcome against the lab's criteria, the reason in words, %GRR and ndc."""
    if study.design == "type1":
        return _judge_type1(evaluation, acceptance)
    if study.design == "linearity":
        return _judge_linearity(evaluation, acceptance)
    basis = acceptance.grr_basis
    block = "percent_study_variation" if basis == "study_variation" else "percent_tolerance"
    percentages = evaluation[block]
    grr, ndc = (percentages or {}).get("grr"), evaluation["ndc"]
    if grr is None or ndc is None:
        raise InvalidInput(
            "the study gives no %%GRR of the %(replace)s or no ndc to judge by (a "
            "tolerance is needed for the tolerance basis; negative components must "
            "be zero)",
            code="training.study_gives_grr_ndc_judge",
            replace=basis.replace("_", " "),
            location=("acceptance", "grr_basis"),
        )
    enough = ndc >= acceptance.ndc_minimum
    if grr < acceptance.grr_acceptable_below and enough:
        outcome = RRTestOutcome.ACCEPTABLE
    elif grr < acceptance.grr_conditional_below and enough:
        outcome = RRTestOutcome.CONDITIONALLY_ACCEPTABLE
    else:
        outcome = RRTestOutcome.NOT_ACCEPTABLE
    reason = WarningText(
        Reason(
            "%%GRR %(grr).1f %% of the %(basis)s (acceptable below %(acceptable)g %%, "
            "conditionally below %(conditional)g %%), ndc %(ndc)s (at least %(ndc_minimum)s): "
            "%(outcome)s",
            grr=grr,
            basis=BASIS_WORDS[basis],
            acceptable=acceptance.grr_acceptable_below,
            conditional=acceptance.grr_conditional_below,
            ndc=ndc,
            ndc_minimum=acceptance.ndc_minimum,
            outcome=OUTCOME_WORDS[outcome],
        )
    )
    return outcome, reason, grr, ndc


def _judge_type1(
    evaluation: dict[str, Any], acceptance: AcceptanceCriteria
) -> tuple[RRTestOutcome, str, None, None]:
    cg, cgk = evaluation["type1"]["cg"], evaluation["type1"]["cgk"]
    if cg is None or cgk is None:
        raise InvalidInput(
            "a type 1 RR test is judged by Cg and Cgk: give the tolerance",
            code="training.type_1_rr_test_judged",
            location=("study", "tolerance"),
        )
    good = cg >= acceptance.cg_minimum and cgk >= acceptance.cgk_minimum
    outcome = RRTestOutcome.ACCEPTABLE if good else RRTestOutcome.NOT_ACCEPTABLE
    reason = WarningText(
        Reason(
            "Cg %(cg).2f (at least %(cg_minimum)g), Cgk %(cgk).2f (at least %(cgk_minimum)g): "
            "%(outcome)s",
            cg=cg,
            cg_minimum=acceptance.cg_minimum,
            cgk=cgk,
            cgk_minimum=acceptance.cgk_minimum,
            outcome=OUTCOME_WORDS[outcome],
        )
    )
    return outcome, reason, None, None


def _judge_linearity(
    evaluation: dict[str, Any], acceptance: AcceptanceCriteria
) -> tuple[RRTestOutcome, str, None, None]:
    block = evaluation["linearity"]
    significant = [
        name
        for name in ("slope", "intercept")
        if (block[f"p_{name}"] is None and block[name] != 0)
        or (block[f"p_{name}"] is not None and block[f"p_{name}"] < acceptance.significance)
    ]
    outcome = RRTestOutcome.NOT_ACCEPTABLE if significant else RRTestOutcome.ACCEPTABLE
    reason = WarningText(
        Reason(
            "%(found)s significant at %(significance)g (slope %(slope).4g, intercept "
            "%(intercept).4g): %(outcome)s",
            found=SIGNIFICANT_WORDS[tuple(significant)],
            significance=acceptance.significance,
            slope=block["slope"],
            intercept=block["intercept"],
            outcome=OUTCOME_WORDS[outcome],
        )
    )
    return outcome, reason, None, None


def _description(
    rr_test: RRTest,
    method: Method | None,
    spec: MeasurerSpec,
    own: OperatorFigures | None,
    reason: str,
) -> str:
    # Written once, in the lab's own language (Finnish, as its documents): it is the lab's
    # record of the evidence, shown as written on every page.
    named = f", menetelmä {method.label()}" if method else ", ei nimettyä menetelmää"
    operator = f"; operaattori {spec.operator}: {in_finnish(own.reason)}" if own else ""
    return (
        f"RR-testi {rr_test.number} ({rr_test.title}){named}: tutkimus {in_finnish(reason)}"
        f"{operator}"
    )[:500]


def in_finnish(text: str) -> str:
    """An evaluation's reason (kept with its template) in Finnish; other text as it is."""
    return localized_warnings([text], "fi")[0]


def _basis(
    rr_test: RRTest,
    method: Method | None,
    spec: MeasurerSpec,
    own: OperatorFigures | None,
    limits: OperatorLimits,
    operator_outcome: str,
) -> dict[str, Any]:
    return {
        "rr_test": rr_test.number,
        "study": rr_test.title,
        "design": rr_test.design,
        "method": {"id": method.id, "label": method.label()} if method else None,
        "study_outcome": rr_test.outcome,
        "study_reason": rr_test.outcome_reason,
        "operator": spec.operator,
        "operator_outcome": operator_outcome,
        "figures": own.as_json() if own else None,
        "limits": asdict(limits) if own else None,
    }


def _figures(own: OperatorFigures | None, limits: OperatorLimits) -> dict[str, Any] | None:
    """The operator's figures with the limits they were judged against, as the report shows."""
    return {**own.as_json(), "limits": asdict(limits)} if own else None


# -- reading ----------------------------------------------------------------------------------


def list_rr_tests(db_session: Session, *, actor: Principal) -> list[RRTest]:
    query = select(RRTest).order_by(col(RRTest.performed_on), col(RRTest.id))
    if not actor.reads_everything:
        if not actor.is_customer or actor.organisation_id is None:
            raise PermissionDenied(
                "only the lab's staff, auditors and customers read RR tests",
                code="training.only_lab_staff_auditors_customers",
            )
        query = query.where(RRTest.organisation_id == actor.organisation_id)
    return list(db_session.exec(query))


def get_rr_test(db_session: Session, *, actor: Principal, rr_test_id: int) -> RRTest:
    return visible_to(actor, db_session.get(RRTest, rr_test_id), f"RR test {rr_test_id}")


def measurers_of(db_session: Session, rr_test: RRTest) -> list[RRTestMeasurer]:
    return list(
        db_session.exec(
            select(RRTestMeasurer)
            .where(RRTestMeasurer.rr_test_id == rr_test.id)
            .order_by(col(RRTestMeasurer.id))
        )
    )


def describe_rr_test(db_session: Session, rr_test: RRTest) -> RRTestPublic:
    return RRTestPublic.model_validate(
        {
            **rr_test.model_dump(),
            "measurers": [
                MeasurerPublic(
                    operator=m.operator_label,
                    user_id=m.user_id,
                    name=m.name,
                    outcome=RRTestOutcome(m.outcome) if m.outcome else None,
                    figures=m.figures,
                )
                for m in measurers_of(db_session, rr_test)
            ],
            "charts": list(chart_names(rr_test.design)),
            "evaluation": rr_test.result,
        }
    )


def outcome_reason_in(rr_test: RRTest, language: str) -> str:
    """A recorded test's outcome reason in ``language``: judged again from the recorded study,
    evaluation and criteria, and worded so when it reads as recorded (else as recorded)."""
    try:
        _, again, _, _ = judge(
            RRRequest.model_validate(rr_test.request),
            rr_test.result,
            AcceptanceCriteria.model_validate(rr_test.acceptance),
        )
    except (LimsError, ValueError, KeyError):
        return rr_test.outcome_reason
    if again != rr_test.outcome_reason:
        return rr_test.outcome_reason
    return localized_warnings([again], language)[0]


def warnings_in(rr_test: RRTest, language: str) -> list[str]:
    """A recorded test's warnings in ``language``.  The record keeps them in English: the
    recorded study is evaluated again, and each recorded warning takes the wording of the
    one with the same English; a warning the evaluation no longer gives stays as recorded."""
    recorded: list[str] = rr_test.result.get("warnings", [])
    try:
        again = evaluate_rr(RRRequest.model_validate(rr_test.request))["warnings"]
    except (LimsError, ValueError):
        return recorded
    worded = {str(warning): warning for warning in again}
    return localized_warnings([worded.get(text, text) for text in recorded], language)


def rr_test_chart(db_session: Session, *, actor: Principal, rr_test_id: int, chart: str) -> bytes:
    rr_test = get_rr_test(db_session, actor=actor, rr_test_id=rr_test_id)
    if chart not in chart_names(rr_test.design):
        raise NotFound(
            "RR test %(rr_test)s has no %(chart)s chart; it has %(names)s",
            code="training.rr_test_has_chart_has",
            rr_test=rr_test.number,
            chart=chart,
            names=", ".join(chart_names(rr_test.design)),
        )
    return draw(RRRequest.model_validate(rr_test.request), rr_test.result, chart)


# -- checks ---------------------------------------------------------------------------------


def _check_references(db_session: Session, data: RRTestCreate) -> None:
    for field, table, what in (
        ("method_id", Method, "method"),
        ("equipment_id", Equipment, "equipment"),
        ("organisation_id", Organisation, "organisation"),
        ("enrolment_id", Enrolment, "enrolment"),
    ):
        value = getattr(data, field)
        if value is not None and db_session.get(table, value) is None:
            raise InvalidInput(
                "%(what)s %(value)s does not exist",
                code="training.does_exist",
                what=what,
                value=value,
                location=(field,),
            )
    if data.enrolment_id is not None:
        enrolment = db_session.get_one(Enrolment, data.enrolment_id)
        if enrolment.organisation_id != data.organisation_id:
            raise InvalidInput(
                "enrolment %(id)s is of organisation %(organisation_id)s, not %(organisation_id2)s",
                code="training.enrolment_organisation",
                id=enrolment.id,
                organisation_id=enrolment.organisation_id,
                organisation_id2=data.organisation_id,
                location=("organisation_id",),
            )


def check_not_a_measurer_of(db_session: Session, *, actor: Principal, rr_test: RRTest) -> None:
    """Who measured in a study does not issue (sign) its report either."""
    for measurer in measurers_of(db_session, rr_test):
        if actor.user_id is not None and measurer.user_id == actor.user_id:
            who = (
                Reason("operator %(operator)s", operator=measurer.operator_label)
                if measurer.operator_label
                else Reason("a measurer")
            )
            raise PermissionDenied(
                "%(actor)s measured in RR test %(rr_test)s as %(who)s: someone who did "
                "not measure issues its report",
                code="training.measured_rr_test_someone_who",
                actor=actor.username,
                rr_test=rr_test.number,
                who=who,
            )


def _check_not_a_measurer(actor: Principal, data: RRTestCreate) -> None:
    """Who measured in a study does not record, and so evaluate, it: their competence is
    judged by someone else (ISO/IEC 17025 4.1, impartiality)."""
    for spec in data.measurers:
        if actor.user_id is not None and spec.user_id == actor.user_id:
            who = (
                Reason("operator %(operator)s", operator=spec.operator)
                if spec.operator
                else Reason("a measurer")
            )
            raise PermissionDenied(
                "%(actor)s measured in this RR test as %(who)s: someone who did not "
                "measure records and evaluates it",
                code="training.measured_rr_test_someone_who_2",
                actor=actor.username,
                who=who,
            )


def _measurers(db_session: Session, data: RRTestCreate) -> list[tuple[MeasurerSpec, User | None]]:
    """Every operator of the study names its measurer, and every measurer is someone."""
    in_study = list(dict.fromkeys(m.operator for m in data.study.measurements if m.operator))
    labels = [spec.operator for spec in data.measurers if spec.operator is not None]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise InvalidInput(
            "operator %(repeated)s has two measurers",
            code="training.operator_has_two_measurers",
            repeated=repeated[0],
            location=("measurers",),
        )
    unnamed = [label for label in in_study if label not in labels]
    if unnamed:
        raise InvalidInput(
            "name the measurer of every operator in the study: %(unnamed)s",
            code="training.name_measurer_every_operator_study",
            unnamed=", ".join(unnamed),
            location=("measurers",),
        )
    strangers = [label for label in labels if label not in in_study]
    if strangers:
        raise InvalidInput(
            "the study has no operator %(strangers)s",
            code="training.study_has_operator",
            strangers=", ".join(strangers),
            location=("measurers",),
        )
    found: list[tuple[MeasurerSpec, User | None]] = []
    for index, spec in enumerate(data.measurers):
        user = None
        if spec.user_id is not None:
            user = db_session.get(User, spec.user_id)
            if user is None or user.deleted_at is not None or not user.active:
                raise InvalidInput(
                    "user %(user_id)s does not exist or is not active",
                    code="training.user_does_exist_active",
                    user_id=spec.user_id,
                    location=("measurers", index, "user_id"),
                )
            if Role.CUSTOMER in user.roles and user.organisation_id != data.organisation_id:
                raise InvalidInput(
                    "%(user)s is staff of organisation %(organisation_id)s: give it as the "
                    "RR test's organisation_id",
                    code="training.staff_organisation_give_rr_test",
                    user=user.username,
                    organisation_id=user.organisation_id,
                    location=("organisation_id",),
                )
        elif not spec.name:
            raise InvalidInput(
                "a measurer needs a user_id or a name",
                code="training.measurer_needs_user_id_name",
                location=("measurers", index),
            )
        found.append((spec, user))
    return found
