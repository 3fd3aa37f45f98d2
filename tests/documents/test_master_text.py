"""Master data in Finnish with the lab's translations: a method's title and reference, an
equipment item's name and a characteristic's label print in Finnish in the master and in the
translation's language in a translated document, the Finnish master where none was given."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.documents.factories import RING_POINTS, download, issue, read_back
from tests.jobs.factories import MICROMETER, Lab, make_lab, submit

REFERENCE_FI = "EURAMET cg-6 v.01 (2007), lieriömäisten halkaisijanormaalien kalibroinnin laajuus"
REFERENCE_EN = "EURAMET cg-6 v.01 (2007), extent of calibration for cylindrical diameter standards"
TITLE_SV = "Kalibrering av inställningsringar"
RING_FI, RING_EN = "Asetusrengas 50 mm, teräs", "Setting ring 50 mm, steel"


def _patch(client: TestClient, lab: Lab, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json=body, headers=lab.headers(lab.manager))


def _translated_master_data(client: TestClient, lab: Lab) -> None:
    """The ring method and the ring gauge get Finnish master text and translations."""
    method = _patch(
        client,
        lab,
        f"/api/v1/methods/{lab.ring_method.id}",
        {
            "guidance": REFERENCE_FI,
            "translations": {"en": {"guidance": REFERENCE_EN}, "sv": {"title": TITLE_SV}},
        },
    )
    assert method.status_code == 200, method.text
    assert method.json()["translations"]["en"] == {"guidance": REFERENCE_EN}
    ring = _patch(
        client,
        lab,
        f"/api/v1/equipment/{lab.ring_gauge.id}",
        {"name": RING_FI, "translations": {"en": {"name": f"  {RING_EN} "}}},
    )
    assert ring.status_code == 200, ring.text
    assert ring.json()["translations"] == {"en": {"name": RING_EN}}  # trimmed


def _approved_with_labels(client: TestClient, lab: Lab) -> dict[str, Any]:
    """The micrometer calibrated at three points labelled in Finnish, one translated."""
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    points = [
        job.plan(
            label=f"Mittapiste {size:g} mm",
            kind="calibration_point",
            nominal=size,
            lower_limit=-2,
            upper_limit=2,
            unit="um",
            method_id=lab.ring_method.id,
            translations={"en": {"label": f"Test point {size:g} mm"}} if size == 10 else {},
        )
        for size in RING_POINTS
    ]
    assert points[0]["translations"] == {"en": {"label": "Test point 10 mm"}}
    job.step("in_measurement", lab.technician)
    for point, readings in zip(points, RING_POINTS.values(), strict=True):
        job.record(
            characteristic_id=point["id"],
            equipment={"reference": lab.ring_gauge.id},
            observations={"d_x": readings},
        )
    for to, user in (("measured", lab.technician), ("reviewed", lab.reviewer)):
        job.step(to, user)
    job.step("approved", lab.signatory)
    return job.job


def _translation(client: TestClient, lab: Lab, master: dict[str, Any], language: str) -> str:
    """The master translated into ``language`` once its free text is, as its PDF's text."""
    headers = lab.headers(lab.manager)
    url = f"/api/v1/documents/{master['id']}/texts"
    missing = client.get(url, params={"language": language}, headers=headers).json()["missing"]
    # The method's title has its translation in the method record: nobody translates it again.
    assert not any(key.startswith("methods.") for key in missing)
    texts = {key: f"[{language}] {key}" for key in missing}
    response = client.put(url, json={"language": language, "texts": texts}, headers=headers)
    assert response.status_code == 200, response.text
    translated = client.post(
        f"/api/v1/documents/{master['id']}/translations",
        json={"language": language},
        headers=lab.headers(lab.signatory),
    )
    assert translated.status_code == 201, translated.text
    return " ".join(read_back(download(client, lab, translated.json())).text.split())


@pytest.mark.slow
def test_master_data_prints_in_finnish_and_translated_with_the_master_as_fallback(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    _translated_master_data(client, lab)
    master = issue(client, lab, job_id=_approved_with_labels(client, lab)["id"])
    finnish = " ".join(read_back(download(client, lab, master)).text.split())
    assert REFERENCE_FI in finnish and RING_FI in finnish and "Mittapiste 10 mm" in finnish
    for english in (REFERENCE_EN, RING_EN, "Test point"):
        assert english not in finnish

    english = _translation(client, lab, master, "en")
    assert REFERENCE_EN in english and RING_EN in english
    assert "Test point 10 mm" in english and "Mittapiste 10 mm" not in english
    # The points without an English label print their Finnish master label.
    assert "Mittapiste 25 mm" in english and "Mittapiste 50 mm" in english

    swedish = _translation(client, lab, master, "sv")
    assert TITLE_SV in swedish
    # No Swedish reference or name was given: the Finnish master is printed.
    assert REFERENCE_FI in swedish and RING_FI in swedish and "Mittapiste 10 mm" in swedish


@pytest.mark.parametrize(
    ("translations", "complaint"),
    [
        ({"de": {"guidance": "DIN 862"}}, "no translations into 'de'"),
        ({"fi": {"guidance": "ISO 3611"}}, "no translations into 'fi'"),
        ({"en": {"title": "Rings"}}, "title_en"),
        ({"sv": {"measurand": "diameter"}}, "'measurand' has no translation"),
        ({"et": {"guidance": "   "}}, "is empty"),
        ({"et": {"guidance": "x" * 2001}}, "longer than 2000"),
        ({"en": "ISO 3611"}, "must be a JSON object"),
    ],
)
def test_a_malformed_translation_of_a_method_is_refused_and_nothing_changes(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    translations: dict[str, Any],
    complaint: str,
) -> None:
    lab = make_lab(engine, settings)
    url = f"/api/v1/methods/{lab.ring_method.id}"
    refused = _patch(client, lab, url, {"translations": translations})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert complaint in refused.text
    unchanged = client.get(url, headers=lab.headers(lab.manager)).json()
    assert unchanged["translations"] == {}


def test_malformed_translations_of_equipment_and_characteristics_are_refused(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    too_long = _patch(
        client,
        lab,
        f"/api/v1/equipment/{lab.ring_gauge.id}",
        {"translations": {"en": {"name": "<b>ring</b>" * 30}}},
    )
    assert too_long.status_code == 422 and "longer than 200" in too_long.text
    job = submit(client, lab, "calibration", MICROMETER)
    planned = client.post(
        f"/api/v1/jobs/{job.job['id']}/characteristics",
        json={
            "item_id": job.items()[0]["id"],
            "label": "Mittapiste 10 mm",
            "unit": "um",
            "translations": {"en": {"description": "Test point"}},
        },
        headers=lab.headers(lab.manager),
    )
    assert planned.status_code == 422 and "'description' has no translation" in planned.text
