"""A refusal in the reader's language: its template from the ``problems`` catalog, its
parameters written as that language writes them.

A refusal (:class:`lims.errors.LimsError`, the engine's ``UncertaintyInputError``) keeps
its English template and its parameters; the API and the web UI word it for whoever reads
it.  Numbers keep the digits the English text shows and take the language's decimal sign
(0,5 µm in Finnish and Swedish), dates are written by Babel, and text (a job number, an
equipment code) is shown as it is.  A template the catalog has no translation for reads in
English, whole, rather than half translated.
"""

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Protocol

from babel.core import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import get_decimal_symbol, get_minus_sign_symbol

from lims import i18n

DOMAIN = "problems"
#: What an API client reads when it asks for no language (or one the service does not speak).
DEFAULT_LANGUAGE = "en"
#: Babel locale of each language a refusal is worded in (as the web UI's: Finland's Swedish,
#: British English dates).
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB", "et": "et_EE"}
#: Parameters whose value is words of the catalog (or a list of them, separated by ", "), e.g.
#: ``doing="add items"`` or the roles that may: translated with the template that takes them.
PHRASES = frozenset(
    {"doing", "activity", "activity_words", "allowed", "named_as", "looks_like", "kinds"}
    | {"status", "step", "options"}
    | {"questions"}
)
_PLACEHOLDER = re.compile(r"%%|%\((?P<name>\w+)\)(?P<spec>[-#0 +]*\d*(?:\.\d+)?[a-zA-Z])")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_WORD = re.compile(r"[^\W\d_]")


class Refusal(Protocol):
    """A refusal worded from a template: a LimsError, or the uncertainty engine's error."""

    template: str
    params: dict[str, object]
    message: str


def localized(error: Refusal, language: str) -> str:
    """``error``'s message in ``language`` (English when the catalog lacks it)."""
    return localized_text(error.template, error.params, language, english=error.message)


def localized_text(
    template: str, params: Mapping[str, object], language: str, *, english: str | None = None
) -> str:
    """``template`` translated into ``language`` with ``params`` written in it.

    ``english`` is the text to fall back on (the template filled as Python fills it)."""
    fallback = english if english is not None else _english(template, params)
    if language not in LOCALES or language == DEFAULT_LANGUAGE:
        return fallback
    translated = i18n.gettext(DOMAIN, language, template)
    if translated == template and _WORD.search(_PLACEHOLDER.sub("", template)):
        # Untranslated; a template that is only its parameters ("%(reason)s") has no words
        # of its own to translate, and its reason is still worded in the language.
        return fallback
    locale = Locale.parse(LOCALES[language])

    def fill(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        name = match.group("name")
        value = params[name]
        worded = _worded(value)
        if worded is not None:  # a Reason (or a refusal) given as a parameter
            return localized_text(worded[0], worded[1], language, english=str(value))
        if name in PHRASES and isinstance(value, str):
            value = ", ".join(i18n.gettext(DOMAIN, language, part) for part in value.split(", "))
        return written(value, match.group("spec"), locale)

    try:
        return _PLACEHOLDER.sub(fill, translated)
    except (KeyError, TypeError, ValueError):
        # A translation naming a parameter the refusal lacks: the English is still right.
        return fallback


def localized_warnings(warnings: Iterable[str], language: str) -> list[str]:
    """Warnings in ``language``: each that keeps the template it was worded from (the
    uncertainty engine's :class:`lims.uncertainty.warning_text.WarningText`) translated, any
    other as it is."""
    answer = []
    for warning in warnings:
        worded = _worded(warning)
        english = str(warning)
        answer.append(
            english if worded is None else localized_text(*worded, language, english=english)
        )
    return answer


def recognised(text: str, templates: Iterable[str]) -> tuple[str, dict[str, object]] | None:
    """The template of ``templates`` that ``text`` is filled from, with its parameters read
    back (numbers as numbers, text as text), or None when it is none of them.

    For English stored as it was worded (a record keeps its text, not its template):
    ``localized_text(*recognised(stored, TEMPLATES), language)`` words it again.
    """
    for template in templates:
        found = _pattern(template).fullmatch(text)
        if found is not None:
            return template, {
                name: _read_back(value, _spec_of(template, name))
                for name, value in found.groupdict().items()
            }
    return None


_NUMBER_TEXT = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:inf|nan)"


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """A regular expression that reads ``template``'s parameters back from its English."""
    parts, seen, end = [], set(), 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[end : match.start()]))
        end = match.end()
        name = match.group("name")
        if name is None:
            parts.append("%")
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            kind = match.group("spec")[-1]
            parts.append(f"(?P<{name}>{_NUMBER_TEXT if kind in 'deEfFgGi' else '.+?'})")
    parts.append(re.escape(template[end:]))
    return re.compile("".join(parts), re.DOTALL)


def _spec_of(template: str, name: str) -> str:
    return next(m.group("spec") for m in _PLACEHOLDER.finditer(template) if m.group("name") == name)


def _read_back(text: str, spec: str) -> object:
    if spec[-1] in "di":
        return int(text)
    if spec[-1] in "eEfFgG":
        return float(text)
    return text


def _worded(value: object) -> tuple[str, Mapping[str, object]] | None:
    """The template and parameters of a parameter worded from the catalog itself (a
    :class:`lims.reasons.Reason`, or a refusal passed on as another's reason)."""
    template = getattr(value, "template", None)
    params = getattr(value, "params", None)
    if isinstance(template, str) and isinstance(params, Mapping):
        return template, params
    return None


def _english(template: str, params: Mapping[str, object]) -> str:
    return template % params if params else template


def written(value: object, spec: str, locale: Locale) -> str:
    """One parameter as ``locale`` writes it; ``spec`` is its %-conversion (``s``, ``.3f``)."""
    if isinstance(value, datetime):
        return format_datetime(value, format="short", locale=locale)
    if isinstance(value, date):
        return format_date(value, format="medium", locale=locale)
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(written(item, "s", locale) for item in value)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return ("%" + spec) % (value,) if spec[-1] in "sr" else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    english = ("%" + spec) % (value,)
    if not _NUMBER.fullmatch(english):
        return english
    # The digits the English text shows, with this language's decimal sign and minus.
    text = english.replace(".", get_decimal_symbol(locale))
    return text.replace("-", get_minus_sign_symbol(locale), 1)


def negotiated_language(accept_language: str | None) -> str:
    """The first language of an ``Accept-Language`` header a refusal can be worded in."""
    preferences = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, weighed, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if weighed else 1.0
        except ValueError:
            continue
        language = tag.split("-")[0].strip().lower()
        if weight > 0 and language in LOCALES:
            preferences.append((-weight, position, language))
    return min(preferences)[2] if preferences else DEFAULT_LANGUAGE


def json_params(params: Mapping[str, object]) -> dict[str, object]:
    """The parameters as JSON carries them: numbers and text as they are, dates in ISO 8601,
    anything else as its text."""
    return {name: _json_value(value) for name, value in params.items()}


def _json_value(value: object) -> object:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(item) for item in value]
    return str(value)
