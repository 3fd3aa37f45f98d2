"""The limits each operator of an RR test is judged against, set by the lab per method.

Without the lab's own, the defaults are the AIAG MSA 4th ed. acceptability bands for %GRR
(under 10 % acceptable, 10 to 30 % conditionally) applied to the operator's own %EV, and a
bias under 10 % of the tolerance, the share of the tolerance a type 1 study allows the gauge
(Cgk on 0.1 T, VDA 5).  These are the lab's documented choice, not a rule of the manual,
which judges the measurement system and not its operators.
"""

from sqlmodel import Session, select

from lims.accounts.principal import Principal, require_role
from lims.audit.trail import save
from lims.db import utcnow
from lims.errors import InvalidInput, NotFound
from lims.methods.models import Method
from lims.training.models import OperatorLimitsPublic, OperatorLimitsUpdate, RROperatorLimit
from lims.training.rr.operators import OperatorLimits
from lims.training.service import MANAGERS, READERS

DEFAULT_SOURCE = "defaults: %EV bands of AIAG MSA 4th ed. (10 %, 30 %), bias 10 % of the tolerance"


def operator_limits(db_session: Session, method_id: int | None) -> OperatorLimits:
    """The method's limits, or the defaults when the lab has set none (or no method)."""
    found = _stored(db_session, method_id) if method_id is not None else None
    if found is None:
        defaults = OperatorLimitsUpdate()
        return OperatorLimits(**defaults.model_dump(), source=DEFAULT_SOURCE)
    return OperatorLimits(
        repeatability_acceptable_below=found.repeatability_acceptable_below,
        repeatability_conditional_below=found.repeatability_conditional_below,
        bias_acceptable_below=found.bias_acceptable_below,
        source=f"the lab's limits for the method, set by {found.set_by} on {found.set_at:%Y-%m-%d}",
    )


def read_operator_limits(
    db_session: Session, *, actor: Principal, method_id: int
) -> OperatorLimitsPublic:
    require_role(actor, *READERS, doing="read the RR operator limits")
    _method(db_session, method_id)
    limits = operator_limits(db_session, method_id)
    return OperatorLimitsPublic(
        method_id=method_id,
        repeatability_acceptable_below=limits.repeatability_acceptable_below,
        repeatability_conditional_below=limits.repeatability_conditional_below,
        bias_acceptable_below=limits.bias_acceptable_below,
        source=limits.source,
    )


def set_operator_limits(
    db_session: Session, *, actor: Principal, method_id: int, data: OperatorLimitsUpdate
) -> OperatorLimitsPublic:
    require_role(actor, *MANAGERS, doing="set the RR operator limits")
    _method(db_session, method_id)
    if data.repeatability_conditional_below < data.repeatability_acceptable_below:
        raise InvalidInput(
            "the conditional limit %(repeatability_conditional_below)g %% is below "
            "the acceptable limit %(repeatability_acceptable_below)g %%",
            code="training.conditional_limit_below_acceptable_limit",
            repeatability_conditional_below=data.repeatability_conditional_below,
            repeatability_acceptable_below=data.repeatability_acceptable_below,
            location=("repeatability_conditional_below",),
        )
    stored = _stored(db_session, method_id) or RROperatorLimit(method_id=method_id, set_by="")
    for name, value in data.model_dump().items():
        setattr(stored, name, value)
    stored.set_by = actor.username
    stored.set_at = utcnow()
    save(db_session, actor.audit_context(), stored)
    return read_operator_limits(db_session, actor=actor, method_id=method_id)


def _stored(db_session: Session, method_id: int) -> RROperatorLimit | None:
    return db_session.exec(
        select(RROperatorLimit).where(RROperatorLimit.method_id == method_id)
    ).first()


def _method(db_session: Session, method_id: int) -> Method:
    method = db_session.get(Method, method_id)
    if method is None:
        raise NotFound(
            "method %(method_id)s does not exist",
            code="competence.method_does_exist",
            method_id=method_id,
        )
    return method
