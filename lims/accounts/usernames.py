"""Usernames: one spelling per person, and none that passes for another's.

Creation and login both go through ``normalise``, so ``Admin``, ``admin `` and the fullwidth
``admin`` (U+FF41 …) are all ``admin``.  A new username is then held to the lab's alphabet:
letters of the Latin script (Finnish and Estonian ä, ö, å, õ, š, ž included), digits and
``. _ -``.  A name mixing scripts (a Cyrillic U+0430 among Latin letters), or carrying invisible
characters (zero-width space, controls), is refused with a sentence saying which character,
and so is one whose confusable skeleton equals an existing user's (``rnaija`` beside
``maija``), so an audit entry cannot appear to come from someone it does not.
"""

import re
import unicodedata

from lims.reasons import Reason

MAX_USERNAME_LENGTH = 64
_PUNCTUATION = frozenset("._-")
# Unicode general categories no username may contain: format characters (U+200B and the
# other zero-width and direction marks), controls, unassigned and private-use code points,
# and separators (a space inside a name).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cn", "Co", "Cs", "Zs", "Zl", "Zp"})
# The prototypes of UTS #39's confusables.txt that can arise inside the alphabet above once a
# name is lower-cased: a digit or a pair of letters that reads as another letter.  Other
# scripts are refused outright, so their confusables never reach this comparison.
_LATIN_CONFUSABLES = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"))


def normalise(username: str) -> str:
    """The canonical spelling: NFKC, lower case, no surrounding blanks."""
    return unicodedata.normalize("NFKC", username).strip().lower()


def _script(character: str) -> str:
    # The first word of a letter's Unicode name is its script (LATIN, CYRILLIC, GREEK, …);
    # the standard library has no Script property, and letters are all this needs.
    return unicodedata.name(character, "UNKNOWN").split(" ", 1)[0]


def problem_with(username: str) -> Reason | None:
    """Why a normalised ``username`` may not be created, or None when it may.  A character
    is named by its code point and Unicode name (LATIN SMALL LETTER A), the same in every
    language."""
    if not 2 <= len(username) <= MAX_USERNAME_LENGTH:
        return Reason("a username has 2 to %(most)s characters", most=MAX_USERNAME_LENGTH)
    for character in username:
        if unicodedata.category(character) in _INVISIBLE_CATEGORIES:
            return Reason(
                "a username may not contain invisible characters or spaces (%(character)s)",
                character=f"U+{ord(character):04X} {unicodedata.name(character, '')}".strip(),
            )
    scripts = sorted({_script(c) for c in username if c.isalpha()})
    if len(scripts) > 1:
        return Reason(
            "a username is written in one script; this one mixes %(scripts)s",
            scripts=", ".join(scripts),
        )
    for character in username:
        allowed = character in _PUNCTUATION or (character.isdigit() and character.isascii())
        if not allowed and not (character.isalpha() and _script(character) == "LATIN"):
            return Reason(
                "a username has Latin letters, digits and . _ - only, not %(character)r (%(name)s)",
                character=character,
                name=unicodedata.name(character, f"U+{ord(character):04X}"),
            )
    if not username[0].isalnum():
        return Reason("a username starts with a letter or a digit")
    return None


def skeleton(username: str) -> str:
    """What ``username`` looks like to a reader: two names with one skeleton are confusable."""
    shape = unicodedata.normalize("NFD", username)
    for lookalike, prototype in _LATIN_CONFUSABLES:
        shape = shape.replace(lookalike, prototype)
    # Not from UTS #39: in an audit list ``m.virtanen`` and ``m_virtanen`` are one person to
    # the eye, so the separators count as one.
    return unicodedata.normalize("NFC", re.sub(r"[._-]", ".", shape))
