"""Agreements with their confidentiality clause: the customer's side of service A, and the
lab's: drawing one up from the standard terms, signing, activating, amending with a reason,
terminating, the versions side by side, and the agreement issued as a contract document.

The pages read through ``lims.contracts.agreements``; their forms post to /api/v1/agreements
and /api/v1/documents, where the service decides (the buttons are only offered where it
would accept).
"""

from itertools import pairwise
from typing import Any, TypedDict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.principal import Principal, require_role
from lims.api.deps import SessionDep
from lims.contracts import agreements
from lims.contracts.models import (
    Agreement,
    AgreementKind,
    AgreementState,
    ConfidentialityClause,
    DecisionRule,
    Service,
    Signature,
)
from lims.documents import service as documents
from lims.documents.models import IssueRequest
from lims.i18n import N_
from lims.ui import contract_review
from lims.ui.commercial import organisation_names
from lims.ui.documents import draft_pdf
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)
#: The rows of the versions side by side: each term the parties agree on, in reading order.
TERM_ROWS = agreements.TERMS
#: The document languages an agreement may ask for beside Finnish, in the reader's words.
LANGUAGE_NAMES = {"en": N_("English"), "sv": N_("Swedish"), "et": N_("Estonian")}


def _terms_form_context(terms: dict[str, Any]) -> dict[str, Any]:
    """What the terms form offers: every service, decision rule and document language the
    service accepts, pre-filled from ``terms``."""
    return {
        "terms": terms,
        "scope_by_service": {item["service"]: item for item in terms["scope"]},
        "services": list(Service),
        "decision_rules": list(DecisionRule),
        "languages": sorted(agreements.LANGUAGES_BESIDE_FINNISH),
        "language_names": LANGUAGE_NAMES,
    }


def _terms_of(agreement: Agreement) -> dict[str, Any]:
    return {name: getattr(agreement, name) for name in agreements.TERMS}


def _clause(db_session: Session, clause_id: int) -> ConfidentialityClause | None:
    return next(
        (clause for clause in agreements.list_clauses(db_session) if clause.id == clause_id), None
    )


def _signature(recorded: dict[str, Any] | None) -> Signature | None:
    """A signature as stored (JSON, the day as text) read back with its day a date."""
    return Signature.model_validate(recorded) if recorded else None


def _changed_terms(versions: list[Agreement]) -> list[set[str]]:
    """For each version, the terms it changed from the version before (none for the first)."""
    return [set()] + [
        {name for name in TERM_ROWS if _term(before, name) != _term(after, name)}
        for before, after in pairwise(versions)
    ]


def _term(agreement: Agreement, name: str) -> Any:
    """A term as compared between versions: the services in scope in any order."""
    value = getattr(agreement, name)
    return sorted(value, key=lambda item: item["service"]) if name == "scope" else value


@router.get("/agreements", response_class=HTMLResponse)
def agreement_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    today = lab_today(request)
    found = agreements.list_agreements(db_session, actor=viewer.principal)
    return page(
        request,
        viewer,
        "agreement_list.html",
        agreements=[(agreement, agreements.status_on(agreement, today)) for agreement in found],
        organisations=organisation_names(db_session, viewer.principal),
        may_create=viewer.principal.has_any(*agreements.AGREEMENT_MANAGERS),
        # The clause's versions are the lab's record; a customer reads its own in its agreement.
        clauses=agreements.list_clauses(db_session) if viewer.principal.reads_everything else [],
    )


@router.get("/agreements/new", response_class=HTMLResponse)
def agreement_new(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    """Draw up an agreement: the lab's standard terms to start from, the clause in force."""
    principal = viewer.principal
    require_role(principal, *agreements.AGREEMENT_MANAGERS, doing="draw up agreements")
    today = lab_today(request)
    settings = request.app.state.settings
    return page(
        request,
        viewer,
        "agreement_new.html",
        organisations=accounts.list_organisations(db_session, actor=principal),
        kinds=list(AgreementKind),
        clause=agreements.current_clause(db_session, on=today),
        **_terms_form_context(
            agreements.standard_terms(starting=today, delivery_days=settings.default_delivery_days)
        ),
    )


class Offers(TypedDict):
    may_edit: bool
    may_sign: bool
    may_record_acceptance: bool
    may_activate: bool
    may_amend: bool
    may_terminate: bool
    may_issue: bool


def _offers(principal: Principal, agreement: Agreement, newest: bool) -> Offers:
    """The steps the page offers on this version; the service still decides each."""
    manager = principal.has_any(*agreements.AGREEMENT_MANAGERS)
    in_force = agreement.superseded_at is None and agreement.state != AgreementState.TERMINATED
    signed_or_active = agreement.state in (AgreementState.SIGNED, AgreementState.ACTIVE)
    return {
        "may_edit": manager and agreement.state == AgreementState.DRAFT,
        "may_sign": principal.has_any(*agreements.AGREEMENT_SIGNERS)
        and agreement.state == AgreementState.DRAFT,
        "may_record_acceptance": manager
        and in_force
        and agreement.confidentiality_accepted_on is None,
        "may_activate": manager and in_force and agreement.state == AgreementState.SIGNED,
        "may_amend": manager and in_force and signed_or_active and newest,
        "may_terminate": manager and in_force and signed_or_active,
        "may_issue": principal.has_any(*documents.CONTRACT_ISSUERS),
    }


@router.get("/agreements/{agreement_id}/preview.pdf", response_class=Response)
def agreement_preview(
    request: Request, agreement_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    """The contract document as it would be issued now, marked DRAFT: to read before issuing."""
    return draft_pdf(
        request,
        viewer,
        db_session,
        IssueRequest(agreement_id=agreement_id),
        filename=f"draft-agreement-{agreement_id}.pdf",
    )


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_detail(
    request: Request, agreement_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    agreement = agreements.get_agreement(db_session, actor=principal, agreement_id=agreement_id)
    today = lab_today(request)
    versions = agreements.versions_of(db_session, actor=principal, agreement_id=agreement_id)
    issued, _ = documents.list_documents(
        db_session, actor=principal, agreement_id=agreement_id, limit=200
    )
    return page(
        request,
        viewer,
        "agreement_detail.html",
        agreement=agreement,
        status=agreements.status_on(agreement, today),
        clause=_clause(db_session, agreement.confidentiality_clause_id),
        organisation=accounts.get_organisation(
            db_session, actor=principal, organisation_id=agreement.organisation_id
        ),
        contacts=accounts.list_contacts(
            db_session, actor=principal, organisation_id=agreement.organisation_id
        ),
        lab_signature=_signature(agreement.lab_signature),
        customer_signature=_signature(agreement.customer_signature),
        versions=[
            (
                version,
                agreements.status_on(version, today),
                changed,
                _signature(version.lab_signature),
            )
            for version, changed in zip(versions, _changed_terms(versions), strict=True)
        ],
        term_rows=TERM_ROWS,
        documents=issued,
        **_offers(principal, agreement, newest=versions[-1].id == agreement.id),
        **_terms_form_context(_terms_of(agreement)),
        **contract_review.of_agreement(db_session, principal, agreement),
    )
