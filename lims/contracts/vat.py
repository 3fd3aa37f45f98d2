"""VAT by the rules: which treatment a customer's services get, and Finland's rate on a day.

The lab is a Finnish seller of calibration and measurement services to business customers
and private persons.  The place of supply of a service to a taxable person is where that
customer is established (VAT Directive 2006/112/EC art. 44); to a private person it is
where the supplier is (art. 45), here Finland.  So:

- a customer in Finland (any kind), and a private person anywhere, pays Finnish VAT at the
  rate in force on the quotation's date (``domestic``);
- a company or research organisation in another EU member state with a VAT number is
  invoiced without Finnish VAT and accounts for the VAT itself (``reverse_charge``, art. 44
  and 196): both VAT numbers and the statement are printed on the document;
- a business customer outside the EU is outside the scope of Finnish VAT (art. 44;
  ``outside_scope``), stated on the document;
- a company or research organisation in another EU member state without a VAT number pays
  Finnish VAT (``domestic``): without a VAT number the lab cannot show the customer is a
  taxable person, which reverse charge requires (art. 196, and the VAT number on the
  invoice, art. 226 (4)).  Public bodies and research institutes not registered for VAT are
  the usual case.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from lims.accounts.countries import EU_MEMBER_STATES
from lims.accounts.models import CustomerKind, Organisation
from lims.errors import InvalidInput

VatRule = Literal["domestic", "reverse_charge", "outside_scope"]
VAT_RULES: tuple[VatRule, ...] = ("domestic", "reverse_charge", "outside_scope")

#: Finland's general VAT rate, a row per change: (first day, percent).  Later changes are
#: added as rows.  24 % since 1 January 2013; 25.5 % since 1 September 2024 (the general
#: rate raised by the amendment of the Finnish VAT Act, arvonlisäverolaki 1501/1993, 84 §,
#: in force on 1 September 2024).
FINNISH_VAT_RATES: tuple[tuple[date, Decimal], ...] = (
    (date(2013, 1, 1), Decimal("24")),
    (date(2024, 9, 1), Decimal("25.5")),
)

REVERSE_CHARGE_ARTICLE = "2006/112/EC art. 44, 196"
OUTSIDE_SCOPE_ARTICLE = "2006/112/EC art. 44"

#: The statements a document prints, in the document languages.  Kept here rather than in
#: the catalogs: they are the wording the tax rules expect, not the interface's.
STATEMENTS: dict[str, dict[str, str]] = {
    "reverse_charge": {
        "fi": "Käännetty verovelvollisuus (arvonlisäverodirektiivi 2006/112/EY, 44 ja 196 artikla)",
        "sv": "Omvänd betalningsskyldighet (mervärdesskattedirektivet 2006/112/EG, artiklarna "
        "44 och 196)",
        "en": "Reverse charge (VAT Directive 2006/112/EC, Articles 44 and 196)",
        "et": "Pöördmaksustamine (käibemaksudirektiiv 2006/112/EÜ, artiklid 44 ja 196)",
    },
    "outside_scope": {
        "fi": "Myynti ei kuulu Suomen arvonlisäverotuksen piiriin (arvonlisäverodirektiivi "
        "2006/112/EY, 44 artikla)",
        "sv": "Försäljningen omfattas inte av finsk mervärdesskatt (mervärdesskattedirektivet "
        "2006/112/EG, artikel 44)",
        "en": "Outside the scope of Finnish VAT (VAT Directive 2006/112/EC, Article 44)",
        "et": "Ei kuulu Soome käibemaksu kohaldamisalasse (käibemaksudirektiiv 2006/112/EÜ, "
        "artikkel 44)",
    },
}


#: The words a document prints around the treatment, in the document languages, beside the
#: statements (the quotation's VAT column, the rule of each line, both VAT numbers).
WORDS: dict[str, dict[str, str]] = {
    "vat": {"fi": "ALV", "sv": "Moms", "en": "VAT", "et": "Käibemaks"},
    "domestic": {"fi": "Suomen ALV", "sv": "finsk moms", "en": "Finnish VAT", "et": "Soome km"},
    "reverse_charge": {
        "fi": "käännetty verovelvollisuus",
        "sv": "omvänd betalningsskyldighet",
        "en": "reverse charge",
        "et": "pöördmaksustamine",
    },
    "outside_scope": {
        "fi": "ei Suomen ALV:n piirissä",
        "sv": "utanför finsk moms",
        "en": "outside the scope of Finnish VAT",
        "et": "väljaspool Soome käibemaksu",
    },
    "customer_vat_number": {
        "fi": "Asiakkaan ALV-numero",
        "sv": "Kundens momsregistreringsnummer",
        "en": "Customer's VAT number",
        "et": "Kliendi KMKR number",
    },
    "price_list_rule": {
        "fi": "Hinnat ilman arvonlisäveroa. Suomalaiset asiakkaat ja yksityishenkilöt: "
        "hintoihin lisätään Suomen arvonlisävero %(rate)s %%. Toisen EU-maan "
        "ALV-rekisteröity yritys tai tutkimusorganisaatio: käännetty verovelvollisuus (0 %%). "
        "Yritys EU:n ulkopuolella: ei Suomen arvonlisäverotuksen piirissä (0 %%).",
        "sv": "Priserna är utan moms. Kunder i Finland och privatpersoner: finsk moms "
        "%(rate)s %% tillkommer. Momsregistrerade företag och forskningsorganisationer i andra "
        "EU-länder: omvänd betalningsskyldighet (0 %%). Företag utanför EU: utanför finsk "
        "moms (0 %%).",
        "en": "Prices exclude VAT. Customers in Finland and private persons: Finnish VAT "
        "%(rate)s %% is added. VAT-registered companies and research organisations in other EU "
        "countries: reverse charge (0 %%). Companies outside the EU: outside the scope of "
        "Finnish VAT (0 %%).",
        "et": "Hinnad ei sisalda käibemaksu. Soome kliendid ja eraisikud: lisandub Soome "
        "käibemaks %(rate)s %%. Teiste ELi riikide käibemaksukohustuslased ettevõtted ja "
        "teadusasutused: pöördmaksustamine (0 %%). Ettevõtted väljaspool ELi: väljaspool Soome "
        "käibemaksu (0 %%).",
    },
    "lab_vat_number": {
        "fi": "Myyjän ALV-numero",
        "sv": "Säljarens momsregistreringsnummer",
        "en": "Seller's VAT number",
        "et": "Müüja KMKR number",
    },
}


def word(key: str, language: str) -> str:
    """A word of ``WORDS`` in a document language (English for a language without one)."""
    return WORDS[key].get(language, WORDS[key]["en"])


def statement(key: str, language: str) -> str:
    """A statement of ``STATEMENTS`` in a document language (English for others)."""
    return STATEMENTS[key].get(language, STATEMENTS[key]["en"])


@dataclass(frozen=True)
class VatTreatment:
    """How a customer's services are taxed on a day: the rule, the percent charged, and the
    statement (a key of ``STATEMENTS``) and article a document prints, if any."""

    rule: VatRule
    rate: Decimal
    statement_key: str | None = None
    article: str | None = None

    def statement(self, language: str) -> str | None:
        """The statement in a document language (fi, sv, en, et); English for others."""
        if self.statement_key is None:
            return None
        return statement(self.statement_key, language)


def finnish_vat_rate(on: date) -> Decimal:
    """Finland's general VAT rate in force on ``on``.

    >>> finnish_vat_rate(date(2024, 8, 31)), finnish_vat_rate(date(2024, 9, 1))
    (Decimal('24'), Decimal('25.5'))
    """
    rates = [rate for first_day, rate in FINNISH_VAT_RATES if first_day <= on]
    if not rates:
        raise InvalidInput(
            "no VAT rate is recorded for %(on)s: the table starts on %(first_day)s",
            code="contracts.vat_rate_not_recorded",
            on=on,
            first_day=FINNISH_VAT_RATES[0][0],
        )
    return rates[-1]


def vat_treatment(customer: Organisation, on: date) -> VatTreatment:
    """The VAT treatment of the lab's services to ``customer`` on ``on`` (see the module)."""
    if customer.country == "FI" or customer.kind == CustomerKind.PERSON:
        return VatTreatment("domestic", finnish_vat_rate(on))
    if customer.country in EU_MEMBER_STATES:
        if customer.vat_number:
            return VatTreatment(
                "reverse_charge", Decimal(0), "reverse_charge", REVERSE_CHARGE_ARTICLE
            )
        return VatTreatment("domestic", finnish_vat_rate(on))
    return VatTreatment("outside_scope", Decimal(0), "outside_scope", OUTSIDE_SCOPE_ARTICLE)
