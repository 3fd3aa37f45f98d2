"""Demo documents: the lab's signing key, and certificates of the demo jobs already reported.

Issued through the same service as the API, by the demo signatory; one certificate also gets
its English translation.  Idempotent: nothing is issued when documents exist.
"""

from sqlmodel import Session, col, select

from lims.config import Settings
from lims.db import persisted_id
from lims.demo.accounts import acting_as
from lims.documents import service
from lims.documents.batch import signatory_named
from lims.documents.models import Document, IssueRequest, TextTranslation
from lims.documents.signing import create_demo_signing_key
from lims.documents.translations import LAB_WIDE
from lims.jobs.models import Item, Job, JobStatus
from lims.storage import store_in

DEMO_SIGNATORY = "allekirjoittaja"
FUNCTION = "Laboratorion johtaja"  # the demo signatory's job title (lims.demo.accounts)
FUNCTION_TRANSLATIONS = {
    "en": "Head of Laboratory",
    "sv": "Laboratoriechef",
    "et": "Labori juhataja",
}
ITEM_TRANSLATIONS = {"Ulkomikrometri 0-25 mm": "External micrometer 0-25 mm"}


def load_documents(db_session: Session, *, settings: Settings) -> int:
    """Make the signing key, then issue the reported jobs' certificates unless any exist."""
    created = int(create_demo_signing_key(settings))
    if db_session.exec(select(Document.id)).first() is not None:
        return created
    jobs = list(
        db_session.exec(
            select(Job)
            .where(col(Job.status).in_([JobStatus.REPORTED, JobStatus.CLOSED]))
            .order_by(col(Job.id))
        )
    )
    if not jobs:
        return created
    actor = acting_as(signatory_named(db_session, DEMO_SIGNATORY))
    for language, text in FUNCTION_TRANSLATIONS.items():
        db_session.add(
            TextTranslation(
                subject=LAB_WIDE,
                key="signatory.function",
                language=language,
                source=FUNCTION,
                text=text,
                translated_by="demo",
            )
        )
    store = store_in(settings.data_dir)
    masters = []
    for job in jobs:
        masters.append(
            service.issue(
                db_session,
                actor=actor,
                request=IssueRequest(job_id=persisted_id(job)),
                settings=settings,
                store=store,
            )
        )
    first = masters[0]
    for item in db_session.exec(select(Item).where(Item.job_id == first.job_id)):
        if item.description in ITEM_TRANSLATIONS:
            db_session.add(
                TextTranslation(
                    subject=f"job:{first.job_id}",
                    organisation_id=first.organisation_id,
                    key=f"items.{item.id}.description",
                    language="en",
                    source=item.description,
                    text=ITEM_TRANSLATIONS[item.description],
                    translated_by="demo",
                )
            )
    db_session.commit()
    service.translate(
        db_session,
        actor=actor,
        document_id=persisted_id(first),
        language="en",
        settings=settings,
        store=store,
    )
    return created + len(masters) + 1
