"""Customers: organisations with their address and contacts, and everything the lab holds
for one customer on one page.

Read through the services with the viewer's principal: the lab's staff and auditors see
every organisation, a customer its own (another's page is the same 404 as a missing one).
Registering and changing organisations and contacts is the quality manager's and the
administrator's (``lims.accounts.service``); the forms post to ``/api/v1/organisations``.
"""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.countries import COUNTRIES, country_name
from lims.accounts.models import CustomerKind, Language, Organisation, Role
from lims.accounts.principal import Principal
from lims.api.deps import SessionDep
from lims.contracts import agreements
from lims.contracts.vat import vat_treatment
from lims.db import persisted_id
from lims.documents import service as documents
from lims.i18n import N_
from lims.jobs import service as jobs
from lims.jobs.models import Item, Job
from lims.records.erasure import erasable_from
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)
#: How many of a customer's jobs, documents and instruments its page lists, newest first.
SHOWN = 50

LANGUAGE_NAMES = {
    Language.FI: N_("Finnish"),
    Language.SV: N_("Swedish"),
    Language.EN: N_("English"),
    Language.ET: N_("Estonian"),
}
KIND_NAMES = {
    CustomerKind.COMPANY: N_("Company"),
    CustomerKind.RESEARCH: N_("Research organisation or public body"),
    CustomerKind.PERSON: N_("Private person"),
}


def country_names(language: str) -> dict[str, str]:
    """Every country by its name in the page's language, in the order of the names."""
    names = {code: country_name(code, language) for code in COUNTRIES}
    return dict(sorted(names.items(), key=lambda pair: pair[1]))


def _job_numbers(
    db_session: Session, principal: Principal, listed: list[Job], instruments: list[Item]
) -> dict[int, str]:
    """The number of each job an instrument came in with (most are among the jobs listed)."""
    numbers = {persisted_id(job): job.number for job in listed}
    for job_id in {item.job_id for item in instruments} - numbers.keys():
        numbers[job_id] = jobs.get_job(db_session, actor=principal, job_id=job_id).number
    return numbers


def _erasure_possible_from(
    db_session: Session, principal: Principal, organisation: Organisation
) -> date | None:
    """For the erasure panel of a private person: the day its kept records allow it (None:
    no records hold it back); nothing for other customers or readers who may not erase."""
    if organisation.kind != CustomerKind.PERSON or not principal.has_any(
        *accounts.ORGANISATION_MANAGERS
    ):
        return None
    return erasable_from(db_session, persisted_id(organisation))


@router.get("/customers", response_class=HTMLResponse)
def customer_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    return page(
        request,
        viewer,
        "customers.html",
        organisations=accounts.list_organisations(db_session, actor=principal),
        kinds=list(CustomerKind),
        kind_names=KIND_NAMES,
        languages=list(Language),
        language_names=LANGUAGE_NAMES,
        country_names=country_names(viewer.language),
        manages=principal.has_any(*accounts.ORGANISATION_MANAGERS),
    )


@router.get("/customers/{organisation_id}", response_class=HTMLResponse)
def customer_detail(
    request: Request, organisation_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    organisation = accounts.get_organisation(
        db_session, actor=principal, organisation_id=organisation_id
    )
    customer_jobs, job_count, _ = jobs.list_jobs(
        db_session, actor=principal, organisation_id=organisation_id, sort="-created_at",
        limit=SHOWN,
    )  # fmt: skip
    instruments = jobs.list_instruments_of(
        db_session, actor=principal, organisation_id=organisation_id, limit=SHOWN
    )
    held, document_count = documents.list_documents(
        db_session, actor=principal, organisation_id=organisation_id, limit=SHOWN
    )
    return page(
        request,
        viewer,
        "customer_detail.html",
        organisation=organisation,
        contacts=accounts.list_contacts(
            db_session, actor=principal, organisation_id=organisation_id
        ),
        agreements=[
            (agreement, agreements.status_on(agreement, lab_today(request)))
            for agreement in agreements.list_agreements(db_session, actor=principal)
            if agreement.organisation_id == organisation_id
        ],
        jobs=customer_jobs,
        job_items=jobs.items_of_jobs(
            db_session, actor=principal, job_ids={persisted_id(job) for job in customer_jobs}
        ),
        job_count=job_count,
        documents=held,
        document_count=document_count,
        instruments=instruments,
        job_numbers=_job_numbers(db_session, principal, customer_jobs, instruments),
        users=[
            user
            for user in accounts.list_users(db_session, actor=principal)
            if user.organisation_id == organisation_id
        ],
        languages=list(Language),
        language_names=LANGUAGE_NAMES,
        country_names=country_names(viewer.language),
        kind_names=KIND_NAMES,
        vat=vat_treatment(organisation, lab_today(request)),
        erasure_possible_from=_erasure_possible_from(db_session, principal, organisation),
        shown=SHOWN,
        manages=principal.has_any(*accounts.ORGANISATION_MANAGERS),
        creates_users=principal.has_any(Role.ADMIN),
        # A customer adds contacts to its own organisation (accounts.service.add_contact).
        adds_contacts=principal.is_customer or principal.has_any(*accounts.ORGANISATION_MANAGERS),
    )
