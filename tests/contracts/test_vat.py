"""VAT by the rules, dated (#33): the treatment of each kind of customer, and the rate of the
quotation's date, on quotations to a Finnish company, an Estonian VAT-registered company, a
Finnish private person and a Norwegian company, before and after 1.9.2024."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.models import CustomerKind, Organisation, OrganisationCreate
from lims.config import Settings
from lims.contracts.models import Quotation
from lims.contracts.vat import VatTreatment, finnish_vat_rate, vat_treatment
from lims.db import make_engine
from lims.errors import InvalidInput
from tests.conftest import migrated_sqlite_url
from tests.contracts.factories import ensure_clause, make_price_list, make_price_model
from tests.contracts.factories import make_quotation as quote
from tests.factories import FACTORY_ACTOR

BEFORE = date(2024, 8, 31)  # the last day of 24 %
AFTER = date(2024, 9, 1)  # the first day of 25.5 %
REVERSE_CHARGE_EN = "Reverse charge (VAT Directive 2006/112/EC, Articles 44 and 196)"

FINNISH_COMPANY = OrganisationCreate(
    name="Konepaja Oy", country="FI", business_id="2345678-0", vat_registered=True
)
ESTONIAN_COMPANY = OrganisationCreate(
    name="Näidis OÜ", country="EE", business_id="10000356", vat_number="EE100000007"
)
FINNISH_PERSON = OrganisationCreate(name="Pekka Yksityinen", kind=CustomerKind.PERSON, country="FI")
NORWEGIAN_COMPANY = OrganisationCreate(name="Måleteknikk AS", country="NO", business_id="923609016")


def customer(**fields: object) -> Organisation:
    return Organisation.model_validate({"name": "Asiakas", "country": "FI", **fields})


@pytest.mark.parametrize(
    ("fields", "on", "expected"),
    [
        ({"country": "FI", "kind": "company"}, BEFORE, VatTreatment("domestic", Decimal(24))),
        ({"country": "FI", "kind": "research"}, AFTER, VatTreatment("domestic", Decimal("25.5"))),
        # A private person pays Finnish VAT wherever it lives (art. 45).
        ({"country": "EE", "kind": "person"}, AFTER, VatTreatment("domestic", Decimal("25.5"))),
        ({"country": "NO", "kind": "person"}, BEFORE, VatTreatment("domestic", Decimal(24))),
        (
            {"country": "SE", "kind": "research", "vat_number": "SE202100000001"},
            AFTER,
            VatTreatment(
                "reverse_charge", Decimal(0), "reverse_charge", "2006/112/EC art. 44, 196"
            ),
        ),
        # An EU public body without a VAT number pays Finnish VAT (not shown to be taxable).
        ({"country": "DE", "kind": "research"}, AFTER, VatTreatment("domestic", Decimal("25.5"))),
        (
            {"country": "CH", "kind": "research"},
            BEFORE,
            VatTreatment("outside_scope", Decimal(0), "outside_scope", "2006/112/EC art. 44"),
        ),
    ],
)
def test_the_treatment_follows_the_customers_kind_country_and_vat_number(
    fields: dict[str, str], on: date, expected: VatTreatment
) -> None:
    assert vat_treatment(customer(**fields), on) == expected


def test_the_finnish_rate_changes_on_1_september_2024_and_earlier_days_are_refused() -> None:
    assert finnish_vat_rate(date(2013, 1, 1)) == Decimal(24)
    assert finnish_vat_rate(BEFORE) == Decimal(24)
    assert finnish_vat_rate(AFTER) == Decimal("25.5")
    with pytest.raises(InvalidInput):
        finnish_vat_rate(date(2012, 12, 31))


def test_the_statements_are_in_the_document_languages() -> None:
    treatment = vat_treatment(customer(country="EE", vat_number="EE100000007"), AFTER)
    assert treatment.statement("fi") is not None
    assert treatment.statement("fi").startswith("Käännetty verovelvollisuus")  # type: ignore[union-attr]
    assert treatment.statement("sv").startswith("Omvänd betalningsskyldighet")  # type: ignore[union-attr]
    assert treatment.statement("et").startswith("Pöördmaksustamine")  # type: ignore[union-attr]
    assert treatment.statement("en") == REVERSE_CHARGE_EN
    assert vat_treatment(customer(), AFTER).statement("fi") is None


@pytest.fixture(scope="module")
def quoted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, date], Quotation]]:
    """Each of the four customers quoted K-MIK-25 x 3 (1.2 h x 62.00 = 74.40 each, net
    223.20) on 31.8.2024 and on 1.9.2024; made once for the module's tests."""
    folder = tmp_path_factory.mktemp("vat")
    url = migrated_sqlite_url(folder / "lims.sqlite3")
    module_settings = Settings(database_url=url, data_dir=folder / "data", environment="test")
    module_engine = make_engine(url)
    ensure_clause(module_engine)
    make_price_list(module_engine, make_price_model(module_engine, 2024))
    made = {}
    for key, data in (
        ("fi_company", FINNISH_COMPANY),
        ("ee_company", ESTONIAN_COMPANY),
        ("fi_person", FINNISH_PERSON),
        ("no_company", NORWEGIAN_COMPANY),
    ):
        with Session(module_engine) as db_session:
            organisation = accounts.create_organisation(db_session, actor=FACTORY_ACTOR, data=data)
        for on in (BEFORE, AFTER):
            made[key, on] = quote(
                module_engine,
                module_settings,
                organisation,
                issued_on=on,
                valid_until=date(2024, 12, 31),
            )
    yield made
    module_engine.dispose()


def totals(quotation: Quotation) -> tuple[str, Decimal, Decimal, Decimal, Decimal]:
    return (
        quotation.vat_rule,
        quotation.vat_rate,
        quotation.net_total,
        quotation.vat_amount,
        quotation.total,
    )


def line_treatments(quotation: Quotation) -> list[tuple[str, str]]:
    return [(line["vat_rule"], line["vat_rate"]) for line in quotation.lines]


def test_a_finnish_company_is_charged_24_then_25_5_percent(
    quoted: dict[tuple[str, date], Quotation],
) -> None:
    # 31.8.2024: 223.20 x 24 % = 53.568 -> 53.57; total 276.77.
    before = quoted["fi_company", BEFORE]
    assert totals(before) == ("domestic", Decimal(24), Decimal("223.20"), Decimal("53.57"),
                              Decimal("276.77"))  # fmt: skip
    assert line_treatments(before) == [("domestic", "24")]
    # 1.9.2024: 223.20 x 25.5 % = 56.916 -> 56.92; total 280.12.
    after = quoted["fi_company", AFTER]
    assert totals(after) == ("domestic", Decimal("25.5"), Decimal("223.20"), Decimal("56.92"),
                             Decimal("280.12"))  # fmt: skip
    assert line_treatments(after) == [("domestic", "25.5")]
    assert (after.customer_vat_number, after.lab_vat_number) == ("FI23456780", "FI23456780")


def test_a_finnish_private_person_is_charged_finnish_vat_at_the_days_rate(
    quoted: dict[tuple[str, date], Quotation],
) -> None:
    # The same sums as the company's: 276.77 before, 280.12 after.
    assert totals(quoted["fi_person", BEFORE])[3:] == (Decimal("53.57"), Decimal("276.77"))
    assert totals(quoted["fi_person", AFTER])[3:] == (Decimal("56.92"), Decimal("280.12"))
    assert quoted["fi_person", AFTER].customer_vat_number is None


@pytest.mark.parametrize("on", [BEFORE, AFTER])
def test_an_estonian_vat_registered_company_is_reverse_charged_with_both_vat_numbers(
    on: date, quoted: dict[tuple[str, date], Quotation]
) -> None:
    # 0 % on either day: the total is the net 223.20.
    quotation = quoted["ee_company", on]
    assert totals(quotation) == ("reverse_charge", Decimal(0), Decimal("223.20"), Decimal(0),
                                 Decimal("223.20"))  # fmt: skip
    assert line_treatments(quotation) == [("reverse_charge", "0")]
    assert (quotation.customer_vat_number, quotation.lab_vat_number) == (
        "EE100000007",
        "FI23456780",
    )


@pytest.mark.parametrize("on", [BEFORE, AFTER])
def test_a_norwegian_company_is_outside_the_scope_of_finnish_vat(
    on: date, quoted: dict[tuple[str, date], Quotation]
) -> None:
    quotation = quoted["no_company", on]
    assert totals(quotation) == ("outside_scope", Decimal(0), Decimal("223.20"), Decimal(0),
                                 Decimal("223.20"))  # fmt: skip
    assert line_treatments(quotation) == [("outside_scope", "0")]
