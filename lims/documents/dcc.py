"""The Digital Calibration Certificate (PTB DCC) of a calibration certificate, and its check.

``calibration_dcc`` writes the machine-readable twin of an issued certificate from the same
data dict the PDF is rendered from; ``validate_dcc`` checks a DCC against the XSD in a local
folder and never fetches anything from the network.

Schema version: **DCC 3.2.0** with D-SI 2.1.0 (``version="3.1.2"`` writes the previous
release, which needs the customer's e-mail).  3.2.0 imports the W3C xmldsig schema; a copy
ships in ``schemas/`` (see its README), so both validate offline.

Numbers: the value, U and k exactly as the certificate prints them, rounded by the same code
(``lims.uncertainty.reporting``: U to two significant digits, the value to the same decimal
place, k to two decimals).  Sentences: the decision rule and the traceability statement are
rendered from the certificate's own template macros (``render.statement``).

Languages: one DCC per certificate, made when the Finnish master is issued; its translations
carry it unchanged.  Finnish is mandatory; every prose text carries ``lang="fi"`` and the same
text in English, Swedish and Estonian beside it: the fixed wording from the ``documents``
catalog (messages marked ``N_``), the lab's own wording from ``data["texts"]`` where it has
been translated (else Finnish only).  Proper names (lab, customer, persons, manufacturer,
software, untranslated labels) carry no ``lang``: in a DCC that means any language.
"""

import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.numbers import format_decimal
from lxml import etree

import lims
from lims import units
from lims.documents.render import statement
from lims.errors import ConfigurationError, InvalidInput
from lims.i18n import LANGUAGES, MASTER_LANGUAGE, N_, translations
from lims.uncertainty.reporting import format_coverage_factor, rounded_result

DCC_SCHEMA_VERSION = "3.2.0"
DCC_SCHEMA_VERSIONS = ("3.1.2", "3.2.0")
DCC_NS = "https://ptb.de/dcc"
SI_NS = "https://ptb.de/si"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
LAB_COUNTRY = "FI"
SOFTWARE_NAME = "LIMS for ISO/IEC 17025 calibration laboratories"

#: pint's unit names (lims/units.py) in D-SI's words, and its prefixes; the kilogram is a
#: D-SI unit of its own, never the kilo of a gram.  A temperature difference is in kelvin.
D_SI_NAMES: dict[str, str] = {
    "meter": r"\metre",
    "gram": r"\gram",
    "kilogram": r"\kilogram",
    "second": r"\second",
    "kelvin": r"\kelvin",
    "degree_Celsius": r"\degreeCelsius",
    "delta_degree_Celsius": r"\kelvin",  # a difference: 1 Δ°C is 1 K
    "radian": r"\radian",
    "degree": r"\degree",
    "arcminute": r"\arcminute",
    "arcsecond": r"\arcsecond",
    "percent": r"\percent",
    "percent_RH": r"\percent",
    "newton": r"\newton",
    "pascal": r"\pascal",
    "bar": r"\bar",
    "joule": r"\joule",
    "watt": r"\watt",
    "volt": r"\volt",
    "ampere": r"\ampere",
    "ohm": r"\ohm",
    "hertz": r"\hertz",
    "liter": r"\litre",
}
D_SI_PREFIXES: dict[str, str] = {
    "": "",
    "nano": r"\nano",
    "micro": r"\micro",
    "milli": r"\milli",
    "centi": r"\centi",
    "deci": r"\deci",
    "kilo": r"\kilo",
    "mega": r"\mega",
    "giga": r"\giga",
}

#: The LIMS's conformity decisions (lims.uncertainty.decision) in the DCC's words.
CONFORMITY = {
    "pass": "pass",
    "fail": "fail",
    "conditional_pass": "conditionalPass",
    "conditional_fail": "conditionalFail",
}
#: The clause of ILAC-G8:09/2019 each named rule applies, as the certificate cites it.
DECISION_RULE_CLAUSES = {
    "simple_acceptance": "4.2.1",
    "guard_band_rU": "4.2.2",
    "guard_band_U": "4.2.3",
}
#: What a result is (lims.methods.models.ResultQuantity) as a DCC quantity: its refType and
#: name.  A deviation from the nominal is no D-SI/DCC basic quantity: the lab's own refType.
RESULT_QUANTITIES = {
    "error_of_indication": ("basic_measurementError", N_("Error of indication")),
    "deviation": ("lims_deviationFromNominal", N_("Deviation from nominal")),
    "measured_value": ("basic_measuredValue", N_("Measured value")),
}
PERFORMANCE_LOCATIONS = ("laboratory", "customer", "laboratoryBranch", "customerBranch", "other")

# Finnish and Estonian post codes have five digits and precede the town: "20520 Turku".
_POST_CODE_AND_CITY = re.compile(r"^(\d{5})\s+(\S.*)$")
# The D-SI schema location as the DCC schemas name it, e.g. https://ptb.de/si/v2.1.0/SI_Format.xsd
_DSI_LOCATION = re.compile(r"/si/v(\d+)\.(\d+)\.(\d+)/SI_Format\.xsd$")
# DCC 3.2.0 imports the W3C XML Signature schema from here; a copy ships in schemas/.
XMLDSIG_LOCATIONS = (
    "https://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd",
    "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd",
)
XMLDSIG_FILE = "xmldsig-core-schema.xsd"
BUNDLED_SCHEMAS = Path(__file__).resolve().parent / "schemas"
_PREFIXES = {f"{{{DCC_NS}}}": "dcc:", f"{{{SI_NS}}}": "si:"}


def dsi_unit(unit: str) -> str:
    """The D-SI unit of a LIMS unit code.

    >>> dsi_unit("um")
    '\\\\micro\\\\metre'
    """
    try:
        parts = units.factors(unit)
    except InvalidInput:
        raise ValueError(f"unit {unit!r} is not a unit lims/units.py reads") from None
    if not parts:
        return r"\one"
    written = []
    for prefix, name, power in parts:
        if (prefix, name) == ("kilo", "gram"):
            prefix, name = "", "kilogram"
        if name not in D_SI_NAMES or prefix not in D_SI_PREFIXES:
            raise ValueError(f"unit {unit!r} has no D-SI equivalent ({prefix}{name})")
        text = D_SI_PREFIXES[prefix] + D_SI_NAMES[name]
        written.append(text if power == 1 else text + rf"\tothe{{{power}}}")
    return "".join(written)


def calibration_dcc(data: Mapping[str, Any], *, version: str = DCC_SCHEMA_VERSION) -> bytes:
    """The DCC (UTF-8 XML, DCC ``version``) of a calibration certificate's data dict.

    Raises ``ValueError`` naming the problem when the data cannot make a valid DCC: a unit
    without a D-SI equivalent, an unknown decision, a result of an item not on the
    certificate, an uncertainty without its coverage factor and probability, no results.
    """
    return _Writer(data, version).document()


def validate_dcc(xml: bytes, schema_dir: Path, *, version: str = DCC_SCHEMA_VERSION) -> list[str]:
    """Readable schema errors of a DCC (empty when valid), checked against
    ``schema_dir/dcc_<version>.xsd`` with its D-SI import read from the same folder.

    A folder that lacks the schema, or a schema importing something not in the folder,
    raises ``ConfigurationError``: that is the installation's fault, not the document's.
    """
    schema, lock = _schema(schema_dir.resolve(), version)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        document = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    # One XMLSchema object keeps one error log, so threads take turns with it.
    with lock:
        if schema.validate(document):
            return []
        return [f"line {error.line}: {_short_names(error.message)}" for error in schema.error_log]


# -- writing ------------------------------------------------------------------------------


class _Writer:
    """Builds one DCC in every language of the documents catalog, Finnish first."""

    def __init__(self, data: Mapping[str, Any], version: str) -> None:
        if version not in DCC_SCHEMA_VERSIONS:
            raise ValueError(f"DCC {version} is not one of {', '.join(DCC_SCHEMA_VERSIONS)}")
        self.data = data
        self.version = version
        self.others = [language for language in LANGUAGES if language != MASTER_LANGUAGE]
        # The lab's own wording in other languages, known when the master is issued.
        self.texts: Mapping[str, Mapping[str, str]] = data.get("texts") or {}

    def document(self) -> bytes:
        root = etree.Element(
            _dcc("digitalCalibrationCertificate"),
            nsmap={"dcc": DCC_NS, "si": SI_NS, "xsi": XSI_NS},
            schemaVersion=self.version,
        )
        root.set(
            f"{{{XSI_NS}}}schemaLocation", f"{DCC_NS} https://ptb.de/dcc/v{self.version}/dcc.xsd"
        )
        self.administrative_data(_sub(root, "administrativeData"))
        self.measurement_results(_sub(root, "measurementResults"))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    # -- administrative data

    def administrative_data(self, parent: etree._Element) -> None:
        software = _sub(_sub(parent, "dccSoftware"), "software")
        _name(_sub(software, "name"), SOFTWARE_NAME)
        _sub(software, "release", lims.__version__)
        _sub(software, "type", "application")
        self.core_data(_sub(parent, "coreData"))
        self.items(_sub(parent, "items"))
        self.laboratory(_sub(parent, "calibrationLaboratory"))
        self.signatory(_sub(parent, "respPersons"))
        self.customer(_sub(parent, "customer"))
        self.statements(_sub(parent, "statements"))

    def core_data(self, parent: etree._Element) -> None:
        data, job = self.data, self.data.get("job") or {}
        _sub(parent, "countryCodeISO3166_1", LAB_COUNTRY)
        for language in LANGUAGES:
            _sub(parent, "usedLangCodeISO639_1", language)
        _sub(parent, "mandatoryLangCodeISO639_1", MASTER_LANGUAGE)
        _sub(parent, "uniqueIdentifier", data["number"])
        identifications = [
            ("calibrationLaboratory", job.get("number"), N_("Job number")),
            ("customer", job.get("customer_reference"), N_("Customer reference")),
        ]
        if data.get("revision"):
            identifications.append(("calibrationLaboratory", str(data["revision"]), N_("Revision")))
        self.identifications(parent, identifications)
        if job.get("received_on"):
            _sub(parent, "receiptDate", job["received_on"])
        begin, end = self.performance_dates()
        _sub(parent, "beginPerformanceDate", begin)
        _sub(parent, "endPerformanceDate", end)
        place = job.get("place") or "laboratory"
        _sub(parent, "performanceLocation", place if place in PERFORMANCE_LOCATIONS else "other")
        if self.version != "3.1.2" and data.get("issued_on"):
            _sub(parent, "issueDate", data["issued_on"])
        self.previous_report(parent)

    def previous_report(self, parent: etree._Element) -> None:
        """A revision names the certificate it replaces (ISO/IEC 17025 7.8.8.2), by number
        and, when known, by the SHA-256 of that certificate's PDF."""
        replaced = self.data.get("supersedes")
        if not replaced:
            return
        previous = _sub(parent, "previousReport")
        self.label(previous, "referral", N_("Replaces certificate"))
        _sub(previous, "referralID", replaced["number"])
        _sub(previous, "procedure", "SHA-256" if replaced.get("sha256") else "none")
        _sub(previous, "value", replaced.get("sha256") or replaced["number"])

    def performance_dates(self) -> tuple[str, str]:
        """The job's measurement dates, else the span of the results' dates."""
        job = self.data.get("job") or {}
        days = sorted(r["measured_on"] for r in self.data["results"] if r.get("measured_on"))
        begin = job.get("measured_from") or (days[0] if days else None)
        end = job.get("measured_to") or (days[-1] if days else begin)
        if begin is None or end is None:
            raise ValueError("the DCC needs the measurement dates: the job and results have none")
        return begin, end

    def identifications(
        self, parent: etree._Element, rows: Sequence[tuple[str, str | None, str]]
    ) -> None:
        rows = [row for row in rows if row[1]]
        if not rows:
            return
        identifications = _sub(parent, "identifications")
        for issuer, value, label in rows:
            identification = _sub(identifications, "identification")
            _sub(identification, "issuer", issuer)
            _sub(identification, "value", value)
            self.label(identification, "name", label)

    def items(self, parent: etree._Element) -> None:
        for item in self.data["items"]:
            element = _sub(parent, "item", id=_item_id(item["id"]))
            key = f"items.{item['id']}.description"
            self.text(element, "name", item["description"], key)
            self.item_description(element, item)
            # The schema requires a manufacturer; an unknown one is left blank, not guessed.
            _name(_sub(_sub(element, "manufacturer"), "name"), item.get("manufacturer") or "")
            if item.get("model"):
                _sub(element, "model", item["model"])
            # The schema requires an identification: the lab's own one when the item has none.
            identification = item.get("identification")
            if identification:
                self.identifications(element, [("other", identification, N_("Identification"))])
            else:
                self.identifications(
                    element, [("calibrationLaboratory", str(item["id"]), N_("Identification"))]
                )

    def item_description(self, parent: etree._Element, item: Mapping[str, Any]) -> None:
        def wording(language: str) -> str | None:
            words = _labels(language, N_("Measuring range"), N_("Resolution"))
            sentences = []
            if item.get("range_text"):
                sentences.append(f"{words[0]} {item['range_text']}.")
            if item.get("resolution") is not None:
                number = format_decimal(
                    item["resolution"], locale=language, decimal_quantization=False
                )
                unit = item.get("resolution_unit") or ""
                sentences.append(f"{words[1]} {number} {unit}".rstrip() + ".")
            return " ".join(sentences) or None

        self.contents(parent, "description", wording(MASTER_LANGUAGE), wording)

    def laboratory(self, parent: etree._Element) -> None:
        lab = self.data["lab"]
        if lab.get("accreditation_body") and lab.get("accreditation_number"):
            code = f"{lab['accreditation_body']} {lab['accreditation_number']}"
            _sub(parent, "calibrationLaboratoryCode", code)
        contact = _sub(parent, "contact")
        _name(_sub(contact, "name"), lab["name"])
        self.email(contact, lab.get("email"), "the laboratory")
        self.location(contact, lab.get("address"), country=LAB_COUNTRY)

    def signatory(self, parent: etree._Element) -> None:
        signatory = self.data.get("signatory")
        if not signatory:
            raise ValueError("the DCC needs the signatory: the certificate has none")
        person = _sub(parent, "respPerson")
        _name(_sub(_sub(person, "person"), "name"), signatory["name"])
        if signatory.get("function"):
            _sub(person, "role", signatory["function"])
        _sub(person, "mainSigner", "true")

    def customer(self, parent: etree._Element) -> None:
        customer = self.data["customer"]
        contact = customer.get("contact") or {}
        _name(_sub(parent, "name"), customer["name"])
        self.email(parent, contact.get("email"), "the customer")
        if contact.get("phone"):
            _sub(parent, "phone", contact["phone"])
        extra = [
            (N_("Business ID"), customer.get("business_id")),
            (N_("Contact person"), contact.get("name")),
        ]
        self.location(parent, customer.get("address"), extra=extra)

    def email(self, parent: etree._Element, address: str | None, whose: str) -> None:
        """An e-mail address; never an empty element.  DCC 3.2.0 may omit it, 3.1.2 may not."""
        if address and address.strip():
            _sub(parent, "eMail", address.strip())
        elif self.version == "3.1.2":
            raise ValueError(f"DCC 3.1.2 needs the e-mail address of {whose}: none is recorded")

    def location(
        self,
        parent: etree._Element,
        address: str | Mapping[str, Any] | None,
        *,
        country: str | None = None,
        extra: Sequence[tuple[str, str | None]] = (),
    ) -> None:
        """An address in its parts: a record's street, post code, town and country, or the
        lab's one line with its post code and town when they can be told apart."""
        location = _sub(parent, "location")
        if isinstance(address, Mapping):
            # As the address is written in Finland: "Mittakatu 1, 00100 Helsinki".
            town = " ".join(
                str(address[key]).strip() for key in ("postal_code", "city") if address.get(key)
            ).strip()
            written = ", ".join(
                part for part in (str(address.get("street") or "").strip(), town) if part
            )
            for key, tag in (("street", "street"), ("postal_code", "postCode"), ("city", "city")):
                if address.get(key) and str(address[key]).strip():
                    _sub(location, tag, str(address[key]).strip())
            country = address.get("country") or country
        else:
            written = (address or "").strip()
            for part in (part.strip() for part in written.split(",")):
                match = _POST_CODE_AND_CITY.match(part)
                if match:
                    _sub(location, "postCode", match[1])
                    _sub(location, "city", match[2])
                    break
        if country:
            _sub(location, "countryCode", str(country).upper())
        lines = [(label, value) for label, value in extra if value]
        if not (written or lines):
            # The schema wants some part of a location; "further" says none is recorded.
            if len(location) == 0:
                self.label(location, "further", N_("No address recorded"))
            return
        further = _sub(location, "further")
        if written:
            _content(further, written)
        for label, value in lines:
            finnish = _labelled(label, value)(MASTER_LANGUAGE)
            self.contents(further, None, finnish, _labelled(label, value))

    def statements(self, parent: etree._Element) -> None:
        data = self.data
        statement = _sub(parent, "statement")
        if data.get("traceable_to"):
            _sub(statement, "traceable", "true")
        self.sentence(statement, "declaration", "traceability_text")
        if data.get("conformity_stated"):
            self.decision_rule(_sub(parent, "statement", refType="basic_conformity"))
        statement = _sub(parent, "statement")
        _sub(statement, "norm", "ISO/IEC 17025:2017")
        _sub(statement, "reference", "7.8.2.1 j)")
        self.label(statement, "declaration", N_("The results relate only to the items calibrated."))
        if data.get("issued_on"):
            statement = _sub(parent, "statement")
            self.label(statement, "declaration", N_("Date of issue"))
            _sub(statement, "date", data["issued_on"])

    def decision_rule(self, parent: etree._Element) -> None:
        """The decision rule as the certificate states it, with the ILAC-G8 clause it cites."""
        rule = (self.data.get("decision_rule") or {}).get("name")
        if rule in DECISION_RULE_CLAUSES:
            _sub(parent, "norm", "ILAC-G8:09/2019")
            _sub(parent, "reference", DECISION_RULE_CLAUSES[rule])
        self.sentence(parent, "declaration", "decision_rule_text")

    def sentence(self, parent: etree._Element, tag: str, macro: str) -> None:
        """A standard sentence exactly as the certificate prints it in each language
        (lims.documents.render.statement).  A language whose free text is not translated
        (a decision rule agreed in the lab's own words) is left out rather than mixed."""
        element = _sub(parent, tag)
        for language in LANGUAGES:
            texts = self.texts.get(language) or {}
            if language == MASTER_LANGUAGE:
                texts = self.data.get("free_text") or {}
            elif macro == "decision_rule_text" and not _agreed_rule_translated(self.data, texts):
                continue
            _content(element, statement(macro, self.data, language=language, texts=texts), language)

    # -- measurement results

    def measurement_results(self, parent: etree._Element) -> None:
        result = _sub(parent, "measurementResult")
        self.label(result, "name", N_("Calibration results"))
        self.methods(result)
        self.equipment(result)
        self.conditions(result)
        self.results(_sub(result, "results"), self.data["results"])
        # An instrument adjusted during its calibration: its results as found, before the
        # adjustment (ISO/IEC 17025:2017 7.8.4.1 d); the results above are as left.
        if self.data.get("adjustments"):
            found = _sub(parent, "measurementResult")
            self.label(found, "name", N_("Before adjustment (as found)"))
            self.results(_sub(found, "results"), self.data["adjustments"])

    def methods(self, parent: etree._Element) -> None:
        methods = self.data.get("methods") or []
        if not methods:
            return
        used = _sub(parent, "usedMethods")
        for method in methods:
            element = _sub(used, "usedMethod")
            self.text(element, "name", method["title"], f"methods.{method['id']}.title")

            def wording(language: str, method: Mapping[str, Any] = method) -> str | None:
                words = _labels(language, N_("version"))
                version = method.get("version")
                return f"{method['code']}, {words[0]} {version}" if version else method["code"]

            self.contents(element, "description", wording(MASTER_LANGUAGE), wording)
            if method.get("reference"):
                _sub(element, "norm", method["reference"])

    def equipment(self, parent: etree._Element) -> None:
        equipment = self.data.get("equipment") or []
        if not equipment:
            return
        listing = _sub(parent, "measuringEquipments")
        for row in equipment:
            element = _sub(listing, "measuringEquipment", refType="basic_normalUsed")
            self.master_text(element, "name", row["name"], row.get("translations"), "name")

            def wording(language: str, row: Mapping[str, Any] = row) -> str | None:
                words = _labels(language, N_("Calibrated"), N_("Next calibration"))
                # ISO 8601 in every language: a DCC is read by machines first.
                dates = [
                    f"{word} {row[field]}."
                    for word, field in zip(words, ("calibrated_on", "due"), strict=True)
                    if row.get(field)
                ]
                return " ".join(dates) or None

            self.contents(element, "description", wording(MASTER_LANGUAGE), wording)
            self.identifications(
                element,
                [
                    ("calibrationLaboratory", row.get("code"), N_("Equipment code")),
                    ("other", row.get("certificate"), N_("Calibration certificate")),
                ],
            )

    def conditions(self, parent: etree._Element) -> None:
        environment = self.data.get("environment") or {}
        ranges = [
            ("temperature", N_("Ambient temperature"), "°C", "basic_temperature"),
            ("humidity", N_("Relative humidity"), "%RH", "basic_humidityRelative"),
        ]
        present = [row for row in ranges if _has_range(environment, row[0])]
        if not present:
            return
        conditions = _sub(parent, "influenceConditions")
        for field, label, unit, ref_type in present:
            condition = _sub(conditions, "influenceCondition", refType=ref_type)
            self.label(condition, "name", label)
            data = _sub(condition, "data")
            ends = (("min", N_("Minimum"), "Min"), ("max", N_("Maximum"), "Max"))
            for end, end_label, suffix in ends:
                value = environment.get(f"{field}_{end}")
                if value is not None:
                    quantity = _sub(data, "quantity", refType=f"{ref_type}{suffix}")
                    self.label(quantity, "name", end_label)
                    _real(quantity, value, unit)

    def results(self, parent: etree._Element, results: list[Mapping[str, Any]]) -> None:
        if not results:
            raise ValueError("the DCC needs results: the certificate has none")
        items = {item["id"]: item for item in self.data["items"]}
        strays = sorted({r["item_id"] for r in results if r["item_id"] not in items}, key=str)
        if strays:
            raise ValueError(f"results of items not on the certificate: {strays}")
        for item_id, item in items.items():
            points = [r for r in results if r["item_id"] == item_id]
            if not points:
                continue
            result = _sub(parent, "result", refId=_item_id(item_id))
            self.text(result, "name", item["description"], f"items.{item_id}.description")
            data = _sub(result, "data")
            for point in points:
                self.point(_sub(data, "list"), point)

    def point(self, parent: etree._Element, point: Mapping[str, Any]) -> None:
        """One calibration point: its nominal value and its result with uncertainty."""
        labels = self.data.get("label_translations") or {}
        self.master_text(parent, "name", point["label"], labels.get(point["label"]), "label")
        if point.get("nominal") is not None:
            quantity = _sub(parent, "quantity", refType="basic_nominalValue")
            self.label(quantity, "name", N_("Nominal value"))
            _real(quantity, point["nominal"], point.get("nominal_unit") or point["unit"])
        # What the result is, as the method says and the certificate labels it; data issued
        # before methods said so tells it by the kind of characteristic.
        legacy = "error_of_indication" if point.get("kind") == "calibration_point" else ""
        quantity = str(point.get("quantity") or legacy)
        ref_type, label = RESULT_QUANTITIES.get(quantity, RESULT_QUANTITIES["measured_value"])
        quantity = _sub(parent, "quantity", refType=ref_type)
        self.label(quantity, "name", label)
        value, uncertainty = _printed(point)
        _real(quantity, value, point["unit"], uncertainty=uncertainty)
        self.conformity(quantity, point)
        if point.get("accredited") is False:
            metadata = _sub(_metadata_of(parent), "metaData")
            self.label(metadata, "declaration", N_("Not covered by the accreditation"))
        if point.get("adjustment"):
            metadata = _sub(_metadata_of(parent), "metaData")
            key = f"results.{point['characteristic_id']}.adjustment"
            self.text(metadata, "declaration", point["adjustment"], key)
            _sub(metadata, "date", point["adjusted_on"])

    def conformity(self, parent: etree._Element, point: Mapping[str, Any]) -> None:
        """The statement of conformity with the rule it was made by, the acceptance limits
        the decision used (under a guard band the tolerance limits moved inwards by w) and
        the tolerance (specification) limits the certificate prints."""
        decision = point.get("decision")
        accepted = point.get("acceptance_limits") or [None, None]
        limits = [
            (value, label, ref_type)
            for value, label, ref_type in (
                (accepted[0], N_("Lower acceptance limit"), "basic_acceptanceLimitLower"),
                (accepted[1], N_("Upper acceptance limit"), "basic_acceptanceLimitUpper"),
                (
                    point.get("lower_limit"),
                    N_("Lower tolerance limit"),
                    "basic_toleranceLimitLower",
                ),
                (
                    point.get("upper_limit"),
                    N_("Upper tolerance limit"),
                    "basic_toleranceLimitUpper",
                ),
            )
            if value is not None
        ]
        if decision is None and not limits:
            return
        metadata = _sub(_sub(parent, "measurementMetaData"), "metaData", refType="basic_conformity")
        if decision is not None:
            self.decision_rule(metadata)
            if decision not in CONFORMITY:
                known = ", ".join(CONFORMITY)
                raise ValueError(
                    f"decision {decision!r} of {point['label']!r} is not one of {known}"
                )
            _sub(metadata, "conformity", CONFORMITY[decision])
        else:
            self.label(metadata, "declaration", N_("Conformity"))
        if limits:
            # The limits are in the characteristic's unit, as the certificate prints them.
            unit = point.get("limit_unit") or point["unit"]
            data = _sub(metadata, "data")
            for value, label, ref_type in limits:
                quantity = _sub(data, "quantity", refType=ref_type)
                self.label(quantity, "name", label)
                _real(quantity, value, unit)

    # -- text in the master language and the translation

    def text(self, parent: etree._Element, tag: str, finnish: str, key: str | None = None) -> None:
        """The lab's own wording: Finnish, and its translations known at issue."""
        self.contents(
            parent,
            tag,
            finnish,
            lambda language: (self.texts.get(language) or {}).get(key) if key else None,
        )

    def master_text(
        self,
        parent: etree._Element,
        tag: str,
        finnish: str,
        translations: Mapping[str, Mapping[str, str]] | None,
        field: str,
    ) -> None:
        """Master data (lims.master_text): Finnish with the lab's translations; without any,
        a name the same in every language (no ``lang``), like "10 mm"."""
        if not translations:
            _name(_sub(parent, tag), finnish)
            return
        self.contents(
            parent, tag, finnish, lambda language: (translations.get(language) or {}).get(field)
        )

    def label(self, parent: etree._Element, tag: str, message: str) -> None:
        """This module's fixed wording in every language of the documents catalog."""
        self.contents(parent, tag, _labelled(message)(MASTER_LANGUAGE), _labelled(message))

    def contents(
        self,
        parent: etree._Element,
        tag: str | None,
        finnish: str | None,
        translate: Callable[[str], str | None],
    ) -> None:
        """``finnish`` with lang fi, and ``translate(language)`` in each other language that
        has a text, in a new ``tag`` under ``parent`` (or in ``parent`` itself)."""
        if finnish is None:
            return
        element = parent if tag is None else _sub(parent, tag)
        _content(element, finnish, MASTER_LANGUAGE)
        for language in self.others:
            translation = translate(language)
            if translation:
                _content(element, translation, language)


def _labelled(message: str, value: str | None = None) -> Callable[[str], str]:
    """A translator giving ``message`` (and ``: value``) in a language."""

    def translate(language: str) -> str:
        word = translations("documents", language).gettext(message)
        return word if value is None else f"{word}: {value}"

    return translate


def _labels(language: str, *messages: str) -> list[str]:
    """``messages`` in ``language``, from the documents catalog."""
    return [translations("documents", language).gettext(message) for message in messages]


def _agreed_rule_translated(data: Mapping[str, Any], texts: Mapping[str, str]) -> bool:
    """Whether the decision rule's sentence has all its words in a language: a rule agreed in
    the lab's own words (no named rule) needs their translation."""
    rule = data.get("decision_rule") or {}
    return (
        rule.get("name") in DECISION_RULE_CLAUSES
        or not rule.get("text")
        or bool(texts.get("decision_rule_text"))
    )


def _has_range(environment: Mapping[str, Any], field: str) -> bool:
    return any(environment.get(f"{field}_{end}") is not None for end in ("min", "max"))


def _item_id(item_id: Any) -> str:
    # xs:ID values may not start with a digit.
    return f"item-{item_id}"


def _printed(point: Mapping[str, Any]) -> tuple[str, tuple[str, str, float] | None]:
    """The value, U and k of a point as the certificate prints them: rounded by the one code
    path the PDF uses (lims.uncertainty.reporting), never the floating-point remainders."""
    value, expanded = rounded_result(point["value"], point.get("expanded_uncertainty"))
    if expanded is None:
        return value, None
    k, p = point.get("coverage_factor"), point.get("coverage_probability")
    if k is None or p is None:
        raise ValueError(
            f"the uncertainty of {point['label']!r} lacks its coverage factor or probability"
        )
    return value, (expanded, format_coverage_factor(k), p)


# -- XML helpers --------------------------------------------------------------------------


def _dcc(tag: str) -> str:
    return f"{{{DCC_NS}}}{tag}"


def _metadata_of(parent: etree._Element) -> Any:
    """``parent``'s one measurementMetaData, made when it has none yet."""
    found = parent.find(_dcc("measurementMetaData"))
    return found if found is not None else _sub(parent, "measurementMetaData")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, _dcc(tag), attributes)
    if text is not None:
        element.text = text
    return element


def _content(parent: etree._Element, text: str, language: str | None = None) -> None:
    content = _sub(parent, "content", text)
    if language is not None:
        content.set("lang", language)


def _name(parent: etree._Element, text: str) -> None:
    """A proper name: the same in every language, so without ``lang``."""
    _content(parent, text)


def _real(
    parent: etree._Element,
    value: float | str,
    unit: str,
    *,
    uncertainty: tuple[str, str, float] | None = None,
) -> None:
    real = etree.SubElement(parent, f"{{{SI_NS}}}real")
    etree.SubElement(real, f"{{{SI_NS}}}value").text = _number(value)
    etree.SubElement(real, f"{{{SI_NS}}}unit").text = dsi_unit(unit)
    if uncertainty is not None:
        expanded, k, p = uncertainty
        unc = etree.SubElement(real, f"{{{SI_NS}}}expandedUnc")
        etree.SubElement(unc, f"{{{SI_NS}}}uncertainty").text = _number(expanded)
        etree.SubElement(unc, f"{{{SI_NS}}}coverageFactor").text = _number(k)
        etree.SubElement(unc, f"{{{SI_NS}}}coverageProbability").text = _number(p)
        etree.SubElement(unc, f"{{{SI_NS}}}distribution").text = "normal"


def _number(value: float | str) -> str:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    if isinstance(value, str):  # rounded as the certificate prints it: every digit is kept
        return value
    # repr is the shortest text that reads back as the same float, and D-SI accepts it.
    return repr(number)


# -- validation ---------------------------------------------------------------------------


class _LocalSchemas(etree.Resolver):
    """Sends the D-SI schema location to the dsi_*.xsd file in the folder, and the xmldsig
    one to the folder's copy or else the one shipped in ``schemas/``; notes any other remote
    location, which is then refused (never fetched)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.unavailable: list[str] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        if system_url is None:
            return None
        if system_url in XMLDSIG_LOCATIONS:
            for folder in (self.folder, BUNDLED_SCHEMAS):
                if (folder / XMLDSIG_FILE).is_file():
                    return self.resolve_filename(str(folder / XMLDSIG_FILE), context)
        match = _DSI_LOCATION.search(system_url)
        if match:
            local = self.folder / f"dsi_{match[1]}_{match[2]}_{match[3]}.xsd"
            if local.is_file():
                return self.resolve_filename(str(local), context)
        if match or urlsplit(system_url).scheme in ("http", "https", "ftp"):
            self.unavailable.append(system_url)
            return self.resolve_string("", context)
        return None


@lru_cache(maxsize=8)
def _schema(folder: Path, version: str) -> tuple[etree.XMLSchema, threading.Lock]:
    """The DCC schema of ``version`` in ``folder``, parsed once (it takes a while)."""
    path = folder / f"dcc_{version.replace('.', '_')}.xsd"
    if not path.is_file():
        raise ConfigurationError(
            "the DCC %(version)s schema is not at %(path)s",
            code="documents.dcc_schema",
            version=version,
            path=path,
        )
    resolver = _LocalSchemas(folder)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(resolver)
    try:
        schema = etree.XMLSchema(etree.parse(str(path), parser))
    except etree.XMLSchemaParseError as error:
        if resolver.unavailable:
            missing = ", ".join(resolver.unavailable)
            raise ConfigurationError(
                "the DCC %(version)s schema imports %(missing)s, which is not in "
                "%(folder)s; schemas are never fetched from the network",
                code="documents.dcc_schema_imports_which_schemas",
                version=version,
                missing=missing,
                folder=folder,
            ) from None
        raise ConfigurationError(
            "the DCC %(version)s schema at %(path)s is broken: %(error)s",
            code="documents.dcc_schema_broken",
            version=version,
            path=path,
            error=error,
        ) from None
    return schema, threading.Lock()


def _short_names(message: str) -> str:
    for namespace, prefix in _PREFIXES.items():
        message = message.replace(namespace, prefix)
    return message
