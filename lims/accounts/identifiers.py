"""Business identifiers of Finnish and Estonian organisations, with their check digits.

Pure functions; each returns the identifier in its canonical form or raises ``ValueError``
with a sentence saying what is wrong.
"""

import re

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
        raise ValueError("a Finnish business ID (Y-tunnus) is seven digits, a hyphen and a digit")
    body = match.group(1).zfill(7)
    remainder = sum(int(d) * w for d, w in zip(body, _Y_TUNNUS_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        raise ValueError(f"{text.strip()} is not a Finnish business ID: no check digit fits")
    expected = 0 if remainder == 0 else 11 - remainder
    if int(match.group(2)) != expected:
        raise ValueError(f"{text.strip()} is not a Finnish business ID: the check digit is wrong")
    return f"{body}-{expected}"


def estonian_registry_code(text: str) -> str:
    """Check an Estonian registry code (registrikood).

    >>> estonian_registry_code("12417834")
    '12417834'
    """
    code = text.strip()
    if not _REGISTRY_CODE.fullmatch(code):
        raise ValueError("an Estonian registry code is eight digits")
    digits = [int(d) for d in code[:7]]
    check = sum(d * w for d, w in zip(digits, range(1, 8), strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, range(3, 10), strict=True)) % 11
    if check == 10:
        check = 0
    if int(code[7]) != check:
        raise ValueError(f"{code} is not an Estonian registry code: the check digit is wrong")
    return code


VALIDATORS = {"FI": finnish_business_id, "EE": estonian_registry_code}


def business_id_for(country: str, text: str) -> str:
    """Validate ``text`` as the business identifier of ``country`` (FI or EE)."""
    try:
        validate = VALIDATORS[country]
    except KeyError:
        raise ValueError(
            f"business identifiers can be checked for {', '.join(VALIDATORS)}; "
            f"got country {country}"
        ) from None
    return validate(text)
