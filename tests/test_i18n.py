"""The message catalogs are complete: every message the sources use has a translation in
every supported language, with the same placeholders.  The web UI's Estonian covers the
customer portal, every screen a customer sees (``PORTAL_TEMPLATES``, ``PORTAL_MODULES``); a
staff screen not yet translated reads in English there, as gettext falls back to the msgid."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from lims.i18n import LANGUAGES, UI_LANGUAGES, catalog_path, gettext, translations

REPOSITORY = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%")
#: Estonian is complete for the customer portal only (test below), not for staff screens.
PORTAL_ONLY = "et"
DOMAIN_LANGUAGES = {
    "documents": LANGUAGES,
    "ui": tuple(language for language in UI_LANGUAGES if language != PORTAL_ONLY),
}
#: What a customer sees: login, start page, jobs, documents, instruments (the customer's
#: page), quotations and requests, orders, agreements and their acceptance, comparisons,
#: prices and the scope, search, the account, the verification page, errors.
PORTAL_TEMPLATES = [
    "base.html",
    "login.html",
    "index.html",
    "_work.html",
    "job_board.html",
    "job_detail.html",
    "job_new.html",
    "_job_documents.html",
    "document_list.html",
    "document_detail.html",
    "quotation_list.html",
    "quotation_detail.html",
    "order_list.html",
    "order_detail.html",
    "agreement_list.html",
    "agreement_detail.html",
    "_agreement_terms.html",
    "comparison_job.html",
    "comparison_company.html",
    "account.html",
    "_api_tokens.html",
    "customer_detail.html",
    "_macros.html",
    "_language_switch.html",
    "error.html",
    "scope.html",
    "price_list.html",
    "prices.html",
    "_calibration_status.html",
    "_organisation_fields.html",
    "search.html",
    "verify.html",
]
PORTAL_MODULES = [
    "lims/labels.py",
    *(
        f"lims/ui/{name}.py"
        for name in ("navigation", "first_steps", "customers", "agreements", "search")
    ),
]


def _method_map(domain: str) -> list[tuple[str, str]]:
    """The extraction map of babel/<domain>.cfg, as Babel's extractor takes it."""
    sections = re.findall(
        r"^\[(\w+):\s*(.+?)\]", (REPOSITORY / "babel" / f"{domain}.cfg").read_text(), re.M
    )
    return [(pattern, method) for method, pattern in sections]


def _messages_in_sources(domain: str) -> Iterator[str]:
    for _, _, message, _, _ in extract_from_dir(
        REPOSITORY,
        method_map=_method_map(domain),
        keywords={"_": None, "N_": None, "gettext": None},
    ):
        if isinstance(message, tuple):
            yield from (part for part in message if part)
        elif message:
            yield message


@pytest.mark.parametrize(
    ("domain", "language"),
    [
        (domain, language)
        for domain, languages in DOMAIN_LANGUAGES.items()
        for language in languages
    ],
)
def test_every_message_has_a_translation(domain: str, language: str) -> None:
    path = catalog_path(domain, language)
    assert path.exists(), f"{path} is missing: run `make messages`"
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    used = set(_messages_in_sources(domain))
    assert used, f"no messages found for {domain}"
    untranslated = sorted(
        message
        for message in used
        if message not in catalog or not catalog[message].string or catalog[message].fuzzy
    )
    assert not untranslated, f"{domain}/{language} lacks: {untranslated[:10]}"
    for message in used:
        translated = catalog[message].string
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(message)), (
            f"{domain}/{language}: placeholders differ in {message!r}"
        )


def _portal_messages() -> Iterator[str]:
    keywords = {"_": None, "N_": None, "gettext": None}
    sources = [("jinja2", f"templates/ui/{name}") for name in PORTAL_TEMPLATES]
    sources += [("python", path) for path in PORTAL_MODULES]
    for method, path in sources:
        for _, message, _, _ in extract_from_file(method, REPOSITORY / path, keywords=keywords):
            yield from (part for part in (message if isinstance(message, tuple) else (message,)))


def test_the_customer_portal_is_translated_into_estonian() -> None:
    with catalog_path("ui", PORTAL_ONLY).open("rb") as source:
        catalog = read_po(source, locale=PORTAL_ONLY)
    used = {message for message in _portal_messages() if message}
    untranslated = sorted(
        message for message in used if message not in catalog or not catalog[message].string
    )
    assert not untranslated, f"ui/et lacks: {untranslated[:10]}"
    for message in used:
        translated = catalog[message].string
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(message))
    assert gettext("ui", "et", "Calibration certificate") == "Kalibreerimistunnistus"


def test_finnish_is_the_master_and_formats_as_finnish() -> None:
    """The fixed wording of a certificate comes from the Finnish catalog."""
    assert gettext("documents", "fi", "Calibration certificate") == "Kalibrointitodistus"
    assert gettext("documents", "en", "Calibration certificate") == "Calibration certificate"


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="no 'documents' catalog in 'de'"):
        translations("documents", "de")
