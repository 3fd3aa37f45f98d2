"""Message catalogs (gettext, Babel) shared by the documents and the web UI.

The ``.po`` files live in the repository under ``lims/locale/<language>/LC_MESSAGES/`` with
one domain per audience: ``documents`` (certificates and reports), ``ui`` (the web UI) and
``problems`` (the refusals the service raises, :mod:`lims.problem_text`).
A catalog is compiled in memory the first time it is used (Babel's own compiler), so a
source checkout, an editable install and a wheel all behave the same and no compiled ``.mo``
file can go stale beside its ``.po``.  ``tests/test_i18n.py`` fails when any message lacks a
translation in any supported language.

Finnish is the master language: documents are issued in Finnish first.  Message ids are
English, so English needs no catalog entries of its own; its catalog exists so that a
missing English wording is caught like any other.
"""

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
MASTER_LANGUAGE = "fi"
#: The languages documents and the UI are written in; the first is the master.
LANGUAGES = ("fi", "en", "sv", "et")
DOMAINS = ("documents", "ui", "problems")
#: The web UI speaks Finnish, Swedish, English and Estonian (a user's language otherwise
#: falls back to English), in this order on the language switch.  Estonian covers what a
#: customer sees (the customer portal); a staff screen not yet translated reads in English.
UI_LANGUAGES = ("fi", "sv", "en", "et")


def N_(message: str) -> str:
    """Mark ``message`` for extraction (``make messages``); it is translated where shown."""
    return message


def catalog_path(domain: str, language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


@lru_cache(maxsize=16)
def translations(domain: str, language: str) -> Translations:
    """The compiled catalog of ``domain`` in ``language`` (fuzzy entries are not used)."""
    if language not in LANGUAGES or domain not in DOMAINS:
        raise ValueError(f"no {domain!r} catalog in {language!r}; languages: {LANGUAGES}")
    path = catalog_path(domain, language)
    if not path.exists():
        return Translations(domain=domain)
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def gettext(domain: str, language: str, message: str) -> str:
    return translations(domain, language).gettext(message)
