"""Human translations of a document's free text, and finding which are still missing.

A translation is stored for one subject (``job:12``, ``agreement:3``...) or for the whole
lab (``lab``: wording that recurs on every document, such as a signatory's function).  It
counts only while the Finnish text it translates is unchanged.
"""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from lims.accounts.principal import Principal
from lims.audit.trail import set_context
from lims.documents.models import FreeText, FreeTextStatus, TextTranslation
from lims.errors import InvalidInput

LAB_WIDE = "lab"


class MissingTranslations(InvalidInput):
    """A translation cannot be issued before every piece of free text has one."""

    def __init__(self, language: str, missing: list[str]) -> None:
        shown = ", ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")
        super().__init__(
            "translate the document's free text into %(language)s first; missing: %(missing)s",
            code="documents.translations_missing",
            language=language,
            missing=shown,
            location=("language",),
        )
        self.extensions = {"missing": missing}


def status(
    db_session: Session, *, subject: str, data: Mapping[str, Any], language: str
) -> FreeTextStatus:
    """Every free text of ``data`` with its translation into ``language`` (or none yet)."""
    found = _translations(db_session, subject, data, language)
    texts = [
        FreeText(key=key, source=source, translation=found.get(key))
        for key, source in data["free_text"].items()
    ]
    return FreeTextStatus(
        subject=subject,
        language=language,
        texts=texts,
        missing=[text.key for text in texts if text.translation is None],
    )


def texts_in(
    db_session: Session, *, subject: str, data: Mapping[str, Any], language: str
) -> dict[str, str]:
    """The free text of ``data`` in ``language``; refuse when any is untranslated."""
    if language == "fi":
        return dict(data["free_text"])
    found = _translations(db_session, subject, data, language)
    missing = [key for key in data["free_text"] if key not in found]
    if missing:
        raise MissingTranslations(language, missing)
    return found


def _translations(
    db_session: Session, subject: str, data: Mapping[str, Any], language: str
) -> dict[str, str]:
    sources: dict[str, str] = data["free_text"]
    known: dict[str, str] = data.get("known_translations", {}).get(language, {})
    rows = db_session.exec(
        select(TextTranslation).where(
            col(TextTranslation.subject).in_([subject, LAB_WIDE]),
            TextTranslation.language == language,
        )
    )
    stored: dict[tuple[str, str], TextTranslation] = {(r.subject, r.key): r for r in rows}
    found: dict[str, str] = {}
    for key, source in sources.items():
        for owner in (subject, LAB_WIDE):
            row = stored.get((owner, key))
            if row is not None and row.source == source:
                found[key] = row.text
                break
        else:
            if key in known:
                found[key] = known[key]
    return found


def record(
    db_session: Session,
    *,
    actor: Principal,
    subject: str,
    organisation_id: int | None,
    data: Mapping[str, Any],
    language: str,
    texts: Mapping[str, str],
    lab_wide: bool,
) -> None:
    """Store translations of free text that ``data`` holds (keys it lacks are refused)."""
    sources: dict[str, str] = data["free_text"]
    unknown = sorted(set(texts) - set(sources))
    if unknown:
        raise InvalidInput(
            "no such free text on this document: %(names)s; it has: %(value)s",
            code="documents.such_free_text_document_has",
            names=", ".join(unknown[:20]),
            value=", ".join(sources) or "none",
            location=("texts",),
        )
    empty = sorted(key for key, text in texts.items() if not text.strip())
    if empty:
        raise InvalidInput(
            "a translation may not be empty: %(empty)s",
            code="documents.translation_may_empty",
            empty=", ".join(empty),
            location=("texts",),
        )
    owner = LAB_WIDE if lab_wide else subject
    existing = {
        row.key: row
        for row in db_session.exec(
            select(TextTranslation).where(
                TextTranslation.subject == owner, TextTranslation.language == language
            )
        )
    }
    for key, text in texts.items():
        row = existing.get(key) or TextTranslation(
            subject=owner,
            organisation_id=None if lab_wide else organisation_id,
            key=key,
            language=language,
            source=sources[key],
            text=text,
            translated_by=actor.username,
        )
        row.source, row.text, row.translated_by = sources[key], text.strip(), actor.username
        db_session.add(row)
    set_context(db_session, actor.audit_context())
    db_session.commit()
