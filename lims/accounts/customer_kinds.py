"""What each kind of customer is identified by, checked before it is registered or changed.

- A company or a research organisation (or public body) in Finland has a Y-tunnus, in
  Estonia a registry code, each with its check digit.
- A company in another EU member state is identified by its VAT number, in that member
  state's format; a research organisation there may have none (a public body not
  registered for VAT).  Its registry id may be given as free text.
- A company outside the EU gives its own registry id (free text, no offline check); a
  research organisation there may give one.
- A VAT number, wherever given, is an EU VAT number of the customer's own country; a
  Finnish one is FI and the Y-tunnus digits, derived when the customer is VAT-registered.
- A private person has neither: a name, an address, an e-mail and a language are all the
  work needs.

Every refusal names its field (``location``) and is worded in the reader's language.
"""

from dataclasses import dataclass

from lims.accounts import identifiers
from lims.accounts.countries import COUNTRIES, EU_MEMBER_STATES
from lims.accounts.identifiers import InvalidIdentifier
from lims.accounts.models import CustomerKind
from lims.errors import InvalidInput


@dataclass(frozen=True)
class Identity:
    """A customer's country and identifiers in their canonical forms."""

    country: str
    business_id: str | None
    vat_number: str | None


def checked_country(country: str) -> str:
    code = country.strip().upper()
    if code not in COUNTRIES:
        raise InvalidInput(
            "%(country)s is not a country code of ISO 3166-1 (two letters, e.g. FI, SE, NO)",
            code="accounts.country_unknown",
            country=country,
            location=("country",),
        )
    return code


def identity_of(
    kind: CustomerKind,
    country: str,
    business_id: str | None,
    vat_number: str | None,
    *,
    vat_registered: bool = False,
) -> Identity:
    """The customer's identifiers, checked for its kind and country."""
    code = checked_country(country)
    if kind == CustomerKind.PERSON:
        _refuse_person_identifiers(business_id, vat_number or vat_registered)
        return Identity(code, None, None)
    checked_business_id = None
    if business_id:
        checked_business_id = _checked_business_id(code, business_id)
    else:
        _refuse_missing_business_id(kind, code)
    checked_vat = _checked_vat_number(code, vat_number) if vat_number else None
    if code == "FI" and checked_business_id is not None:
        derived = identifiers.finnish_vat_number(checked_business_id)
        if checked_vat is not None and checked_vat != derived:
            raise InvalidInput(
                "a Finnish VAT number is FI and the digits of the Y-tunnus: %(expected)s",
                code="accounts.vat_number_not_business_id",
                expected=derived,
                location=("vat_number",),
            )
        if vat_registered:
            checked_vat = derived
    if vat_registered and checked_vat is None:
        raise InvalidInput(
            "give the VAT number of a customer registered for VAT",
            code="accounts.vat_number_missing",
            location=("vat_number",),
        )
    if (
        kind == CustomerKind.COMPANY
        and code in EU_MEMBER_STATES
        and code not in identifiers.VALIDATORS
        and checked_vat is None
    ):
        raise InvalidInput(
            "a company in another EU member state is identified by its VAT number",
            code="accounts.vat_number_required",
            location=("vat_number",),
        )
    return Identity(code, checked_business_id, checked_vat)


def _refuse_person_identifiers(business_id: str | None, vat: str | bool | None) -> None:
    if business_id:
        raise InvalidInput(
            "a private person has no business ID",
            code="accounts.person_business_id",
            location=("business_id",),
        )
    if vat:
        raise InvalidInput(
            "a private person has no VAT number",
            code="accounts.person_vat_number",
            location=("vat_number",),
        )


def _refuse_missing_business_id(kind: CustomerKind, country: str) -> None:
    """No business ID: fine where the customer is identified otherwise, refused where not."""
    if country == "FI":
        raise InvalidInput(
            "a customer in Finland has a business ID (Y-tunnus)",
            code="accounts.business_id_required_fi",
            location=("business_id",),
        )
    if country == "EE":
        raise InvalidInput(
            "a customer in Estonia has a registry code",
            code="accounts.business_id_required_ee",
            location=("business_id",),
        )
    if kind == CustomerKind.COMPANY and country not in EU_MEMBER_STATES:
        raise InvalidInput(
            "a company outside the EU gives its registry id",
            code="accounts.business_id_required",
            location=("business_id",),
        )


def _checked_business_id(country: str, text: str) -> str:
    try:
        return identifiers.business_id_for(country, text)
    except InvalidIdentifier as error:
        location = ("business_id",)
        if country == "FI" and error.fault == "check_digit":
            raise InvalidInput(
                "%(value)s is not a Finnish business ID (Y-tunnus): the check digit is wrong",
                code="accounts.business_id_check_digit_fi",
                value=text,
                location=location,
            ) from None
        if country == "FI":
            raise InvalidInput(
                "a Finnish business ID (Y-tunnus) is seven digits, a hyphen and a check digit",
                code="accounts.business_id_format_fi",
                location=location,
            ) from None
        if country == "EE" and error.fault == "check_digit":
            raise InvalidInput(
                "%(value)s is not an Estonian registry code: the check digit is wrong",
                code="accounts.business_id_check_digit_ee",
                value=text,
                location=location,
            ) from None
        if country == "EE":
            raise InvalidInput(
                "an Estonian registry code is eight digits",
                code="accounts.business_id_format_ee",
                location=location,
            ) from None
        raise InvalidInput(
            "a registry id is letters, digits, spaces and . - / (at most 32 characters)",
            code="accounts.business_id_format",
            location=location,
        ) from None


def _checked_vat_number(country: str, text: str) -> str:
    try:
        return identifiers.vat_number_for(country, text)
    except InvalidIdentifier as error:
        location = ("vat_number",)
        if error.fault == "not_eu":
            raise InvalidInput(
                "only a customer in an EU member state has an EU VAT number; leave it empty",
                code="accounts.vat_number_outside_eu",
                location=location,
            ) from None
        if error.fault == "prefix":
            raise InvalidInput(
                "a VAT number of this country starts with %(prefix)s",
                code="accounts.vat_number_prefix",
                prefix=identifiers.vat_prefix(country),
                location=location,
            ) from None
        if error.fault == "check_digit":
            raise InvalidInput(
                "%(value)s is not a VAT number: the check digit is wrong",
                code="accounts.vat_number_check_digit",
                value=text,
                location=location,
            ) from None
        raise InvalidInput(
            "%(value)s is not in the format of this country's VAT numbers",
            code="accounts.vat_number_format",
            value=text,
            location=location,
        ) from None
