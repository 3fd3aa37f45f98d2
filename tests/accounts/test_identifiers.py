"""Business identifiers and their check digits.

Sources: the Y-tunnus check digit rule (weights 7, 9, 10, 5, 8, 4, 2; modulus 11) as the
Finnish Patent and Registration Office (PRH) and Tax Administration publish it; the Estonian
registry code rule (weights 1-7, then 3-9, modulus 11) of the Estonian e-Business Register.
The valid examples are public register entries: Nokia Oyj 0112038-9 (YTJ) and
Bolt Technology OÜ 12417834 (e-Business Register).
"""

import pytest

from lims.accounts.identifiers import (
    InvalidIdentifier,
    business_id_for,
    estonian_registry_code,
    finnish_business_id,
    finnish_vat_number,
    vat_number_for,
)


def test_finnish_business_id_of_a_registered_company_is_valid() -> None:
    assert finnish_business_id("0112038-9") == "0112038-9"


def test_finnish_business_id_with_six_digits_gets_its_leading_zero() -> None:
    assert finnish_business_id(" 112038-9 ") == "0112038-9"


@pytest.mark.parametrize("wrong", ["0112038-8", "0112038-0"])
def test_finnish_business_id_with_a_wrong_check_digit_is_refused(wrong: str) -> None:
    with pytest.raises(ValueError, match="check digit is wrong"):
        finnish_business_id(wrong)


def test_finnish_business_id_whose_remainder_is_one_is_never_valid() -> None:
    # 0000006: the weighted sum 6 x 2 = 12 leaves remainder 1, which no check digit answers.
    with pytest.raises(ValueError, match="no check digit fits"):
        finnish_business_id("0000006-0")


@pytest.mark.parametrize("malformed", ["", "0112038", "0112038-", "O112038-9", "01120389", "1-1"])
def test_malformed_finnish_business_id_is_refused(malformed: str) -> None:
    with pytest.raises(ValueError, match="seven digits"):
        finnish_business_id(malformed)


def test_estonian_registry_code_of_a_registered_company_is_valid() -> None:
    assert estonian_registry_code("12417834") == "12417834"


def test_estonian_registry_code_needing_the_second_weights_is_valid() -> None:
    # 1000035: weights 1..7 give 1 + 18 + 35 = 54, remainder 10; weights 3..9 give
    # 3 + 24 + 45 = 72, remainder 6.
    assert estonian_registry_code("10000356") == "10000356"


@pytest.mark.parametrize("wrong", ["12417835", "10000357"])
def test_estonian_registry_code_with_a_wrong_check_digit_is_refused(wrong: str) -> None:
    with pytest.raises(ValueError, match="check digit is wrong"):
        estonian_registry_code(wrong)


@pytest.mark.parametrize("malformed", ["", "1241783", "124178345", "1241783a"])
def test_malformed_estonian_registry_code_is_refused(malformed: str) -> None:
    with pytest.raises(ValueError, match="eight digits"):
        estonian_registry_code(malformed)


def test_registry_ids_of_other_countries_are_kept_as_given_with_spaces_tidied() -> None:
    # #33: a Swedish or Norwegian company is a customer too; its registry id has no offline
    # check here, only a bound on its characters and length.
    assert business_id_for("SE", " 556000-0000 ") == "556000-0000"
    assert business_id_for("NO", "923  609 016") == "923 609 016"


@pytest.mark.parametrize("hostile", ["", "<b>x</b>", "../etc", "x" * 33, "a\x00b", "--"])
def test_hostile_or_huge_registry_ids_are_refused(hostile: str) -> None:
    with pytest.raises(InvalidIdentifier, match="registry id"):
        business_id_for("NO", hostile)


@pytest.mark.parametrize(
    ("country", "given", "canonical"),
    [
        ("FI", "FI 0112 0389", "FI01120389"),  # the Y-tunnus 0112038-9 without its hyphen
        ("EE", "ee100000007", "EE100000007"),  # 3+0+0+0+0+0+0+0+7 = 10: a multiple of ten
        ("SE", "SE556000000001", "SE556000000001"),
        ("DE", "DE123456789", "DE123456789"),
        ("NL", "NL123456789B01", "NL123456789B01"),
        ("GR", "EL123456789", "EL123456789"),  # Greece's VAT prefix is EL
        ("IE", "IE1234567WA", "IE1234567WA"),
    ],
)
def test_vat_numbers_of_member_states_in_their_formats(
    country: str, given: str, canonical: str
) -> None:
    assert vat_number_for(country, given) == canonical


@pytest.mark.parametrize(
    ("country", "given", "fault"),
    [
        ("FI", "FI01120388", "check_digit"),  # 0112038-8: the Y-tunnus check digit is 9
        ("EE", "EE100000008", "check_digit"),  # weighted sum 3 + 8 = 11: not a multiple of ten
        ("EE", "EE10000000", "format"),  # eight digits, not nine
        ("SE", "SE1234567890", "format"),  # Swedish numbers end in 01
        ("DE", "DE12345678", "format"),  # nine digits
        ("FR", "FR1234567890", "format"),  # two characters and nine digits
        ("NL", "NL123456789001", "format"),  # B before the last two digits
        ("AT", "AT12345678", "format"),  # U and eight digits
        ("GR", "GR123456789", "prefix"),
        ("DE", "FI01120389", "prefix"),
        ("NO", "NO923609016MVA", "not_eu"),
        ("DE", "DE<script>", "format"),
    ],
)
def test_malformed_vat_numbers_are_refused_with_their_fault(
    country: str, given: str, fault: str
) -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        vat_number_for(country, given)
    assert refused.value.fault == fault


def test_a_finnish_vat_number_is_fi_and_the_y_tunnus_digits() -> None:
    assert finnish_vat_number("1234567-1") == "FI12345671"
