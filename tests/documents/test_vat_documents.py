"""Quotation documents state the VAT treatment (#33): each line's rate and rule, the
reverse-charge statement with both VAT numbers, or the outside-scope statement, in the
document's language. The Finnish master is read back from its PDF; the other languages
are rendered from the same data (cheaper than a PDF each)."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.models import ContactCreate, Organisation, OrganisationCreate
from lims.config import Settings
from lims.contracts import quotations
from lims.contracts.models import Quotation, QuotationCreate, QuotationLineSpec, Service
from lims.db import persisted_id
from lims.documents.content import quotation_data
from lims.documents.render import render_html
from tests.contracts.factories import make_price_list, make_price_model
from tests.documents.factories import download, issue, read_back
from tests.factories import FACTORY_ACTOR
from tests.jobs.factories import make_lab

ADDRESS = {"street_address": "Tööstuse 12", "postal_code": "10416", "city": "Tallinn"}
SIGNATORY = {"name": "Laura Laatupäällikkö", "function": "Laatupäällikkö"}


def customer_with_quotation(
    engine: Engine, settings: Settings, data: OrganisationCreate
) -> tuple[Organisation, int]:
    with Session(engine) as db_session:
        organisation = accounts.create_organisation(db_session, actor=FACTORY_ACTOR, data=data)
        accounts.add_contact(
            db_session,
            actor=FACTORY_ACTOR,
            organisation_id=persisted_id(organisation),
            data=ContactCreate(name="Mari Mõõtja", email="mari@example.ee"),
        )
        quotation = quotations.create_quotation(
            db_session,
            actor=FACTORY_ACTOR,
            data=QuotationCreate(
                organisation_id=persisted_id(organisation),
                service=Service.CALIBRATION,
                issued_on=date(2026, 11, 27),
                valid_until=date(2026, 12, 31),
                lines=[QuotationLineSpec(item_code="K-MIK-25", quantity=3)],
            ),
            settings=settings,
        )
    return organisation, persisted_id(quotation)


def rendered(engine: Engine, settings: Settings, quotation_id: int, language: str) -> str:
    with Session(engine) as db_session:
        quotation = db_session.get_one(Quotation, quotation_id)
        data = quotation_data(
            db_session, quotation=quotation, settings=settings, signatory=SIGNATORY
        )
    html = render_html(data, language=language, texts={}, verify_url=None, qr_data_uri=None)
    return " ".join(html.split())


def test_a_reverse_charge_quotation_prints_the_statement_and_both_vat_numbers(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    make_price_list(engine, make_price_model(engine, 2026))
    estonian = OrganisationCreate(
        name="Näidis OÜ",
        country="EE",
        business_id="10000356",
        vat_number="EE100000007",
        language="et",
        **ADDRESS,
    )
    _, quotation_id = customer_with_quotation(engine, settings, estonian)
    document = issue(client, lab, lab.manager, quotation_id=quotation_id)
    text = " ".join(read_back(download(client, lab, document)).text.split())
    # K-MIK-25 x 3 = 223,20 €, 0 % VAT: the total is the net.
    assert "0 %, käännetty verovelvollisuus" in text
    assert "Käännetty verovelvollisuus (arvonlisäverodirektiivi 2006/112/EY, 44 ja 196" in text
    assert "Asiakkaan ALV-numero EE100000007" in text
    assert "Myyjän ALV-numero FI23456780" in text
    assert "Viro" in text  # the country by its Finnish name
    estonian_text = rendered(engine, settings, quotation_id, "et")
    assert (
        "Pöördmaksustamine (käibemaksudirektiiv 2006/112/EÜ, artiklid 44 ja 196)" in estonian_text
    )
    assert "Kliendi KMKR number" in estonian_text and "EE100000007" in estonian_text
    swedish_text = rendered(engine, settings, quotation_id, "sv")
    assert "Omvänd betalningsskyldighet" in swedish_text
    assert "Reverse charge (VAT Directive 2006/112/EC, Articles 44 and 196)" in rendered(
        engine, settings, quotation_id, "en"
    )


def test_outside_the_eu_the_quotation_states_it_is_outside_finnish_vat_and_domestic_none(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    make_lab(engine, settings)
    make_price_list(engine, make_price_model(engine, 2026))
    norwegian = OrganisationCreate(
        name="Måleteknikk AS",
        country="NO",
        business_id="923609016",
        street_address="Storgata 1",
        postal_code="0155",
        city="Oslo",
    )
    _, outside = customer_with_quotation(engine, settings, norwegian)
    text = rendered(engine, settings, outside, "fi")
    assert "Myynti ei kuulu Suomen arvonlisäverotuksen piiriin" in text
    assert "0 %, ei Suomen ALV:n piirissä" in text and "Norja" in text
    finnish = OrganisationCreate(
        name="Konepaja Oy", country="FI", business_id="2345678-0", vat_registered=True, **ADDRESS
    )
    _, domestic = customer_with_quotation(engine, settings, finnish)
    text = rendered(engine, settings, domestic, "fi")
    # 223,20 € x 25,5 % = 56,916 -> 56,92 €.
    assert "25,5 %, Suomen ALV" in text and "56,92" in text
    assert "verovelvollisuus" not in text and "piiriin" not in text
