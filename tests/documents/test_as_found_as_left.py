"""A certificate of an instrument adjusted during its calibration states its results before
and after the adjustment, and what was done (ISO/IEC 17025:2017 7.8.4.1 d), in Finnish
and in a translation, read back from the PDF; the records export carries both.

Numbers checked by hand (tests/jobs/test_as_found_as_left.py): with the setting-ring
method d_X = d_S + d_x - d_s, the point reads 3.14 um as found (u = 0.0495816 um, of it
Type A 0.0374166 um from 5 readings) and 1.23 um as left (u = 0.0464579 um, Type A
0.0331662 um).  Welch-Satterthwaite (GUM G.4.1), the other inputs with infinite degrees of
freedom: nu_eff = 4 (u / u_A)^4 = 12.3 as found and 15.4 as left, so k = t_95.45 = 2.23 and
2.18 (GUM Table G.2, nu = 12 and 15), U = 0.1106 and 0.1013 um.  ILAC-P14:09/2020 5.3
rounds U to two significant digits, 0.11 and 0.10 um, and the values to the same place,
3.14 and 1.23 um.  Finnish notation: decimal comma.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from lims.documents.dcc import DCC_NS, SI_NS, validate_dcc
from tests.conftest import shared_path
from tests.documents.factories import download, issue, read_back
from tests.factories import make_user
from tests.jobs.factories import MEASURED_ON, JobDriver, Lab, make_lab, micrometer_in_measurement
from tests.records.factories import contents_of, export, saved

AS_FOUND_READINGS = [3.1, 3.2, 3.1, 3.0, 3.2]
AS_LEFT_READINGS = [1.2, 1.3, 1.1, 1.25, 1.2]
WHAT_WAS_DONE = "Nollapiste asetettu säätörenkaalla; mittapinnat puhdistettu"
DCC = {"dcc": DCC_NS, "si": SI_NS}


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def adjusted_calibration(client: TestClient, lab: Lab) -> tuple[JobDriver, dict[str, Any]]:
    """A micrometer measured at 50 mm as found, zero set, measured as left; approved."""
    job, point = micrometer_in_measurement(client, lab)
    ring = {"reference": lab.ring_gauge.id}
    result = job.record(
        characteristic_id=point["id"],
        equipment=ring,
        observations={"d_x": AS_LEFT_READINGS},
        as_found={
            "measured_on": MEASURED_ON.isoformat(),
            "equipment": ring,
            "observations": {"d_x": AS_FOUND_READINGS},
            "temperature": 20.2,
        },
        adjustment={
            "description": WHAT_WAS_DONE,
            "adjusted_by_id": lab.technician.id,
            "adjusted_on": MEASURED_ON.isoformat(),
        },
    )
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)
    return job, result


def test_the_certificate_states_as_found_and_as_left_with_the_adjustment(
    client: TestClient, lab: Lab
) -> None:
    job, result = adjusted_calibration(client, lab)
    master = issue(client, lab, job_id=job.job["id"])
    pdf = read_back(download(client, lab, master))
    text = " ".join(pdf.text.split())
    assert "1,23 µm 0,10 µm 2,18" in text  # as left
    assert "3,14 µm 0,11 µm 2,23" in text  # as found
    assert "Tulokset ennen säätöä" in text
    assert "Edellä olevat tulokset on mitattu säädön jälkeen" in text
    day = f"{MEASURED_ON.day}.{MEASURED_ON.month}.{MEASURED_ON.year}"
    assert f"Säädetty {day}, säätäjä {lab.technician.full_name}: {WHAT_WAS_DONE}" in text
    # As left it conforms, as found it did not: both statements stand on the certificate.
    assert "2,0 µm vaatimustenmukainen" in text and "2,0 µm ei vaatimustenmukainen" in text
    data = json.loads(pdf.attachments["data.json"])
    [row] = data["results"]
    [found] = data["adjustments"]
    assert (row["value_text"], row["uncertainty_text"], row["decision"]) == ("1.23", "0.10", "pass")
    assert (found["value_text"], found["uncertainty_text"]) == ("3.14", "0.11")
    assert found["decision"] == "fail"  # 3.14 um is beyond the permissible +-2 um
    assert data["free_text"][f"results.{result['characteristic_id']}.adjustment"] == WHAT_WAS_DONE

    headers = lab.headers(lab.manager)
    url = f"/api/v1/documents/{master['id']}/texts"
    missing = client.get(url, params={"language": "en"}, headers=headers).json()["missing"]
    assert f"results.{result['characteristic_id']}.adjustment" in missing
    texts = {key: f"[en] {key}" for key in missing}
    texts[f"results.{result['characteristic_id']}.adjustment"] = "Zero set; anvils cleaned"
    response = client.put(url, json={"language": "en", "texts": texts}, headers=headers)
    assert response.status_code == 200, response.text
    response = client.post(
        f"/api/v1/documents/{master['id']}/translations",
        json={"language": "en"},
        headers=lab.headers(lab.signatory),
    )
    assert response.status_code == 201, response.text
    english = " ".join(read_back(download(client, lab, response.json())).text.split())
    assert "Before adjustment (as found)" in english
    assert "3.14 µm 0.11 µm 2.23" in english and "1.23 µm 0.10 µm 2.18" in english
    assert "Zero set; anvils cleaned" in english and lab.technician.full_name in english


def test_the_records_export_carries_as_found_and_the_adjustment(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job, result = adjusted_calibration(client, lab)
    auditor = make_user(engine, Role.AUDITOR)
    bundle = saved(export(client, lab, auditor, job_id=job.job["id"]), tmp_path)
    [exported] = json.loads(contents_of(bundle)[f"jobs/{job.job['number']}/results.json"])
    assert exported["as_found"] == result["as_found"]
    assert exported["adjustment_description"] == WHAT_WAS_DONE
    assert exported["adjusted_by_id"] == lab.technician.id
    assert exported["adjusted_on"] == MEASURED_ON.isoformat()


def test_the_dcc_states_the_results_as_found_with_the_adjustment(
    client: TestClient, lab: Lab
) -> None:
    job, _ = adjusted_calibration(client, lab)
    master = issue(client, lab, job_id=job.job["id"])
    dcc = read_back(download(client, lab, master)).attachments["dcc.xml"]
    assert validate_dcc(dcc, shared_path("schemas", "dcc")) == []
    root = etree.fromstring(dcc)
    names = [
        name.findtext("dcc:content[@lang='fi']", namespaces=DCC)
        for name in root.iterfind(".//dcc:measurementResult/dcc:name", DCC)
    ]
    assert names == ["Kalibrointitulokset", "Tulokset ennen säätöä"]
    as_left, as_found = root.iterfind(".//dcc:measurementResult", DCC)
    # The result itself, whatever its method outputs: every quantity but the nominal value.
    result = "dcc:results//dcc:list/dcc:quantity[@refType!='basic_nominalValue']/si:real/si:value"
    assert [float(v) for v in as_left.xpath(result + "/text()", namespaces=DCC)] == [
        pytest.approx(1.23)
    ]
    assert [float(v) for v in as_found.xpath(result + "/text()", namespaces=DCC)] == [
        pytest.approx(3.14)
    ]
    declarations = " ".join(as_found.itertext())
    assert WHAT_WAS_DONE in declarations and MEASURED_ON.isoformat() in declarations
