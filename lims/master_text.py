"""Master data in Finnish with optional translations: method titles and references,
equipment names, characteristic labels.

The record's own field is the Finnish master text; ``translations`` holds the lab's own
wording of it in the other document languages, as ``{language: {field: text}}``.  A
translated document prints the translation and, where the lab gave none, the master text:
much master data (a reference such as "ISO 3650", a label such as "25 mm") reads the same in
every language.
"""

from collections.abc import Mapping

from lims.i18n import LANGUAGES, MASTER_LANGUAGE

#: The languages a master text may be translated into.
TRANSLATION_LANGUAGES = tuple(language for language in LANGUAGES if language != MASTER_LANGUAGE)

Translations = dict[str, dict[str, str]]


def checked(translations: Translations, fields: Mapping[str, int]) -> Translations:
    """``translations`` trimmed, refused (ValueError, so a 422) when a language or field is
    not one it may have, or a text is empty or longer than its field allows.

    >>> checked({"en": {"name": " Gauge block "}, "sv": {}}, {"name": 200})
    {'en': {'name': 'Gauge block'}}
    """
    clean: Translations = {}
    for language, texts in translations.items():
        if language not in TRANSLATION_LANGUAGES:
            raise ValueError(
                f"no translations into {language!r}: the master is Finnish and the "
                f"translations are in {', '.join(TRANSLATION_LANGUAGES)}"
            )
        for field, text in texts.items():
            if field not in fields:
                raise ValueError(
                    f"{field!r} has no translation; translatable: {', '.join(sorted(fields))}"
                )
            stripped = text.strip()
            if not stripped:
                raise ValueError(f"the {language} translation of {field!r} is empty")
            if len(stripped) > fields[field]:
                raise ValueError(
                    f"the {language} translation of {field!r} is longer than "
                    f"{fields[field]} characters"
                )
            clean.setdefault(language, {})[field] = stripped
    return clean


def in_language(
    translations: Translations | None, language: str, field: str, master: str | None
) -> str | None:
    """The text of ``field`` in ``language``: its translation, else the Finnish master.

    >>> in_language({"en": {"name": "Gauge block"}}, "en", "name", "Mittapala")
    'Gauge block'
    >>> in_language({"en": {"name": "Gauge block"}}, "sv", "name", "Mittapala")
    'Mittapala'
    """
    return (translations or {}).get(language, {}).get(field) or master
