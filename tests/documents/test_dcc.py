"""The DCC of a calibration certificate: valid DCC 3.2.0 and 3.1.2, its numbers as printed, its
statements and languages, validated offline."""

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
CERTIFICATE: dict[str, Any] = {
    "kind": "calibration_certificate",
    "number": "KT-2026-0001",
    "language": "fi",
    "revision": 0,
    "issued_on": "2026-11-27",
    "lab": {
        "name": "Demo Measurement Laboratory",
        "address": "Tykistökatu 4, 20520 Turku, Finland",
        "email": "laboratorio@example.fi",
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
            "id": 7,
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
            "acceptance_limits": [-1.38, 1.38],
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
    "traceable_to": ["VTT MIKES"],
    "decision_rule": {"name": "guard_band_U", "r": None, "text": None},
    "conformity_stated": True,
    "signatory": {"name": "Anna Allekirjoittaja", "function": "Laboratorion johtaja"},
    "free_text": {"items.1.description": "Ulkomikrometri"},
    "texts": {"en": {"items.1.description": "External micrometer"}},
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


def test_the_dcc_of_a_calibration_certificate_is_a_valid_dcc_3_2_0() -> None:
    xml = calibration_dcc(certificate())

    assert validate_dcc(xml, schemas()) == []
    assert validate_dcc(xml, schemas(), version="3.2.0") == []
    assert parse(xml).get("schemaVersion") == "3.2.0"


def test_the_same_certificate_written_as_dcc_3_1_2_is_valid_3_1_2() -> None:
    xml = calibration_dcc(certificate(), version="3.1.2")

    assert validate_dcc(xml, schemas(), version="3.1.2") == []
    assert parse(xml).get("schemaVersion") == "3.1.2"


def test_a_dcc_with_the_optional_data_missing_is_still_valid() -> None:
    data = certificate(
        decision_rule=None,
        conformity_stated=False,
        traceable_to=[],
        methods=[],
        equipment=[],
        environment=None,
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

    assert validate_dcc(example, schemas(), version="3.1.2") != []
    assert validate_dcc(relabelled, schemas(), version="3.1.2") == []


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
    with pytest.raises(ConfigurationError, match=r"dcc_3_2_0\.xsd"):
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

    assert (
        validate_dcc(calibration_dcc(certificate(), version="3.1.2"), tmp_path, version="3.1.2")
        == []
    )
    assert requests == []


def test_the_xmldsig_import_of_dcc_3_2_0_is_read_from_the_shipped_copy(tmp_path: Path) -> None:
    # A folder with only the DCC and D-SI schemas: xmldsig comes from lims/documents/schemas.
    for name in ("dcc_3_2_0.xsd", "dsi_2_1_0.xsd"):
        shutil.copy(schemas() / name, tmp_path)

    assert validate_dcc(calibration_dcc(certificate()), tmp_path, version="3.2.0") == []


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
    assert limits == {
        "basic_acceptanceLimitLower": -1.38,
        "basic_acceptanceLimitUpper": 1.38,
        "basic_toleranceLimitLower": -2.0,
        "basic_toleranceLimitUpper": 2.0,
    }


def test_under_a_guard_band_the_specification_limits_are_not_called_acceptance_limits() -> None:
    """Issue #23: under w = U the DCC labelled the tolerance limits +-2 um as acceptance limits.
    ILAC-G8:09/2019 4.2.3: the acceptance limits are the tolerance limits moved inwards by
    w = U = 0.62 um, so +-1.38 um; the tolerance (specification) limits stay +-2 um."""
    metadata = point(parse(calibration_dcc(certificate())), "10 mm").find(
        ".//dcc:metaData[@refType='basic_conformity']", NS
    )

    names = {
        quantity.get("refType"): contents(quantity.find("dcc:name", NS))["en"]
        for quantity in metadata.findall("dcc:data/dcc:quantity", NS)
    }
    assert names == {
        "basic_acceptanceLimitLower": "Lower acceptance limit",
        "basic_acceptanceLimitUpper": "Upper acceptance limit",
        "basic_toleranceLimitLower": "Lower tolerance limit",
        "basic_toleranceLimitUpper": "Upper tolerance limit",
    }


def test_each_conformity_states_the_decision_rule_and_its_ilac_g8_clause() -> None:
    root = parse(calibration_dcc(certificate()))

    for label in ("10 mm", "25 mm"):
        metadata = point(root, label).find(".//dcc:metaData[@refType='basic_conformity']", NS)
        assert metadata.findtext("dcc:norm", namespaces=NS) == "ILAC-G8:09/2019"
        assert metadata.findtext("dcc:reference", namespaces=NS) == "4.2.3"
        rule = contents(metadata.find("dcc:declaration", NS))
        assert set(rule) == {"fi", "en", "sv", "et"}
        assert rule["en"].startswith("Guarded acceptance with a guard band w = U, non-binary")
        assert "(ILAC-G8:09/2019 4.2.3)" in rule["fi"]


def test_a_rule_agreed_in_the_labs_own_words_is_stated_only_where_it_is_translated() -> None:
    data = certificate(decision_rule={"name": "customer", "r": None, "text": "Sovittu sääntö."})
    data["free_text"]["decision_rule_text"] = "Sovittu sääntö."
    data["texts"]["en"]["decision_rule_text"] = "The agreed rule."

    statement = parse(calibration_dcc(data)).find(
        ".//dcc:statements/dcc:statement[@refType='basic_conformity']", NS
    )

    rule = contents(statement.find("dcc:declaration", NS))
    assert set(rule) == {"fi", "en"}
    assert rule["fi"].endswith("Sovittu sääntö.") and rule["en"].endswith("The agreed rule.")
    assert statement.find("dcc:norm", NS) is None


def test_the_traceability_statement_names_the_national_metrology_institute() -> None:
    statement = parse(calibration_dcc(certificate())).find(
        ".//dcc:statements/dcc:statement[dcc:traceable]", NS
    )

    assert statement.findtext("dcc:traceable", namespaces=NS) == "true"
    sentences = contents(statement.find("dcc:declaration", NS))
    assert set(sentences) == {"fi", "en", "sv", "et"}
    assert all("VTT MIKES" in sentence for sentence in sentences.values())
    assert "International System of Units (SI)" in sentences["en"]


def test_a_revision_names_the_certificate_it_replaces_as_previous_report() -> None:
    replaced = "9f" * 32
    data = certificate(number="KT-2026-0001-R1", revision=1)
    data["supersedes"] = {"number": "KT-2026-0001", "sha256": replaced, "reason": "typo"}

    xml = calibration_dcc(data)
    previous = parse(xml).find(".//dcc:coreData/dcc:previousReport", NS)

    assert previous.findtext("dcc:referralID", namespaces=NS) == "KT-2026-0001"
    assert previous.findtext("dcc:procedure", namespaces=NS) == "SHA-256"
    assert previous.findtext("dcc:value", namespaces=NS) == replaced
    assert contents(previous.find("dcc:referral", NS))["en"] == "Replaces certificate"
    assert validate_dcc(xml, schemas()) == []
    assert validate_dcc(calibration_dcc(data, version="3.1.2"), schemas(), version="3.1.2") == []


def test_a_first_issue_has_no_previous_report() -> None:
    assert parse(calibration_dcc(certificate())).find(".//dcc:previousReport", NS) is None


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
    assert contents(declaration)["fi"] == "Ei kuulu akkreditoinnin piiriin"
    assert contents(declaration)["en"] == "Not covered by the accreditation"
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


def test_one_dcc_speaks_finnish_first_and_every_document_language() -> None:
    root = parse(calibration_dcc(certificate()))

    used = [e.text for e in root.iterfind(".//dcc:usedLangCodeISO639_1", NS)]
    assert used == ["fi", "en", "sv", "et"]
    assert [e.text for e in root.iterfind(".//dcc:mandatoryLangCodeISO639_1", NS)] == ["fi"]
    quantity = point(root, "25 mm").find("dcc:quantity[@refType='basic_measurementError']", NS)
    assert contents(quantity.find("dcc:name", NS)) == {
        "fi": "Näyttämän virhe",
        "en": "Error of indication",
        "sv": "Visningsfel",
        "et": "Näiduviga",
    }


def test_the_labs_own_wording_appears_in_the_languages_it_is_translated_into() -> None:
    root = parse(calibration_dcc(certificate()))

    item = root.find(".//dcc:item/dcc:name", NS)
    assert contents(item) == {"fi": "Ulkomikrometri", "en": "External micrometer"}


def test_a_text_without_its_translation_stays_finnish_only() -> None:
    data = certificate()
    del data["texts"]["en"]["items.1.description"]

    item = parse(calibration_dcc(data)).find(".//dcc:item/dcc:name", NS)

    assert contents(item) == {"fi": "Ulkomikrometri"}


def test_master_data_carries_the_labs_translations() -> None:
    data = certificate()
    data["equipment"][0].update(
        name="Mittapalasarja", translations={"en": {"name": "Gauge block set"}}
    )
    data["label_translations"] = {"10 mm": {"en": {"label": "10 mm point"}}}
    data["texts"]["en"]["methods.7.title"] = "Calibration of micrometers"

    root = parse(calibration_dcc(data))

    equipment = root.find(".//dcc:measuringEquipment/dcc:name", NS)
    assert contents(equipment) == {"fi": "Mittapalasarja", "en": "Gauge block set"}
    method = root.find(".//dcc:usedMethod/dcc:name", NS)
    assert contents(method) == {"fi": "Mikrometrin kalibrointi", "en": "Calibration of micrometers"}
    assert contents(point(root, "10 mm").find("dcc:name", NS)) == {
        "fi": "10 mm",
        "en": "10 mm point",
    }
    # A label without translations is the same in every language.
    assert contents(point(root, "25 mm").find("dcc:name", NS)) == {None: "25 mm"}


@pytest.mark.parametrize(
    ("quantity", "ref_type", "english"),
    [
        ("error_of_indication", "basic_measurementError", "Error of indication"),
        ("measured_value", "basic_measuredValue", "Measured value"),
        ("deviation", "lims_deviationFromNominal", "Deviation from nominal"),
    ],
)
def test_a_result_is_named_what_its_method_outputs(
    quantity: str, ref_type: str, english: str
) -> None:
    data = certificate()
    data["results"][1]["quantity"] = quantity

    result = point(parse(calibration_dcc(data)), "25 mm").find(
        f"dcc:quantity[@refType='{ref_type}']", NS
    )

    assert contents(result.find("dcc:name", NS))["en"] == english


def test_the_dcc_is_the_same_whatever_language_the_data_names() -> None:
    # A translation carries its master's DCC: the DCC never depends on the document language.
    assert calibration_dcc(certificate(language="en")) == calibration_dcc(certificate())


# -- no empty elements, ISO dates, contacts -------------------------------------------------


def empty_elements(root: etree._Element) -> list[str]:
    return [
        root.getroottree().getpath(element)
        for element in root.iter()
        if len(element) == 0 and not (element.text or "").strip()
    ]


def test_no_element_is_empty() -> None:
    data = certificate()
    data["customer"]["contact"]["email"] = None
    minimal = certificate(decision_rule=None, conformity_stated=False, traceable_to=[])
    minimal["customer"].update(address=None, contact=None, business_id=None)
    minimal["lab"]["email"] = None

    for each in (data, minimal):
        assert empty_elements(parse(calibration_dcc(each))) == []


def test_a_contact_without_e_mail_has_no_e_mail_element_in_dcc_3_2_0() -> None:
    """Issue #23 found ``<dcc:eMail></dcc:eMail>``; DCC 3.2.0 makes the e-mail optional."""
    data = certificate()
    data["customer"]["contact"].update(email=None, phone="+358 40 123 4567")

    xml = calibration_dcc(data)
    customer = parse(xml).find(".//dcc:administrativeData/dcc:customer", NS)

    assert customer.find("dcc:eMail", NS) is None
    assert customer.findtext("dcc:phone", namespaces=NS) == "+358 40 123 4567"
    assert validate_dcc(xml, schemas()) == []


def test_dcc_3_1_2_refuses_a_customer_without_e_mail_naming_it() -> None:
    # DCC 3.1.2 requires customer/eMail; an empty one would say nothing.
    data = certificate()
    data["customer"]["contact"]["email"] = None

    with pytest.raises(ValueError, match="e-mail address of the customer"):
        calibration_dcc(data, version="3.1.2")


def test_a_customer_address_on_record_is_given_in_its_parts() -> None:
    data = certificate()
    data["customer"]["address"] = {
        "street": "Teollisuuskatu 1",
        "postal_code": "00510",
        "city": "Helsinki",
        "country": "FI",
    }

    xml = calibration_dcc(data)
    location = parse(xml).find(".//dcc:administrativeData/dcc:customer/dcc:location", NS)

    assert location.findtext("dcc:street", namespaces=NS) == "Teollisuuskatu 1"
    assert location.findtext("dcc:postCode", namespaces=NS) == "00510"
    assert location.findtext("dcc:city", namespaces=NS) == "Helsinki"
    assert location.findtext("dcc:countryCode", namespaces=NS) == "FI"
    written = location.find("dcc:further/dcc:content", NS).text
    assert written == "Teollisuuskatu 1, 00510 Helsinki"
    assert validate_dcc(xml, schemas()) == []


def test_the_limits_are_in_the_unit_the_characteristic_gives_them() -> None:
    data = certificate()
    data["results"][0].update(
        unit="mm", value=0.0004, expanded_uncertainty=None, lower_limit=-0.002, upper_limit=0.002
    )
    data["results"][0]["limit_unit"] = "mm"
    data["results"][1]["limit_unit"] = "um"

    for label in ("10 mm", "25 mm"):
        metadata = point(parse(calibration_dcc(data)), label).find(
            ".//dcc:metaData[@refType='basic_conformity']", NS
        )
        units = {u.text for u in metadata.iterfind("dcc:data//si:unit", NS)}
        assert units == ({r"\milli\metre"} if label == "10 mm" else {r"\micro\metre"})


def test_every_date_is_iso_8601_in_every_language() -> None:
    """Issue #23: the English DCC wrote "Mar 5, 2026"."""
    root = parse(calibration_dcc(certificate()))

    equipment = root.find(".//dcc:measuringEquipment/dcc:description", NS)
    for language, text in contents(equipment).items():
        assert "2026-03-01" in text and "2027-03-01" in text, language
        assert "Mar" not in text and "1.3.2026" not in text, language
    assert root.findtext(".//dcc:coreData/dcc:issueDate", namespaces=NS) == "2026-11-27"


def test_markup_in_the_labs_wording_stays_text() -> None:
    hostile = 'Mikrometri </dcc:content><dcc:conformity>pass</dcc:conformity> & "]]>'
    data = certificate()
    data["items"][0]["description"] = hostile
    data["results"][0]["label"] = "<b>10 mm</b>"

    xml = calibration_dcc(data)
    root = parse(xml)

    assert contents(root.find(".//dcc:item/dcc:name", NS))["fi"] == hostile
    assert point(root, "<b>10 mm</b>") is not None
    assert len(root.findall(".//dcc:conformity", NS)) == 2  # the two points' own, no more
    assert validate_dcc(xml, schemas()) == []


def test_a_character_xml_cannot_carry_is_refused_naming_the_problem() -> None:
    data = certificate()
    data["items"][0]["description"] = "Mikrometri\x00"

    with pytest.raises(ValueError, match="XML compatible"):
        calibration_dcc(data)
