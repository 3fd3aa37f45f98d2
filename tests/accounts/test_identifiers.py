"""Business identifiers and their check digits.

Sources: the Y-tunnus check digit rule (weights 7, 9, 10, 5, 8, 4, 2; modulus 11) as the
Finnish Patent and Registration Office (PRH) and Tax Administration publish it; the Estonian
registry code rule (weights 1-7, then 3-9, modulus 11) of the Estonian e-Business Register.
The valid examples are public register entries: Nokia Oyj 0112038-9 (YTJ) and
Bolt Technology OÜ 12417834 (e-Business Register).
"""

import pytest

from lims.accounts.identifiers import business_id_for, estonian_registry_code, finnish_business_id


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


def test_business_ids_of_other_countries_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="FI, EE"):
        business_id_for("SE", "556000-0000")
