"""Where the Finnish words of tables may break: soft hyphens at syllable boundaries.

WeasyPrint hyphenates ``hyphens: auto`` text with pyphen's dictionaries; pyphen 0.18 has
English, Swedish and Estonian but no Finnish one, and a header that may break anywhere broke
Finnish words mid-syllable without a hyphen ("Mitta/uspist/e").  The headers and the
statements in the cells ("vaatimustenmukainen") are the catalog's fixed wording, so their
breaks are listed here by hand, syllable by syllable
(Kielitoimisto's rules: a break before the consonant that starts a syllable, and at the
boundary of a compound's parts, "nimellis-arvo", never "nimelli-sarvo"); no break leaves a
single letter on a line.  tests/documents/test_typography.py fails on a long Finnish header
word missing from the list.  A listed word in the lab's own text (a label "Mittauspiste 1")
breaks at the same places.
"""

import re

SOFT_HYPHEN = "\u00ad"

#: Header words (lower case) with their breaks marked "-".
FINNISH_BREAKS = {
    word.replace("-", ""): word
    for word in (
        "ak-kre-di-toi-tu",
        "al-le-kir-joit-ta-ja",
        "al-le-kir-joi-tus",
        "an-to-päi-vä",
        "ar-von-li-sä-ve-roa",
        "asia-kir-jan",
        "asi-ak-kaan",
        "eh-dol-li-ses-ti",
        "erot-te-lu-ky-ky",
        "huo-mau-tuk-set",
        "huo-mau-tuk-sin",
        "hy-väk-syt-ty",
        "kalib-roin-ti",
        "kalib-roin-ti-to-dis-tus",
        "kalib-roi-tu",
        "kou-lut-ta-ja",
        "kou-lu-tus-oh-jel-ma",
        "laa-jen-net-tu",
        "me-ne-tel-mä",
        "mit-ta-lai-te",
        "mit-taus-alue",
        "mit-taus-ar-vo",
        "mit-taus-kel-poi-nen",
        "mit-taus-pis-te",
        "mit-taus-päi-vä",
        "ne-ga-tii-vi-set",
        "ni-mel-lis-ar-vo",
        "ni-mel-lis-ar-vol-la",
        "ni-mel-lis-ar-vos-ta",
        "ni-mit-tä-jä",
        "näyt-tä-män",
        "omi-nai-suus",
        "osal-lis-tu-nut",
        "pa-kol-li-nen",
        "poik-kea-ma",
        "päi-vä-mää-rä",
        "sal-lit-tu",
        "seu-raa-va",
        "suo-ri-tet-tu",
        "toi-mi-tus-ai-ka",
        "tois-tet-ta-vuus",
        "to-le-rans-si-ra-jat",
        "to-le-rans-sis-ta",
        "tun-nis-te",
        "tut-ki-mus-ha-jon-nan",
        "tut-ki-mus-ha-jon-nas-ta",
        "tut-ki-mus-ha-jon-ta",
        "työ-nu-me-ro",
        "työ-päi-vää",
        "vaa-ti-mus-ten-mu-kai-nen",
        "vaa-ti-mus-ten-mu-kai-suus",
        "vaa-ti-mus-ten-mu-kai-suus-lau-sun-to",
        "val-mis-ta-ja",
        "val-tuu-tet-tu",
        "va-ri-ans-si",
        "va-ri-ans-si-kom-po-nen-tit",
        "vas-taan-otet-ta-es-sa",
        "vas-taan-otet-tu",
        "vau-ri-oi-tu-nut",
        "vii-mei-nen",
        "voi-mas-sa-olo-ai-ka",
        "voi-mas-sa-olo-päi-vä",
        "yh-dis-te-tään",
        "yh-dys-vai-ku-tus",
        "yh-te-ys-hen-ki-lö",
        "yk-sik-kö-hin-ta",
        "yri-tyk-sen",
    )
}
#: A word long enough that a narrow column may have to break it.
LONG_WORD = 9

_CELL = re.compile(r"(<t[hd]\b[^>]*>)(.*?)(</t[hd]>)", re.S)
_WORD = re.compile(r"(?<![&#\w])\w+")


def hyphenated(word: str) -> str:
    """``word`` with soft hyphens where it may break, or as it is when not listed.

    >>> hyphenated("Mittauspiste").replace(SOFT_HYPHEN, "|")
    'Mit|taus|pis|te'
    >>> hyphenated("Nimellisarvo").replace(SOFT_HYPHEN, "|"), hyphenated("U")
    ('Ni|mel|lis|ar|vo', 'U')
    """
    marked = FINNISH_BREAKS.get(word.lower())
    if marked is None:
        return word
    parts, at, shown = marked.split("-"), 0, []
    for part in parts:  # keep the word's own capitals
        shown.append(word[at : at + len(part)])
        at += len(part)
    return SOFT_HYPHEN.join(shown)


def hyphenate_tables(html: str, language: str) -> str:
    """Soft hyphens in the listed Finnish words of every table cell of ``html``; other
    languages are hyphenated by WeasyPrint (``hyphens: auto``)."""
    if language != "fi":
        return html

    def cell(match: re.Match[str]) -> str:
        opening, inner, closing = match.groups()
        text = re.sub(r"(<[^>]*>)|([^<]+)", _words, inner)
        return opening + text + closing

    return _CELL.sub(cell, html)


def _words(match: re.Match[str]) -> str:
    if match.group(1):  # a tag inside the header, e.g. <sub>
        return match.group(1)
    return _WORD.sub(lambda word: hyphenated(word.group(0)), match.group(2))
