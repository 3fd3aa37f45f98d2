"""The UI's message catalogs: complete in Finnish and English, and up to date with the code.

A page shows a msgid when its translation is missing, so an English word in a Finnish page
would pass unnoticed; these tests name every such entry instead.  After changing texts, run
``make messages`` and translate what it adds.
"""

import re

import pytest
from babel.messages import extract, frontend
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from lims import i18n
from tests.conftest import REPOSITORY_ROOT


def catalog(language: str) -> Catalog:
    with i18n.catalog_path("ui", language).open("rb") as source:
        return read_po(source, locale=language, domain="ui")


def messages_in_sources() -> set[str]:
    """The msgids ``make messages`` would extract (babel/ui.cfg, keywords _ and N_)."""
    with (REPOSITORY_ROOT / "babel" / "ui.cfg").open() as mapping:
        method_map, options_map = frontend.parse_mapping_cfg(mapping)
    keywords = {**extract.DEFAULT_KEYWORDS, "N_": None}
    found = extract.extract_from_dir(
        str(REPOSITORY_ROOT), method_map, options_map, keywords=keywords
    )
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


# Estonian is complete for the customer portal only (tests/test_i18n.py checks that part);
# a staff screen reads in English there.
@pytest.mark.parametrize("language", [code for code in i18n.UI_LANGUAGES if code != "et"])
def test_every_message_is_translated(language: str) -> None:
    messages = [message for message in catalog(language) if message.id]
    assert messages, f"the {language} ui catalog is empty"
    untranslated = [message.id for message in messages if not message.string]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_english_says_what_the_message_ids_say() -> None:
    different = [m.id for m in catalog("en") if m.id and m.string != m.id]
    assert different == []


@pytest.mark.parametrize("language", i18n.UI_LANGUAGES)
def test_catalogs_hold_every_message_of_the_sources(language: str) -> None:
    in_catalog = {message.id for message in catalog(language) if message.id}
    assert sorted(messages_in_sources() - in_catalog) == []


@pytest.mark.parametrize("language", i18n.UI_LANGUAGES)
def test_translations_format_with_the_ids_placeholders(language: str) -> None:
    # Jinja's new-style gettext always applies %: a translation that drops or renames a
    # %(name)s, or holds a bare %, fails when its page is rendered.
    broken = []
    for message in catalog(language):
        if not message.id:
            continue
        names = dict.fromkeys(re.findall(r"%\((\w+)\)s", message.id), "x")
        try:
            message.string % names
        except (KeyError, ValueError, TypeError):
            broken.append(message.id)
    assert broken == []
