"""What a certificate or report must say about its customer before it is issued.

ISO/IEC 17025:2017 7.8.2.1 e) asks for "the name and contact information of the customer";
the lab prints the customer's postal address and a contact person, so a job's document is not
issued until the organisation's record has both.  The refusal names each missing piece, so
whoever completes the record knows what to add.
"""

from typing import Any

from lims.errors import InvalidInput

#: The address fields of a document's ``customer.address``, as the organisation names them.
ADDRESS_FIELDS = {"street": "street_address", "postal_code": "postal_code", "city": "city"}


class MissingCustomerDetails(InvalidInput):
    """A job's certificate or report whose customer lacks a name, an address or a contact."""

    def __init__(self, organisation_id: int | None, missing: list[str]) -> None:
        super().__init__(
            "the customer's %(missing)s must be on record before a certificate or "
            "report is issued (ISO/IEC 17025 7.8.2.1 e): add them to organisation "
            "%(organisation_id)s (PATCH /api/v1/organisations/%(organisation_id)s, a contact "
            "with POST /api/v1/organisations/%(organisation_id)s/contacts)",
            code="documents.customer_details_missing",
            missing=", ".join(missing),
            organisation_id=organisation_id,
            location=("customer",),
        )
        self.extensions = {"missing": missing}


def check_customer_details(data: dict[str, Any], organisation_id: int | None) -> None:
    """Refuse ``data`` (a job document's) unless its customer has a name, an address and a
    contact; blank text counts as missing."""
    missing = customer_gaps(data.get("customer"))
    if missing:
        raise MissingCustomerDetails(organisation_id, missing)


def customer_gaps(customer: dict[str, Any] | None) -> list[str]:
    """The organisation's fields (and ``contact``) a document's ``customer`` lacks."""
    if customer is None:
        return ["name", *ADDRESS_FIELDS.values(), "contact"]
    address = customer.get("address") or {}
    missing = [] if _given(customer.get("name")) else ["name"]
    missing += [field for key, field in ADDRESS_FIELDS.items() if not _given(address.get(key))]
    contact = customer.get("contact") or {}
    if not _given(contact.get("name")):
        missing.append("contact")
    elif not (_given(contact.get("email")) or _given(contact.get("phone"))):
        missing.append("contact's e-mail or phone")
    return missing


def _given(text: Any) -> bool:
    return isinstance(text, str) and bool(text.strip())
