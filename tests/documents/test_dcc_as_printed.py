"""The DCC says what the PDF prints (issue #23): a certificate is issued, rendered by
WeasyPrint and read back with pypdf, and every value it prints is found in its DCC; a
translation carries the master's DCC and a revision's DCC names the certificate it replaces."""

import hashlib
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine

from lims.config import Settings
from lims.documents.dcc import DCC_NS, SI_NS, validate_dcc
from tests.conftest import shared_path
from tests.documents.factories import approved_calibration, download, issue, read_back
from tests.jobs.factories import Lab, make_lab

NS = {"dcc": DCC_NS, "si": SI_NS}
#: The Finnish words the certificate prints for each conformity the DCC states.
CONFORMITY_FI = {
    "pass": "vaatimustenmukainen",
    "fail": "ei vaatimustenmukainen",
    "conditionalPass": "ehdollisesti hyväksytty",
    "conditionalFail": "ehdollisesti hylätty",
}


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def finnish(number: str) -> str:
    """A DCC number as the Finnish certificate prints it: a decimal comma."""
    return number.replace(".", ",")


def finnish_day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day}.{day.month}.{day.year}"


def fi(element: etree._Element, path: str) -> str:
    return element.findtext(f"{path}/dcc:content[@lang='fi']", namespaces=NS) or ""


def test_every_value_the_certificate_prints_is_the_dccs(client: TestClient, lab: Lab) -> None:
    job = approved_calibration(client, lab)
    document = issue(client, lab, job_id=job.job["id"])
    pdf = read_back(download(client, lab, document))
    text = " ".join(pdf.text.split())
    dcc = pdf.attachments["dcc.xml"]
    assert validate_dcc(dcc, shared_path("schemas", "dcc")) == []
    root = etree.fromstring(dcc)
    empty = [e.tag for e in root.iter() if len(e) == 0 and not (e.text or "").strip()]
    assert empty == []

    core = root.find(".//dcc:coreData", NS)
    assert core.findtext("dcc:uniqueIdentifier", namespaces=NS) == document["number"]
    assert document["number"] in text
    customer = root.findtext(".//dcc:customer/dcc:name/dcc:content", namespaces=NS)
    assert customer == lab.customer.name and customer in text
    for tag in ("receiptDate", "beginPerformanceDate", "endPerformanceDate", "issueDate"):
        iso = core.findtext(f"dcc:{tag}", namespaces=NS)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso or ""), tag
        assert finnish_day(iso) in text, tag

    points = root.findall(".//dcc:measurementResult/dcc:results//dcc:list", NS)
    assert len(points) == 3
    for each in points:
        label = each.findtext("dcc:name/dcc:content", namespaces=NS)
        nominal = each.findtext(
            "dcc:quantity[@refType='basic_nominalValue']/si:real/si:value", namespaces=NS
        )
        (result,) = each.xpath("dcc:quantity/si:real[si:expandedUnc]", namespaces=NS)
        value = result.findtext("si:value", namespaces=NS)
        uncertainty = result.findtext("si:expandedUnc/si:uncertainty", namespaces=NS)
        k = result.findtext("si:expandedUnc/si:coverageFactor", namespaces=NS)
        conformity = each.find(".//dcc:metaData[@refType='basic_conformity']", NS)
        limits = {
            quantity.get("refType"): quantity.findtext("si:real/si:value", namespaces=NS)
            for quantity in conformity.iterfind("dcc:data/dcc:quantity", NS)
        }
        # The row as printed: label, nominal, value and U in µm, k, the tolerance limits and
        # the conformity word, in this order (whatever else the row prints between them).
        row = r"\s.*?".join(
            re.escape(part)
            for part in (
                label,
                f"{finnish(nominal)} mm",
                f"{finnish(value)} µm",
                f"{finnish(uncertainty)} µm",
                finnish(k),
                finnish(limits["basic_toleranceLimitLower"]),
                finnish(limits["basic_toleranceLimitUpper"]),
                CONFORMITY_FI[conformity.findtext("dcc:conformity", namespaces=NS)],
            )
        )
        assert re.search(row, text), (label, row)
        # The acceptance limits the decision used: under simple acceptance (ILAC-G8:09/2019
        # 4.2.1, w = 0) the tolerance limits themselves, under a guard band narrower.
        low, high = (float(limits[f"basic_toleranceLimit{end}"]) for end in ("Lower", "Upper"))
        accepted = [float(limits[f"basic_acceptanceLimit{end}"]) for end in ("Lower", "Upper")]
        if conformity.findtext("dcc:reference", namespaces=NS) == "4.2.1":
            assert accepted == [low, high]
        else:
            assert low < accepted[0] < accepted[1] < high

    rule = fi(root, ".//dcc:statements/dcc:statement[@refType='basic_conformity']/dcc:declaration")
    assert rule and rule in text
    traceability = fi(root, ".//dcc:statements/dcc:statement[dcc:traceable]/dcc:declaration")
    assert traceability and traceability in text


def test_a_translation_carries_its_masters_dcc_unchanged(client: TestClient, lab: Lab) -> None:
    job = approved_calibration(client, lab)
    master = issue(client, lab, job_id=job.job["id"])
    headers = lab.headers(lab.manager)
    url = f"/api/v1/documents/{master['id']}/texts"
    missing = client.get(url, params={"language": "en"}, headers=headers).json()["missing"]
    texts = {key: f"[en] {key}" for key in missing}
    if texts:
        response = client.put(url, json={"language": "en", "texts": texts}, headers=headers)
        assert response.status_code == 200, response.text
    response = client.post(
        f"/api/v1/documents/{master['id']}/translations",
        json={"language": "en"},
        headers=lab.headers(lab.signatory),
    )
    assert response.status_code == 201, response.text

    master_dcc = read_back(download(client, lab, master)).attachments["dcc.xml"]
    translated_dcc = read_back(download(client, lab, response.json())).attachments["dcc.xml"]

    assert hashlib.sha256(translated_dcc).digest() == hashlib.sha256(master_dcc).digest()
    identifier = etree.fromstring(translated_dcc).findtext(".//dcc:uniqueIdentifier", namespaces=NS)
    assert identifier == master["number"]


def test_a_revisions_dcc_names_the_certificate_it_replaces(client: TestClient, lab: Lab) -> None:
    job = approved_calibration(client, lab)
    first = issue(client, lab, job_id=job.job["id"])
    response = client.post(
        f"/api/v1/documents/{first['id']}/revisions",
        json={"reason": "Kirjoitusvirhe korjattu", "reason_class": "editorial"},
        headers=lab.headers(lab.signatory),
    )
    assert response.status_code == 201, response.text
    revision = response.json()

    dcc = read_back(download(client, lab, revision)).attachments["dcc.xml"]
    assert validate_dcc(dcc, shared_path("schemas", "dcc")) == []
    previous = etree.fromstring(dcc).find(".//dcc:coreData/dcc:previousReport", NS)
    assert previous.findtext("dcc:referralID", namespaces=NS) == first["number"]
    assert previous.findtext("dcc:procedure", namespaces=NS) == "SHA-256"
    assert previous.findtext("dcc:value", namespaces=NS) == first["sha256"]
