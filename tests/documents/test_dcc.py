"""The DCC of a calibration certificate: valid DCC 3.1.2, its numbers and languages, offline."""

import copy
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from lims.documents.dcc import calibration_dcc, dsi_unit, validate_dcc
from lims.errors import ConfigurationError
from tests.conftest import shared_path

NS = {"dcc": "https://ptb.de/dcc", "si": "https://ptb.de/si"}
TRACEABILITY_FI = "Tulokset ovat jäljitettävissä SI-yksiköihin kansallisten mittanormaalien kautta."
TRACEABILITY_EN = "The results are traceable to the SI units through national standards."
CERTIFICATE: dict[str, Any] = {
    "kind": "calibration_certificate",
    "number": "KT-2026-0001",
    "language": "fi",
    "revision": 0,
    "issued_on": "2026-11-27",
    "lab": {
        "name": "Demo Measurement Laboratory",
        "address": "Tykistökatu 4, 20520 Turku, Finland",
        "accreditation_body": "FINAS",
        "accreditation_number": "K000",
    },
    "customer": {
        "name": "Konepaja Esimerkki Oy",
        "business_id": "0112038-9",
        "address": "Teollisuuskatu 1, 00510 Helsinki",
        "contact": {"name": "Maija Mittaaja", "email": "maija@example.fi"},
    },
    "job": {
        "number": "T-2026-0001",
        "customer_reference": "PO-4711",
        "received_on": "2026-11-20",
        "measured_from": "2026-11-25",
        "measured_to": "2026-11-26",
        "place": "laboratory",
    },
    "items": [
        {
            "id": 1,
            "description": "Ulkomikrometri",
            "identification": "SN 123456",
            "manufacturer": "Mitutoyo",
            "model": "103-137",
            "instrument_type": "external micrometer",
            "range_text": "0-25 mm",
            "resolution": 0.001,
            "resolution_unit": "mm",
            "condition": "fit",
            "condition_remarks": None,
        }
    ],
    "methods": [
        {
            "code": "MK-01",
            "title": "Mikrometrin kalibrointi",
            "version": 2,
            "reference": "ISO 3611:2023",
        }
    ],
    "equipment": [
        {
            "code": "E-001",
            "name": "Gauge block set",
            "certificate": "FINAS K008 2026-0042",
            "calibrated_on": "2026-03-01",
            "due": "2027-03-01",
        }
    ],
    "results": [
        {
            "item_id": 1,
            "label": "10 mm",
            "kind": "calibration_point",
            "nominal": 10.0,
            "nominal_unit": "mm",
            "value": -0.3,
            "unit": "um",
            "expanded_uncertainty": 0.62,
            "coverage_factor": 2.0,
            "coverage_probability": 0.95,
            "lower_limit": -2.0,
            "upper_limit": 2.0,
            "decision": "pass",
            "decision_rule": "guard_band_U",
            "accredited": True,
            "measured_on": "2026-11-25",
        },
        {
            "item_id": 1,
            "label": "25 mm",
            "kind": "calibration_point",
            "nominal": 25.0,
            "nominal_unit": "mm",
            "value": 0.5,
            "unit": "um",
            "expanded_uncertainty": 0.71,
            "coverage_factor": 2.0,
            "coverage_probability": 0.95,
            "lower_limit": -2.0,
            "upper_limit": 2.0,
            "decision": "pass",
            "decision_rule": "guard_band_U",
            "accredited": True,
            "measured_on": "2026-11-26",
        },
    ],
    "environment": {
        "temperature_min": 20.0,
        "temperature_max": 20.3,
        "humidity_min": 40.0,
        "humidity_max": 46.0,
    },
    "traceability": TRACEABILITY_FI,
    "decision_rule_text": "Vaatimustenmukaisuus on päätetty ILAC-G8:n mukaan suojakaistalla w = U.",
    "signatory": {"name": "Anna Allekirjoittaja", "function": "Laboratorion johtaja"},
    "texts": {
        "en": {
            "traceability": TRACEABILITY_EN,
            "decision_rule_text": "Conformity is decided by ILAC-G8 with a guard band w = U.",
            "items.1.description": "External micrometer",
        }
    },
}


def certificate(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(CERTIFICATE)
    data.update(changes)
    return data


def schemas() -> Path:
    return shared_path("schemas", "dcc")


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def point(root: etree._Element, label: str) -> etree._Element:
    (found,) = root.xpath(
        "//dcc:results//dcc:list[dcc:name/dcc:content = $label]", namespaces=NS, label=label
    )
    return found


def contents(element: etree._Element) -> dict[str | None, str]:
    return {c.get("lang"): c.text for c in element.findall("dcc:content", NS)}


# -- validity -----------------------------------------------------------------------------


def test_the_dcc_of_a_calibration_certificate_is_a_valid_dcc_3_1_2() -> None:
    xml = calibration_dcc(certificate())

    assert validate_dcc(xml, schemas()) == []
    assert parse(xml).get("schemaVersion") == "3.1.2"


def test_a_translated_dcc_is_valid_too() -> None:
    assert validate_dcc(calibration_dcc(certificate(language="en")), schemas()) == []


def test_a_dcc_with_the_optional_data_missing_is_still_valid() -> None:
    data = certificate(
        decision_rule_text=None, traceability=None, methods=[], equipment=[], environment=None
    )
    data["customer"].update(address=None, contact=None, business_id=None)
    data["items"][0].update(identification=None, manufacturer=None, model=None, resolution=None)
    data["job"].update(received_on=None, customer_reference=None)
    for result in data["results"]:
        result.update(expanded_uncertainty=None, decision=None, lower_limit=None, upper_limit=None)

    assert validate_dcc(calibration_dcc(data), schemas()) == []


def test_the_validator_accepts_a_ptb_example_of_its_version() -> None:
    example = shared_path("fixtures", "dcc", "ptb_v3.1.1_dcc-vacuumlab-SRG.xml").read_bytes()

    assert validate_dcc(example, schemas(), version="3.1.1") == []


def test_a_ptb_3_1_1_example_relabelled_3_1_2_passes_the_3_1_2_schema() -> None:
    # DCC 3.1.2 differs from 3.1.1 only by one new optional element (statement location).
    example = shared_path("fixtures", "dcc", "ptb_v3.1.1_dcc-vacuumlab-SRG.xml").read_bytes()
    relabelled = example.replace(b'schemaVersion="3.1.1"', b'schemaVersion="3.1.2"', 1)

    assert validate_dcc(example, schemas()) != []
    assert validate_dcc(relabelled, schemas()) == []


def test_the_validator_names_a_mandatory_element_deleted_from_a_ptb_example() -> None:
    example = shared_path("fixtures", "dcc", "ptb_v3.1.1_dcc-vacuumlab-SRG.xml").read_bytes()
    root = parse(example)
    customer = root.find("dcc:administrativeData/dcc:customer", NS)
    customer.getparent().remove(customer)

    errors = validate_dcc(etree.tostring(root), schemas(), version="3.1.1")

    assert len(errors) == 1
    assert errors[0].startswith("line ")
    assert "dcc:customer" in errors[0]


def test_the_validator_reports_xml_that_is_not_well_formed() -> None:
    (error,) = validate_dcc(b"<dcc:digitalCalibrationCertificate", schemas())

    assert error.startswith("not well-formed XML")


def test_a_folder_without_the_schema_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"dcc_3_1_2\.xsd"):
        validate_dcc(calibration_dcc(certificate()), tmp_path)


# -- never from the network ---------------------------------------------------------------


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    """A local web server that serves a valid xmldsig-like schema and records each request."""
    requests: list[str] = []
    body = (
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        b'targetNamespace="http://www.w3.org/2000/09/xmldsig#" elementFormDefault="qualified">'
        b'<xs:element name="Signature"/></xs:schema>'
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_the_d_si_import_is_read_from_the_folder_not_the_web(
    tmp_path: Path, web_server: tuple[str, list[str]]
) -> None:
    url, requests = web_server
    shutil.copy(schemas() / "dsi_2_1_0.xsd", tmp_path)
    dcc = (schemas() / "dcc_3_1_2.xsd").read_text(encoding="utf-8")
    reachable = dcc.replace("https://ptb.de/si/v2.1.0/", f"{url}/si/v2.1.0/")
    assert reachable != dcc
    (tmp_path / "dcc_3_1_2.xsd").write_text(reachable, encoding="utf-8")

    assert validate_dcc(calibration_dcc(certificate()), tmp_path) == []
    assert requests == []


def test_an_import_missing_from_the_folder_is_refused_not_downloaded(
    tmp_path: Path, web_server: tuple[str, list[str]]
) -> None:
    # DCC 3.2.0 imports xmldsig, which the folder lacks; the web server would serve it.
    url, requests = web_server
    shutil.copy(schemas() / "dsi_2_1_0.xsd", tmp_path)
    dcc = (schemas() / "dcc_3_2_0.xsd").read_text(encoding="utf-8")
    reachable = dcc.replace("https://www.w3.org/TR/xmldsig-core/", f"{url}/xmldsig/")
    assert reachable != dcc
    (tmp_path / "dcc_3_2_0.xsd").write_text(reachable, encoding="utf-8")

    with pytest.raises(ConfigurationError, match="never fetched from the network") as raised:
        validate_dcc(calibration_dcc(certificate()), tmp_path, version="3.2.0")
    assert f"{url}/xmldsig/xmldsig-core-schema.xsd" in raised.value.message
    assert requests == []


# -- numbers ------------------------------------------------------------------------------


def test_the_uncertainty_of_a_point_reads_back_with_its_coverage() -> None:
    root = parse(calibration_dcc(certificate()))
    at_25 = point(root, "25 mm")

    nominal = at_25.find("dcc:quantity[@refType='basic_nominalValue']/si:real", NS)
    error = at_25.find("dcc:quantity[@refType='basic_measurementError']/si:real", NS)
    assert float(nominal.findtext("si:value", namespaces=NS)) == 25.0
    assert nominal.findtext("si:unit", namespaces=NS) == r"\milli\metre"
    assert float(error.findtext("si:value", namespaces=NS)) == 0.5
    assert error.findtext("si:unit", namespaces=NS) == r"\micro\metre"
    uncertainty = error.find("si:expandedUnc", NS)
    assert float(uncertainty.findtext("si:uncertainty", namespaces=NS)) == 0.71
    assert float(uncertainty.findtext("si:coverageFactor", namespaces=NS)) == 2
    assert float(uncertainty.findtext("si:coverageProbability", namespaces=NS)) == 0.95
    assert uncertainty.findtext("si:distribution", namespaces=NS) == "normal"


def test_u_k_and_the_value_are_rounded_as_the_certificate_prints_them() -> None:
    """Issue #23's reproduction: U = 0.7572332889479945 um and k = 2.0000620661685042 were
    written unrounded while the PDF printed 0,76 um and k = 2,00.  GUM 7.2.6: U to at most two
    significant digits (0.76); the value to the same decimal place (1.2345 -> 1.23); k as
    EA-4/02 states it, to two decimals (2.00)."""
    data = certificate()
    data["results"][1].update(
        value=1.2345, expanded_uncertainty=0.7572332889479945, coverage_factor=2.0000620661685042
    )

    error = point(parse(calibration_dcc(data)), "25 mm").find(
        "dcc:quantity[@refType='basic_measurementError']/si:real", NS
    )

    assert error.findtext("si:value", namespaces=NS) == "1.23"
    assert error.findtext("si:expandedUnc/si:uncertainty", namespaces=NS) == "0.76"
    assert error.findtext("si:expandedUnc/si:coverageFactor", namespaces=NS) == "2.00"


def test_trailing_zeros_of_the_rounded_result_are_kept() -> None:
    """U = 0.0801 um rounds to 0.080 (two significant digits, GUM 7.2.6), the value 0.43 to
    the same place, 0.430: the digits say how well the value is known."""
    data = certificate()
    data["results"][0].update(value=0.43, expanded_uncertainty=0.0801)

    error = point(parse(calibration_dcc(data)), "10 mm").find(
        "dcc:quantity[@refType='basic_measurementError']/si:real", NS
    )

    assert error.findtext("si:value", namespaces=NS) == "0.430"
    assert error.findtext("si:expandedUnc/si:uncertainty", namespaces=NS) == "0.080"


def test_each_point_states_its_conformity_and_limits() -> None:
    data = certificate()
    data["results"][0]["decision"] = "conditional_fail"
    root = parse(calibration_dcc(data))

    metadata = point(root, "10 mm").find(".//dcc:metaData[@refType='basic_conformity']", NS)
    assert metadata.findtext("dcc:conformity", namespaces=NS) == "conditionalFail"
    limits = {
        quantity.get("refType"): float(quantity.findtext("si:real/si:value", namespaces=NS))
        for quantity in metadata.findall("dcc:data/dcc:quantity", NS)
    }
    assert limits == {"basic_acceptanceLimitLower": -2.0, "basic_acceptanceLimitUpper": 2.0}


def test_a_point_without_uncertainty_has_no_expanded_uncertainty() -> None:
    data = certificate()
    data["results"][1]["expanded_uncertainty"] = None

    at_25 = point(parse(calibration_dcc(data)), "25 mm")

    assert at_25.find(".//si:expandedUnc", NS) is None
    assert at_25.find(".//si:value", NS) is not None


def test_a_point_outside_the_accreditation_says_so() -> None:
    data = certificate()
    data["results"][0]["accredited"] = False
    xml = calibration_dcc(data)
    root = parse(xml)

    (declaration,) = point(root, "10 mm").findall("dcc:measurementMetaData//dcc:declaration", NS)
    assert contents(declaration) == {"fi": "Ei kuulu akkreditoinnin piiriin"}
    assert point(root, "25 mm").find("dcc:measurementMetaData", NS) is None
    assert validate_dcc(xml, schemas()) == []


def test_the_ambient_conditions_are_given_as_ranges() -> None:
    root = parse(calibration_dcc(certificate()))

    values = {
        quantity.get("refType"): (
            float(quantity.findtext("si:real/si:value", namespaces=NS)),
            quantity.findtext("si:real/si:unit", namespaces=NS),
        )
        for quantity in root.iterfind(".//dcc:influenceCondition/dcc:data/dcc:quantity", NS)
    }
    assert values == {
        "basic_temperatureMin": (20.0, r"\degreeCelsius"),
        "basic_temperatureMax": (20.3, r"\degreeCelsius"),
        "basic_humidityRelativeMin": (40.0, r"\percent"),
        "basic_humidityRelativeMax": (46.0, r"\percent"),
    }


def test_the_core_data_name_the_certificate_and_its_dates() -> None:
    core = parse(calibration_dcc(certificate())).find("dcc:administrativeData/dcc:coreData", NS)

    assert core.findtext("dcc:uniqueIdentifier", namespaces=NS) == "KT-2026-0001"
    assert core.findtext("dcc:countryCodeISO3166_1", namespaces=NS) == "FI"
    assert core.findtext("dcc:receiptDate", namespaces=NS) == "2026-11-20"
    assert core.findtext("dcc:beginPerformanceDate", namespaces=NS) == "2026-11-25"
    assert core.findtext("dcc:endPerformanceDate", namespaces=NS) == "2026-11-26"
    assert core.findtext("dcc:performanceLocation", namespaces=NS) == "laboratory"


def test_without_job_dates_the_performance_dates_span_the_results() -> None:
    data = certificate()
    data["job"].update(measured_from=None, measured_to=None)
    data["results"][0]["measured_on"] = "2026-11-24"

    core = parse(calibration_dcc(data)).find(".//dcc:coreData", NS)

    assert core.findtext("dcc:beginPerformanceDate", namespaces=NS) == "2026-11-24"
    assert core.findtext("dcc:endPerformanceDate", namespaces=NS) == "2026-11-26"


def test_the_signatory_is_the_main_signer() -> None:
    person = parse(calibration_dcc(certificate())).find(".//dcc:respPerson", NS)

    assert person.findtext("dcc:person/dcc:name/dcc:content", namespaces=NS) == (
        "Anna Allekirjoittaja"
    )
    assert person.findtext("dcc:mainSigner", namespaces=NS) == "true"


# -- units and bad data -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("mm", r"\milli\metre"),
        ("um", r"\micro\metre"),
        ("µm", r"\micro\metre"),
        ("°", r"\degree"),
        ("degC", r"\degreeCelsius"),
        ("%RH", r"\percent"),
        ("N·m", r"\newton\metre"),
        ("Nm", r"\newton\metre"),
        ("kg", r"\kilogram"),
        ("Pa", r"\pascal"),
        ("μm", r"\micro\metre"),
        ("kN", r"\kilo\newton"),
        ("mm/m", r"\milli\metre\metre\tothe{-1}"),
        ("arcsec", r"\arcsecond"),
        ("1/K", r"\kelvin\tothe{-1}"),
        ("delta_degC", r"\kelvin"),
        ("N/mm**2", r"\newton\milli\metre\tothe{-2}"),
    ],
)
def test_lims_units_map_to_d_si(unit: str, expected: str) -> None:
    assert dsi_unit(unit) == expected


def test_an_unknown_unit_raises_naming_it() -> None:
    data = certificate()
    data["results"][0]["unit"] = "furlong"

    with pytest.raises(ValueError, match="furlong"):
        calibration_dcc(data)


def test_an_unknown_decision_raises_naming_the_point() -> None:
    data = certificate()
    data["results"][0]["decision"] = "maybe"

    with pytest.raises(ValueError, match=r"maybe.*10 mm"):
        calibration_dcc(data)


def test_a_result_of_an_item_not_on_the_certificate_raises() -> None:
    data = certificate()
    data["results"][0]["item_id"] = 99

    with pytest.raises(ValueError, match="99"):
        calibration_dcc(data)


# -- languages ----------------------------------------------------------------------------


def test_a_finnish_certificate_speaks_finnish_only() -> None:
    root = parse(calibration_dcc(certificate()))

    assert [e.text for e in root.iterfind(".//dcc:usedLangCodeISO639_1", NS)] == ["fi"]
    assert {c.get("lang") for c in root.iterfind(".//dcc:content", NS)} == {"fi", None}
    statement = root.find(".//dcc:statement[dcc:traceable]/dcc:declaration", NS)
    assert contents(statement) == {"fi": TRACEABILITY_FI}


def test_a_translation_adds_english_beside_the_finnish() -> None:
    root = parse(calibration_dcc(certificate(language="en")))

    assert [e.text for e in root.iterfind(".//dcc:usedLangCodeISO639_1", NS)] == ["fi", "en"]
    assert [e.text for e in root.iterfind(".//dcc:mandatoryLangCodeISO639_1", NS)] == ["fi"]
    statement = root.find(".//dcc:statement[dcc:traceable]/dcc:declaration", NS)
    assert contents(statement) == {"fi": TRACEABILITY_FI, "en": TRACEABILITY_EN}
    item = root.find(".//dcc:item/dcc:name", NS)
    assert contents(item) == {"fi": "Ulkomikrometri", "en": "External micrometer"}
    quantity = point(root, "25 mm").find("dcc:quantity[@refType='basic_measurementError']", NS)
    assert contents(quantity.find("dcc:name", NS)) == {
        "fi": "Näyttämän virhe",
        "en": "Error of indication",
    }


def test_a_text_without_its_translation_stays_finnish_only() -> None:
    data = certificate(language="en")
    del data["texts"]["en"]["traceability"]

    root = parse(calibration_dcc(data))

    statement = root.find(".//dcc:statement[dcc:traceable]/dcc:declaration", NS)
    assert contents(statement) == {"fi": TRACEABILITY_FI}
