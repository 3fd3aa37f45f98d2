"""The message catalogs are complete: every message the sources use has a translation in
every supported language, with the same placeholders."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lims.i18n import LANGUAGES, UI_LANGUAGES, catalog_path, gettext, translations

REPOSITORY = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%")
DOMAIN_LANGUAGES = {"documents": LANGUAGES, "ui": UI_LANGUAGES}


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


def test_finnish_is_the_master_and_formats_as_finnish() -> None:
    """The fixed wording of a certificate comes from the Finnish catalog."""
    assert gettext("documents", "fi", "Calibration certificate") == "Kalibrointitodistus"
    assert gettext("documents", "en", "Calibration certificate") == "Calibration certificate"


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="no 'documents' catalog in 'de'"):
        translations("documents", "de")
