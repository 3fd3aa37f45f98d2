"""Agreements: the written basis of all work (service A), and the job-opening rule.

Stored states are draft, signed, active and terminated; ``expired`` (an active agreement past
its validity) and ``superseded`` (replaced by an activated amendment) are derived, never
stored twice.  A signed agreement changes only by amendment: a new version with the same
number, the reason recorded, the old version kept.
"""

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from lims.accounts.models import Organisation, Role
from lims.accounts.principal import Principal, require_role, visible_to
from lims.audit.trail import save, set_context
from lims.clock import require_today
from lims.contracts.models import (
    Agreement,
    AgreementAmendment,
    AgreementCreate,
    AgreementKind,
    AgreementSigning,
    AgreementState,
    AgreementUpdate,
    ConfidentialityAcceptance,
    ConfidentialityClause,
    ConfidentialityClauseCreate,
    DecisionRule,
    Service,
)
from lims.db import lock_row, persisted_id, utcnow
from lims.errors import Conflict, InvalidInput
from lims.numbering import formatted, next_number

AGREEMENT_MANAGERS = (Role.ADMIN, Role.QUALITY_MANAGER)
AGREEMENT_SIGNERS = (*AGREEMENT_MANAGERS, Role.SIGNATORY)
SERIES_PREFIX = {AgreementKind.ANNUAL: "VS", AgreementKind.AD_HOC: "KS"}
LANGUAGES_BESIDE_FINNISH = {"sv", "en", "et"}
TERMS = (
    "valid_from",
    "valid_until",
    "scope",
    "decision_rule",
    "decision_rule_r",
    "decision_rule_text",
    "languages",
    "customer_reference_rule",
)


def standard_terms(*, starting: date, delivery_days: int) -> dict[str, Any]:
    """The lab's standard terms, where an agreement drawn up for a customer starts: a year
    from ``starting``, every service at the standard delivery time and not accredited until
    agreed, simple acceptance, Finnish documents only (as an ad-hoc order accepts them)."""
    try:
        year_later = starting.replace(year=starting.year + 1)
    except ValueError:  # 29 February: a year later is 1 March
        year_later = date(starting.year + 1, 3, 1)
    return {
        "valid_from": starting,
        "valid_until": year_later - timedelta(days=1),
        "scope": [
            {"service": service, "accredited": False, "delivery_days": delivery_days}
            for service in Service
        ],
        "decision_rule": DecisionRule.SIMPLE_ACCEPTANCE,
        "decision_rule_r": None,
        "decision_rule_text": None,
        "languages": [],
        "customer_reference_rule": None,
    }


def status_on(agreement: Agreement, day: date) -> str:
    if agreement.superseded_at is not None:
        return "superseded"
    if agreement.state == AgreementState.ACTIVE and day > agreement.valid_until:
        return "expired"
    return agreement.state


def covers(agreement: Agreement, service: Service) -> bool:
    return any(item["service"] == service for item in agreement.scope)


def delivery_days_for(agreement: Agreement, service: Service) -> int | None:
    for item in agreement.scope:
        if item["service"] == service:
            return int(item["delivery_days"])
    return None


# -- confidentiality clauses ----------------------------------------------------------------


def current_clause(db_session: Session, *, on: date) -> ConfidentialityClause:
    clause = db_session.exec(
        select(ConfidentialityClause)
        .where(ConfidentialityClause.effective_from <= on)
        .order_by(col(ConfidentialityClause.version).desc())
    ).first()
    if clause is None:
        raise Conflict(
            "no confidentiality clause is in force on %(on)s; record one first",
            code="contracts.confidentiality_clause_force_record_one",
            on=on,
        )
    return clause


def list_clauses(db_session: Session) -> list[ConfidentialityClause]:
    return list(
        db_session.exec(select(ConfidentialityClause).order_by(col(ConfidentialityClause.version)))
    )


def create_clause(
    db_session: Session, *, actor: Principal, data: ConfidentialityClauseCreate
) -> ConfidentialityClause:
    require_role(actor, *AGREEMENT_MANAGERS, doing="record confidentiality clauses")
    latest = db_session.exec(
        select(ConfidentialityClause).order_by(col(ConfidentialityClause.version).desc())
    ).first()
    clause = ConfidentialityClause.model_validate(
        data, update={"version": (latest.version + 1) if latest else 1}
    )
    return save(db_session, actor.audit_context(), clause)


# -- reading ------------------------------------------------------------------------------


def list_agreements(db_session: Session, *, actor: Principal) -> list[Agreement]:
    query = select(Agreement).order_by(col(Agreement.number), col(Agreement.version))
    if not actor.reads_everything:
        query = query.where(Agreement.organisation_id == actor.organisation_id)
    return list(db_session.exec(query))


def get_agreement(db_session: Session, *, actor: Principal, agreement_id: int) -> Agreement:
    return visible_to(actor, db_session.get(Agreement, agreement_id), f"agreement {agreement_id}")


def _locked_agreement(db_session: Session, *, actor: Principal, agreement_id: int) -> Agreement:
    """The agreement under its row lock, read afresh: every step checks the state it finds
    under the lock, so of two presses of one button the second finds the step taken (409)
    rather than taking it again (``lims.db.lock_row``)."""
    agreement = get_agreement(db_session, actor=actor, agreement_id=agreement_id)
    lock_row(db_session, Agreement, persisted_id(agreement))
    return agreement


def versions_of(db_session: Session, *, actor: Principal, agreement_id: int) -> list[Agreement]:
    """Every version of the agreement's number, the original first: its amendment history."""
    agreement = get_agreement(db_session, actor=actor, agreement_id=agreement_id)
    return list(
        db_session.exec(
            select(Agreement)
            .where(Agreement.number == agreement.number)
            .order_by(col(Agreement.version))
        )
    )


# -- the rules on terms -------------------------------------------------------------------


def _check_terms(agreement: Agreement) -> None:
    if agreement.valid_until < agreement.valid_from:
        raise InvalidInput(
            "the validity ends before it starts",
            code="contracts.validity_ends_before_starts",
            location=("valid_until",),
        )
    services = [item["service"] for item in agreement.scope]
    if not services:
        raise InvalidInput(
            "the scope names at least one service",
            code="contracts.scope_names_least_one_service",
            location=("scope",),
        )
    if len(set(services)) != len(services):
        raise InvalidInput(
            "each service appears once in the scope",
            code="contracts.each_service_appears_once_scope",
            location=("scope",),
        )
    unknown = set(agreement.languages) - LANGUAGES_BESIDE_FINNISH
    if unknown:
        raise InvalidInput(
            "documents are translated to %(languages_beside_finnish)s only; not %(unknown)s",
            code="contracts.documents_translated_only",
            languages_beside_finnish=", ".join(sorted(LANGUAGES_BESIDE_FINNISH)),
            unknown=", ".join(sorted(unknown)),
            location=("languages",),
        )
    if agreement.decision_rule == DecisionRule.GUARD_BAND_RU and not (
        agreement.decision_rule_r and agreement.decision_rule_r > 0
    ):
        raise InvalidInput(
            "a guard band w = r*U needs r above zero",
            code="contracts.guard_band_w_r_u",
            location=("decision_rule_r",),
        )
    if agreement.decision_rule == DecisionRule.CUSTOMER and not agreement.decision_rule_text:
        raise InvalidInput(
            "a customer decision rule must be stated in words",
            code="contracts.customer_decision_rule_must_stated",
            location=("decision_rule_text",),
        )


def _check_no_overlap(db_session: Session, agreement: Agreement) -> None:
    """Two annual agreements of one customer may not cover one service at the same time."""
    if agreement.kind != AgreementKind.ANNUAL:
        return
    others = db_session.exec(
        select(Agreement).where(
            Agreement.organisation_id == agreement.organisation_id,
            Agreement.kind == AgreementKind.ANNUAL,
            Agreement.number != agreement.number,
            Agreement.state != AgreementState.TERMINATED,
            col(Agreement.superseded_at).is_(None),
            Agreement.valid_from <= agreement.valid_until,
            Agreement.valid_until >= agreement.valid_from,
        )
    )
    services = {item["service"] for item in agreement.scope}
    for other in others:
        shared = services & {item["service"] for item in other.scope}
        if shared:
            raise Conflict(
                "annual agreement %(other)s already covers %(shared)s for this "
                "customer from %(valid_from)s to %(valid_until)s",
                code="contracts.annual_agreement_already_covers_customer",
                other=other.number,
                shared=", ".join(sorted(shared)),
                valid_from=other.valid_from,
                valid_until=other.valid_until,
            )


def _terms_of(data: AgreementCreate | AgreementUpdate, *, exclude_unset: bool) -> dict:
    terms = data.model_dump(mode="json", include=set(TERMS), exclude_unset=exclude_unset)
    for day in ("valid_from", "valid_until"):
        if day in terms:
            terms[day] = getattr(data, day)
    return terms


# -- the life cycle -----------------------------------------------------------------------


def create_agreement(db_session: Session, *, actor: Principal, data: AgreementCreate) -> Agreement:
    require_role(actor, *AGREEMENT_MANAGERS, doing="draw up agreements")
    if db_session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput(
            "organisation %(organisation_id)s does not exist",
            code="accounts.organisation_does_exist",
            organisation_id=data.organisation_id,
            location=("organisation_id",),
        )
    agreement = Agreement(
        **_terms_of(data, exclude_unset=False),
        number="pending",
        kind=data.kind,
        organisation_id=data.organisation_id,
        confidentiality_clause_id=persisted_id(current_clause(db_session, on=data.valid_from)),
    )
    _check_terms(agreement)
    year = data.valid_from.year
    agreement.number = formatted(
        SERIES_PREFIX[data.kind],
        year,
        next_number(db_session, series=f"agreement-{data.kind}", year=year),
    )
    _check_no_overlap(db_session, agreement)
    return save(db_session, actor.audit_context(), agreement)


def _as_it_stands(agreement: Agreement) -> str:
    """Where an agreement is in its life cycle, for the message refusing a step from there."""
    number = agreement.number
    if agreement.superseded_at is not None:
        return f"version {agreement.version} of {number} has been superseded by an amendment"
    if agreement.state == AgreementState.TERMINATED:
        return f"{number} was terminated on {agreement.terminated_on}"
    if agreement.state == AgreementState.DRAFT:
        return f"{number} is a draft, not yet signed"
    return f"{number} is already {agreement.state}"


def update_agreement(
    db_session: Session, *, actor: Principal, agreement_id: int, data: AgreementUpdate
) -> Agreement:
    agreement = _locked_agreement(db_session, actor=actor, agreement_id=agreement_id)
    require_role(actor, *AGREEMENT_MANAGERS, doing="change agreements")
    if agreement.state != AgreementState.DRAFT:
        raise Conflict(
            "%(as_it_stands)s: a signed agreement changes only by amendment (give the reason)",
            code="contracts.signed_agreement_changes_only_amendment",
            as_it_stands=_as_it_stands(agreement),
        )
    set_context(db_session, actor.audit_context())  # the checks below query, and so flush
    agreement.sqlmodel_update(_terms_of(data, exclude_unset=True))
    _check_terms(agreement)
    _check_no_overlap(db_session, agreement)
    return save(db_session, actor.audit_context(), agreement)


def sign_agreement(
    db_session: Session, *, actor: Principal, agreement_id: int, data: AgreementSigning
) -> Agreement:
    agreement = _locked_agreement(db_session, actor=actor, agreement_id=agreement_id)
    require_role(actor, *AGREEMENT_SIGNERS, doing="sign agreements")
    if agreement.state != AgreementState.DRAFT:
        raise Conflict(
            "%(as_it_stands)s: only a draft is signed",
            code="contracts.only_draft_signed",
            as_it_stands=_as_it_stands(agreement),
        )
    agreement.lab_signature = data.lab_signature.model_dump(mode="json")
    agreement.customer_signature = data.customer_signature.model_dump(mode="json")
    agreement.state = AgreementState.SIGNED
    return save(db_session, actor.audit_context(), agreement)


def activate_agreement(db_session: Session, *, actor: Principal, agreement_id: int) -> Agreement:
    """Put a signed agreement in force; an activated amendment supersedes its predecessor.

    Only once the customer has accepted the confidentiality clause: the lab may hold the
    customer's information under it from the first request (ISO/IEC 17025 4.2, 7.1.1)."""
    agreement = _locked_agreement(db_session, actor=actor, agreement_id=agreement_id)
    require_role(actor, *AGREEMENT_MANAGERS, doing="activate agreements")
    if agreement.state != AgreementState.SIGNED or agreement.superseded_at is not None:
        raise Conflict(
            "%(as_it_stands)s: only a signed agreement is activated",
            code="contracts.only_signed_agreement_activated",
            as_it_stands=_as_it_stands(agreement),
        )
    if agreement.confidentiality_accepted_on is None:
        raise Conflict(
            "the customer has not accepted the confidentiality clause of "
            "%(agreement)s: record its acceptance before activating the agreement",
            code="contracts.customer_has_accepted_confidentiality_clause",
            agreement=agreement.number,
        )
    _check_no_overlap(db_session, agreement)
    if agreement.supersedes_id is not None:
        previous = db_session.get_one(Agreement, agreement.supersedes_id)
        previous.superseded_at = utcnow()
        db_session.add(previous)
    agreement.state = AgreementState.ACTIVE
    return save(db_session, actor.audit_context(), agreement)


def accept_confidentiality(
    db_session: Session,
    *,
    actor: Principal,
    agreement_id: int,
    data: ConfidentialityAcceptance,
    timezone: str = "Europe/Helsinki",
) -> Agreement:
    """The customer's named representative accepts the clause: the customer itself (today),
    or staff recording an acceptance given on paper."""
    agreement = _locked_agreement(db_session, actor=actor, agreement_id=agreement_id)
    if actor.is_customer:
        require_today(data.accepted_on, timezone, field="accepted_on")
    else:
        require_role(actor, *AGREEMENT_MANAGERS, doing="record a customer's acceptance")
    if agreement.state == AgreementState.TERMINATED or agreement.superseded_at is not None:
        raise Conflict(
            "%(as_it_stands)s: it is no longer in force",
            code="contracts.longer_force",
            as_it_stands=_as_it_stands(agreement),
        )
    if agreement.confidentiality_accepted_on is not None:
        # Who accepted, and when, is a fact of the record: a second acceptance would rewrite it.
        raise Conflict(
            "%(agreement)s v%(version)s: the confidentiality clause was accepted "
            "by %(confidentiality_accepted_by)s on %(confidentiality_accepted_on)s",
            code="contracts.v_confidentiality_clause_was_accepted",
            agreement=agreement.number,
            version=agreement.version,
            confidentiality_accepted_by=agreement.confidentiality_accepted_by,
            confidentiality_accepted_on=agreement.confidentiality_accepted_on,
        )
    agreement.confidentiality_accepted_by = data.accepted_by
    agreement.confidentiality_accepted_on = data.accepted_on
    return save(db_session, actor.audit_context(), agreement)


def terminate_agreement(
    db_session: Session, *, actor: Principal, agreement_id: int, reason: str, on: date
) -> Agreement:
    agreement = _locked_agreement(db_session, actor=actor, agreement_id=agreement_id)
    require_role(actor, *AGREEMENT_MANAGERS, doing="terminate agreements")
    if (
        agreement.state not in (AgreementState.SIGNED, AgreementState.ACTIVE)
        or agreement.superseded_at is not None
    ):
        raise Conflict(
            "%(as_it_stands)s: only a signed or active one is terminated",
            code="contracts.only_signed_active_one_terminated",
            as_it_stands=_as_it_stands(agreement),
        )
    agreement.state = AgreementState.TERMINATED
    agreement.terminated_on = on
    agreement.termination_reason = reason
    return save(db_session, actor.audit_context(), agreement)


def amend_agreement(
    db_session: Session, *, actor: Principal, agreement_id: int, data: AgreementAmendment
) -> Agreement:
    """A new draft version with the changed terms; the old one stays in force until it is
    replaced by activating the amendment."""
    agreement = _locked_agreement(db_session, actor=actor, agreement_id=agreement_id)
    require_role(actor, *AGREEMENT_MANAGERS, doing="amend agreements")
    if agreement.state == AgreementState.DRAFT:
        raise Conflict(
            "%(as_it_stands)s: edit the draft directly",
            code="contracts.edit_draft_directly",
            as_it_stands=_as_it_stands(agreement),
        )
    if agreement.state not in (AgreementState.SIGNED, AgreementState.ACTIVE):
        raise Conflict(
            "%(as_it_stands)s: only a signed or active one is amended",
            code="contracts.only_signed_active_one_amended",
            as_it_stands=_as_it_stands(agreement),
        )
    if agreement.superseded_at is not None:
        raise Conflict(
            "%(as_it_stands)s: amend its newest version",
            code="contracts.amend_newest_version",
            as_it_stands=_as_it_stands(agreement),
        )
    newer = db_session.exec(
        select(Agreement).where(
            Agreement.number == agreement.number, Agreement.version > agreement.version
        )
    ).first()
    if newer is not None:
        raise Conflict(
            "amendment version %(version)s of %(agreement)s is pending",
            code="contracts.amendment_version_pending",
            version=newer.version,
            agreement=agreement.number,
        )
    amendment = Agreement(
        **{name: getattr(agreement, name) for name in TERMS},
        number=agreement.number,
        version=agreement.version + 1,
        kind=agreement.kind,
        organisation_id=agreement.organisation_id,
        confidentiality_clause_id=agreement.confidentiality_clause_id,
        confidentiality_accepted_by=agreement.confidentiality_accepted_by,
        confidentiality_accepted_on=agreement.confidentiality_accepted_on,
        supersedes_id=agreement.id,
        amendment_reason=data.reason,
    )
    amendment.sqlmodel_update(_terms_of(data, exclude_unset=True))
    _check_terms(amendment)
    return save(db_session, actor.audit_context(), amendment)


# -- the job-opening rule -----------------------------------------------------------------


def agreement_in_force(
    db_session: Session, *, organisation_id: int, service: Service, on: date
) -> Agreement | None:
    """The active agreement that covers ``service`` for the customer on the day, if any."""
    candidates = db_session.exec(
        select(Agreement)
        .where(
            Agreement.organisation_id == organisation_id,
            Agreement.state == AgreementState.ACTIVE,
            col(Agreement.superseded_at).is_(None),
            Agreement.valid_from <= on,
            Agreement.valid_until >= on,
        )
        .order_by(col(Agreement.kind), col(Agreement.valid_from).desc())
    )
    return next((agreement for agreement in candidates if covers(agreement, service)), None)


def require_agreement_for_job(
    db_session: Session, *, organisation_id: int, service: Service, on: date
) -> Agreement:
    """Work starts only under an active agreement covering the service, with the
    confidentiality clause accepted; the refusal says which of these is missing."""
    agreement = agreement_in_force(
        db_session, organisation_id=organisation_id, service=service, on=on
    )
    if agreement is None:
        active = agreement_in_force_any_service(db_session, organisation_id=organisation_id, on=on)
        if active:
            raise InvalidInput(
                "agreement %(active)s does not cover the service %(service)s; amend it "
                "or order under an ad-hoc agreement",
                code="contracts.agreement_does_cover_service_amend",
                active=active.number,
                service=service,
                location=("service",),
            )
        raise InvalidInput(
            "no active agreement covers this customer on %(on)s; accept the terms "
            "and confidentiality to order under an ad-hoc agreement",
            code="contracts.active_agreement_covers_customer_accept",
            on=on,
            location=("accept_terms_and_confidentiality",),
        )
    if agreement.confidentiality_accepted_on is None:
        raise InvalidInput(
            "the confidentiality clause of agreement %(agreement)s has not been "
            "accepted; no job may start before it is",
            code="contracts.confidentiality_clause_agreement_has_been",
            agreement=agreement.number,
            location=("agreement_id",),
        )
    return agreement


def agreement_in_force_any_service(
    db_session: Session, *, organisation_id: int, on: date
) -> Agreement | None:
    return db_session.exec(
        select(Agreement).where(
            Agreement.organisation_id == organisation_id,
            Agreement.state == AgreementState.ACTIVE,
            col(Agreement.superseded_at).is_(None),
            Agreement.valid_from <= on,
            Agreement.valid_until >= on,
        )
    ).first()


def make_ad_hoc_agreement(
    db_session: Session,
    *,
    organisation_id: int,
    service: Service,
    on: date,
    accepted_by: str,
    delivery_days: int,
    lab_name: str,
) -> Agreement:
    """The agreement of one order, made as the customer accepts the lab's standard terms and
    the confidentiality clause.  The caller commits it with the order, in one transaction."""
    agreement = Agreement(
        number="pending",
        kind=AgreementKind.AD_HOC,
        organisation_id=organisation_id,
        valid_from=on,
        valid_until=on,
        scope=[{"service": service, "accredited": False, "delivery_days": delivery_days}],
        decision_rule=DecisionRule.SIMPLE_ACCEPTANCE,
        languages=[],
        state=AgreementState.ACTIVE,
        confidentiality_clause_id=persisted_id(current_clause(db_session, on=on)),
        confidentiality_accepted_by=accepted_by,
        confidentiality_accepted_on=on,
        lab_signature={"name": lab_name, "title": "standard terms", "signed_on": on.isoformat()},
        customer_signature={"name": accepted_by, "title": "orderer", "signed_on": on.isoformat()},
    )
    agreement.number = formatted(
        SERIES_PREFIX[AgreementKind.AD_HOC],
        on.year,
        next_number(db_session, series=f"agreement-{AgreementKind.AD_HOC}", year=on.year),
    )
    db_session.add(agreement)
    db_session.flush()
    return agreement
