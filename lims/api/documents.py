"""Documents over HTTP: issue, preview, translate, revise, withdraw, download, verify."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from lims.api.deps import CurrentActor, FileStoreDep, SessionDep, SettingsDep
from lims.documents import service, translations
from lims.documents.models import (
    Document,
    DocumentKind,
    DocumentPublic,
    DocumentState,
    FreeTextStatus,
    IssueRequest,
    RevisionRequest,
    TextTranslationsEntry,
    TranslationRequest,
    WithdrawalRequest,
)
from lims.i18n import LANGUAGES

router = APIRouter(prefix="/documents", tags=["documents"])
PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The PDF"}
}


def _public(db_session: SessionDep, document: Document) -> DocumentPublic:
    public = DocumentPublic.model_validate(document, from_attributes=True)
    if document.master_id is not None:
        master = db_session.get(Document, document.master_id)
        public.master_number = master.number if master else None
    return public


def _pdf(document: Document, pdf: bytes, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'{disposition}; filename="{document.number}.pdf"',
            "x-content-sha256": document.sha256,
        },
    )


@router.get("", response_model=list[DocumentPublic], summary="Issued documents, newest first")
def list_documents(
    actor: CurrentActor,
    db_session: SessionDep,
    response: Response,
    job_id: int | None = None,
    agreement_id: int | None = None,
    organisation_id: int | None = None,
    kind: DocumentKind | None = None,
    state: DocumentState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DocumentPublic]:
    documents, total = service.list_documents(
        db_session,
        actor=actor,
        job_id=job_id,
        agreement_id=agreement_id,
        organisation_id=organisation_id,
        kind=kind,
        state=state,
        limit=limit,
        offset=offset,
    )
    response.headers["x-total-count"] = str(total)
    return [_public(db_session, document) for document in documents]


@router.post(
    "",
    response_model=DocumentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Issue the Finnish master of a job's certificate or report, or of a contract",
)
def issue_document(
    request: IssueRequest,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    store: FileStoreDep,
) -> DocumentPublic:
    document = service.issue(
        db_session, actor=actor, request=request, settings=settings, store=store
    )
    return _public(db_session, document)


@router.post(
    "/preview",
    response_class=Response,
    responses=PDF_RESPONSE,
    summary="The document as it would be issued now: DRAFT, unnumbered, unsigned",
    openapi_extra={"x-read-only": True},
)
def preview_document(
    request: IssueRequest, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> Response:
    pdf = service.preview(db_session, actor=actor, request=request, settings=settings)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": 'inline; filename="draft.pdf"'},
    )


@router.get("/{document_id}", response_model=DocumentPublic)
def get_document(document_id: int, actor: CurrentActor, db_session: SessionDep) -> DocumentPublic:
    return _public(
        db_session, service.get_document(db_session, actor=actor, document_id=document_id)
    )


@router.get(
    "/{document_id}/pdf",
    response_class=Response,
    responses=PDF_RESPONSE,
    summary="The issued PDF (checked against its SHA-256)",
)
def download_document(
    document_id: int,
    actor: CurrentActor,
    db_session: SessionDep,
    store: FileStoreDep,
    inline: bool = False,
) -> Response:
    document, pdf = service.pdf_of(db_session, actor=actor, document_id=document_id, store=store)
    return _pdf(document, pdf, inline=inline)


@router.post(
    "/{document_id}/translations",
    response_model=DocumentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Issue a translation of a Finnish master (refused while free text is untranslated)",
)
def translate_document(
    document_id: int,
    request: TranslationRequest,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    store: FileStoreDep,
) -> DocumentPublic:
    document = service.translate(
        db_session,
        actor=actor,
        document_id=document_id,
        language=request.language,
        settings=settings,
        store=store,
    )
    return _public(db_session, document)


@router.post(
    "/{document_id}/revisions",
    response_model=DocumentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Issue a corrected revision that supersedes this document, with the reason",
)
def revise_document(
    document_id: int,
    request: RevisionRequest,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    store: FileStoreDep,
) -> DocumentPublic:
    document = service.revise(
        db_session,
        actor=actor,
        document_id=document_id,
        reason=request.reason,
        signatory_function=request.signatory_function,
        settings=settings,
        store=store,
        reason_class=request.reason_class,
    )
    return _public(db_session, document)


@router.post(
    "/{document_id}/withdrawal",
    response_model=DocumentPublic,
    summary="Withdraw a document (a master's translations with it); nothing is deleted",
)
def withdraw_document(
    document_id: int, request: WithdrawalRequest, actor: CurrentActor, db_session: SessionDep
) -> DocumentPublic:
    document = service.withdraw(
        db_session, actor=actor, document_id=document_id, reason=request.reason
    )
    return _public(db_session, document)


@router.get(
    "/{document_id}/texts",
    response_model=FreeTextStatus,
    summary="The master's free text and its translations into a language; what is missing",
)
def free_text(
    document_id: int,
    actor: CurrentActor,
    db_session: SessionDep,
    language: Annotated[str, Query(pattern="^(" + "|".join(LANGUAGES[1:]) + ")$")],
) -> FreeTextStatus:
    document = service.free_text_subject(
        db_session, actor=actor, document_id=document_id, changing=False
    )
    return translations.status(
        db_session, subject=service.subject_key(document), data=document.data, language=language
    )


@router.put(
    "/{document_id}/texts",
    response_model=FreeTextStatus,
    summary="Record human translations of the master's free text",
)
def translate_free_text(
    document_id: int,
    entry: TextTranslationsEntry,
    actor: CurrentActor,
    db_session: SessionDep,
    lab_wide: Annotated[
        bool, Query(description="Store for every document (e.g. a signatory's function)")
    ] = False,
) -> FreeTextStatus:
    document = service.free_text_subject(
        db_session, actor=actor, document_id=document_id, changing=True
    )
    subject = service.subject_key(document)
    translations.record(
        db_session,
        actor=actor,
        subject=subject,
        organisation_id=document.organisation_id,
        data=document.data,
        language=entry.language,
        texts=entry.texts,
        lab_wide=lab_wide,
    )
    return translations.status(
        db_session, subject=subject, data=document.data, language=entry.language
    )
