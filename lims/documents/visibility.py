"""Who reads which document: the lab's staff and auditors every one, a customer its
organisation's and the public kinds.  A document of no organisation that is not public (a
staff member's training certificate, an in-house RR test's report) is the lab's own.

The rule stands apart from the documents service so that the records export applies the same
one without importing rendering and signing.
"""

from sqlmodel import col
from sqlmodel.sql.expression import SelectOfScalar

from lims.accounts.principal import Principal, visible_to
from lims.documents.models import Document, DocumentKind

#: Documents every customer may read: the lab's published offer, about no one in particular.
PUBLIC_KINDS = frozenset({DocumentKind.PRICE_LIST})


def readable(query: SelectOfScalar[Document], actor: Principal) -> SelectOfScalar[Document]:
    """``query`` narrowed to the documents ``actor`` may read."""
    if actor.reads_everything:
        return query
    return query.where(
        (col(Document.organisation_id) == actor.organisation_id)
        | col(Document.kind).in_(PUBLIC_KINDS)
    )


def visible_document(actor: Principal, document: Document | None, what: str) -> Document:
    """``document`` when it exists and ``actor`` may read it; else NotFound, as if missing."""
    if document is not None and document.kind in PUBLIC_KINDS:
        return document
    return visible_to(actor, document, what)
