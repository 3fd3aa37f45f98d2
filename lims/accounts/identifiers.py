"""Business identifiers of Finnish and Estonian organisations, with their check digits, and
VAT numbers of the EU member states in their formats.

Pure functions; each returns the identifier in its canonical form or raises
``InvalidIdentifier`` (a ``ValueError``) with a sentence saying what is wrong and its fault.
"""

import re
from typing import Literal

Fault = Literal["format", "check_digit", "prefix", "not_eu"]


class InvalidIdentifier(ValueError):
    """What is wrong, as a sentence and as a fault a caller words in the reader's language."""

    def __init__(self, message: str, fault: Fault) -> None:
        super().__init__(message)
        self.fault: Fault = fault


# Finnish business ID (Y-tunnus): seven digits, a hyphen, a check digit (weights 7 9 10 5 8 4 2,
# modulus 11; remainder 0 gives 0, remainder 1 is never issued, otherwise 11 - remainder).
_Y_TUNNUS = re.compile(r"(\d{6,7})-(\d)")
_Y_TUNNUS_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)

# Estonian registry code (registrikood): eight digits, the last a modulus-11 check digit with
# weights 1..7, or, when that gives 10, weights 3..9; a second 10 gives 0.
_REGISTRY_CODE = re.compile(r"\d{8}")


def finnish_business_id(text: str) -> str:
    """Check a Y-tunnus and return it with seven digits.

    >>> finnish_business_id("0112038-9")
    '0112038-9'
    >>> finnish_business_id("112038-9")
    '0112038-9'
    """
    match = _Y_TUNNUS.fullmatch(text.strip())
    if not match:
        raise InvalidIdentifier(
            "a Finnish business ID (Y-tunnus) is seven digits, a hyphen and a digit", "format"
        )
    body = match.group(1).zfill(7)
    remainder = sum(int(d) * w for d, w in zip(body, _Y_TUNNUS_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        raise InvalidIdentifier(
            f"{text.strip()} is not a Finnish business ID: no check digit fits", "check_digit"
        )
    expected = 0 if remainder == 0 else 11 - remainder
    if int(match.group(2)) != expected:
        raise InvalidIdentifier(
            f"{text.strip()} is not a Finnish business ID: the check digit is wrong",
            "check_digit",
        )
    return f"{body}-{expected}"


def estonian_registry_code(text: str) -> str:
    """Check an Estonian registry code (registrikood).

    >>> estonian_registry_code("12417834")
    '12417834'
    """
    code = text.strip()
    if not _REGISTRY_CODE.fullmatch(code):
        raise InvalidIdentifier("an Estonian registry code is eight digits", "format")
    digits = [int(d) for d in code[:7]]
    check = sum(d * w for d, w in zip(digits, range(1, 8), strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, range(3, 10), strict=True)) % 11
    if check == 10:
        check = 0
    if int(code[7]) != check:
        raise InvalidIdentifier(
            f"{code} is not an Estonian registry code: the check digit is wrong", "check_digit"
        )
    return code


VALIDATORS = {"FI": finnish_business_id, "EE": estonian_registry_code}

# The VAT number after its prefix, per member state, as the Commission's VIES describes the
# formats (Greece's prefix is EL).  Checked offline: a number of the right form may still be
# unregistered, which only VIES can tell.
VAT_PREFIXES = {"GR": "EL"}
_VAT_FORMATS = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W]",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"[1-9]\d{1,9}",
    "SE": r"\d{10}01",
    "SI": r"[1-9]\d{7}",
    "SK": r"\d{10}",
}
VAT_FORMATS = {prefix: re.compile(pattern) for prefix, pattern in _VAT_FORMATS.items()}
_SEPARATORS = re.compile(r"[\s.\-]")
# Estonian VAT number (KMKR): nine digits whose weighted sum (weights 3 7 1 repeated) is a
# multiple of ten, as python-stdnum's stdnum.ee.kmkr checks it.
_KMKR_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


def vat_prefix(country: str) -> str:
    return VAT_PREFIXES.get(country, country)


def vat_number_for(country: str, text: str) -> str:
    """Check an EU VAT number of ``country`` and return it without separators.

    >>> vat_number_for("FI", "FI 0112 0389")
    'FI01120389'
    >>> vat_number_for("EE", "ee100000007")
    'EE100000007'
    """
    prefix = vat_prefix(country)
    pattern = VAT_FORMATS.get(prefix)
    if pattern is None:
        raise InvalidIdentifier(
            f"{country} is not a member state of the EU: it has no EU VAT number", "not_eu"
        )
    number = _SEPARATORS.sub("", text).upper()
    if not number.startswith(prefix):
        raise InvalidIdentifier(f"a VAT number of {country} starts with {prefix}", "prefix")
    body = number[len(prefix) :]
    if not pattern.fullmatch(body):
        raise InvalidIdentifier(
            f"{number} is not in the format of {country}'s VAT numbers", "format"
        )
    if prefix == "FI":
        # The Finnish VAT number is the Y-tunnus without its hyphen.
        finnish_business_id(f"{body[:7]}-{body[7]}")
    if prefix == "EE" and sum(int(d) * w for d, w in zip(body, _KMKR_WEIGHTS, strict=True)) % 10:
        raise InvalidIdentifier(
            f"{number} is not an Estonian VAT number: the check digit is wrong", "check_digit"
        )
    return number


def finnish_vat_number(business_id: str) -> str:
    """The VAT number of a Finnish business registered for VAT: FI and the Y-tunnus digits.

    >>> finnish_vat_number("0112038-9")
    'FI01120389'
    """
    return "FI" + business_id.replace("-", "")


def business_id_for(country: str, text: str) -> str:
    """Validate ``text`` as the business identifier of ``country``: a Y-tunnus in Finland, a
    registry code in Estonia, elsewhere the registry id as the customer gives it (letters,
    digits and the usual separators; the lab has no offline check for it).

    >>> business_id_for("NO", " 923 609 016 MVA ")
    '923 609 016 MVA'
    """
    validate = VALIDATORS.get(country)
    if validate is not None:
        return validate(text)
    registry_id = " ".join(text.split())
    if not _FREE_REGISTRY_ID.fullmatch(registry_id):
        raise InvalidIdentifier(
            "a registry id is letters, digits, spaces and . - / (at most 32)", "format"
        )
    return registry_id


_FREE_REGISTRY_ID = re.compile(r"[\w][\w .\-/]{0,31}")
