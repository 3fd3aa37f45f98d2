"""Documents in the UI: the job's preview and issued documents, the document list, one
document with its translations and revisions, the translator's free-text form, and the
public verification page.

Everything is read through ``lims.documents.service`` with the viewer's principal; changes
are posted by the page's forms to ``/api/v1/documents``.
"""

from typing import Annotated, TypedDict

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from lims import __version__
from lims.accounts.principal import Principal
from lims.api.deps import FileStoreDep, SessionDep
from lims.documents import service, translations
from lims.documents.models import (
    Document,
    DocumentKind,
    DocumentState,
    IssueRequest,
    Verification,
)
from lims.i18n import LANGUAGES, MASTER_LANGUAGE, UI_LANGUAGES
from lims.jobs import service as jobs
from lims.jobs.models import JobStatus
from lims.ui.commercial import organisation_names
from lims.ui.rendering import render
from lims.ui.session import (
    PageRoute,
    Viewer,
    ViewerDep,
    asked_language,
    language_links,
    page,
    remember_visitor_language,
)

router = APIRouter(route_class=PageRoute)
PAGE_SIZE = 50


def job_documents(db_session: Session, principal: Principal, job_id: int) -> list[Document]:
    """The job's documents for its page, newest first (masters and translations)."""
    found, _ = service.list_documents(db_session, actor=principal, job_id=job_id, limit=200)
    return found


class JobDocuments(TypedDict):
    documents: list[Document]
    may_issue: bool
    to_revise: Document | None


def job_documents_offers(
    db_session: Session, principal: Principal, job_id: int, status: JobStatus
) -> JobDocuments:
    """The job's documents and what the page offers where the service would accept it (it
    still decides): the issue button while the job has no valid master, else its revision."""
    found = job_documents(db_session, principal, job_id)
    valid = next(
        (d for d in found if d.language == MASTER_LANGUAGE and d.state == DocumentState.ISSUED),
        None,
    )
    issuer = principal.has_any(*service.ISSUERS) and status in service.ISSUABLE_JOB_STATES
    return {
        "documents": found,
        "may_issue": issuer and valid is None,
        "to_revise": valid if issuer else None,
    }


@router.get("/documents", response_class=HTMLResponse)
def document_list(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    kind: DocumentKind | None = None,
    state: DocumentState | None = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    found, total = service.list_documents(
        db_session,
        actor=viewer.principal,
        kind=kind,
        state=state,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    return page(
        request,
        viewer,
        "document_list.html",
        documents=found,
        # Whom and which job each is about: the columns people scan a list by.
        organisations=organisation_names(db_session, viewer.principal),
        job_numbers=jobs.job_numbers(
            db_session,
            actor=viewer.principal,
            job_ids={document.job_id for document in found if document.job_id},
        ),
        kinds=list(DocumentKind),
        states=list(DocumentState),
        chosen={"kind": kind or "", "state": state or ""},
        page_number=page_number,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_detail(
    request: Request,
    document_id: int,
    viewer: ViewerDep,
    db_session: SessionDep,
    store: FileStoreDep,
    language: Annotated[str | None, Query(pattern="^(en|sv|et)$")] = None,
) -> Response:
    principal = viewer.principal
    document = service.get_document(db_session, actor=principal, document_id=document_id)
    # The lab's staff see what the signature proves; a customer checks a file on /verify.
    signature = (
        service.signature_of(document, store=store, settings=request.app.state.settings)
        if principal.reads_everything
        else None
    )
    master = (
        service.get_document(db_session, actor=principal, document_id=document.master_id)
        if document.master_id
        else document
    )
    related = service.related_documents(db_session, actor=principal, document=document)
    texts = None
    if (
        language
        and principal.reads_everything
        and document.language == MASTER_LANGUAGE
        and document.state == DocumentState.ISSUED
    ):
        texts = translations.status(
            db_session, subject=service.subject_key(document), data=document.data, language=language
        )
    return page(
        request,
        viewer,
        "document_detail.html",
        document=document,
        signature=signature,
        master=master,
        translations_of=[d for d in related if d.master_id == master.id],
        revisions=[d for d in related if d.master_id is None],
        languages=LANGUAGES[1:],
        text_language=language,
        texts=texts,
        may_change=principal.has_any(*service.TRANSLATORS),
        may_withdraw=principal.has_any(*service.CONTRACT_ISSUERS),
    )


@router.get("/jobs/{job_id}/preview.pdf", response_class=Response)
def job_preview(
    request: Request, job_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    """The job's certificate or report as it would be issued now, marked DRAFT."""
    return draft_pdf(
        request, viewer, db_session, IssueRequest(job_id=job_id), filename=f"draft-job-{job_id}.pdf"
    )


def draft_pdf(
    request: Request,
    viewer: Viewer,
    db_session: Session,
    issue: IssueRequest,
    *,
    filename: str,
) -> Response:
    """The document ``issue`` would make now, marked DRAFT, shown inline in the browser."""
    pdf = service.preview(
        db_session, actor=viewer.principal, request=issue, settings=request.app.state.settings
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{filename}"'},
    )


# -- the public verification page ------------------------------------------------------------


def verification_language(request: Request) -> str:
    """The public page's language: ``?lang=`` or the one this browser chose before, else the
    first of the browser's languages the UI speaks (whoever scans a certificate's QR code may
    read no Finnish), else the lab's."""
    asked = asked_language(request)
    if asked:
        return asked
    preferences = []
    for position, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        preferences.append((-weight, position, tag.split("-")[0].strip().lower()))
    spoken = [language for *_, language in sorted(preferences) if language in UI_LANGUAGES]
    return spoken[0] if spoken else request.app.state.settings.default_language


def verification_page(
    request: Request,
    verification: Verification | None,
    *,
    sha256: str | None = None,
    problems: tuple[str, ...] = (),
    number: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The answer to a browser, outcome first: the file matches, does NOT match, or was not
    checked (then only the number's state).  ``problems`` names the request's malformed
    parts (``sha256``, ``number``, anything else) when there is no verification to show;
    the page then offers the ``number`` again, when it was well formed."""
    settings = request.app.state.settings
    html = render(
        "verify.html",
        language=verification_language(request),
        timezone=settings.timezone,
        lab=settings.lab,
        version=__version__,
        v=verification,
        sha256=sha256,
        problems=problems,
        number=number,
        language_links=language_links(request),
    )
    response = HTMLResponse(html, status_code=status_code)
    remember_visitor_language(request, response)
    return response
