"""A point planned from a method's sizes is stored under a key ("2.5 mm") and read in the
reader's notation: 2,5 mm on a Finnish page and certificate, 2.5 mm in English; a label the
lab typed is shown as typed (lims/jobs/points.py)."""

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from lims.jobs.points import planned_label, reader_label
from tests.documents.factories import _prepare
from tests.factories import PASSWORD
from tests.jobs.factories import MICROMETER, JobDriver, Lab, make_lab, submit


def finnish(size: float, unit: str) -> str:
    return f"{size:g}".replace(".", ",") + f" {unit}"


@pytest.mark.parametrize(
    ("point", "shown"),
    [
        ({"label": "2.5 mm", "kind": "calibration_point", "nominal": 2.5}, "2,5 mm"),
        ({"label": "25 mm", "kind": "calibration_point", "nominal": 25}, "25 mm"),
        # Typed by the lab, renamed, or not a calibration point: as typed.
        ({"label": "Kärki 2.5 mm", "kind": "calibration_point", "nominal": 2.5}, "Kärki 2.5 mm"),
        ({"label": "2.5 mm", "kind": "calibration_point", "nominal": 3.0}, "2.5 mm"),
        ({"label": "2.5 mm", "kind": "dimension", "nominal": 2.5}, "2.5 mm"),
        ({"label": "2.5 mm", "kind": "calibration_point", "nominal": None}, "2.5 mm"),
        ({"label": "<b>2.5</b> mm", "kind": "calibration_point", "nominal": 2.5}, "<b>2.5</b> mm"),
    ],
)
def test_only_a_planned_points_key_is_written_in_the_readers_notation(
    point: dict[str, object], shown: str
) -> None:
    assert reader_label(point, finnish) == shown
    assert reader_label(SimpleNamespace(**point), finnish) == shown


def test_the_key_is_the_size_in_no_readers_notation() -> None:
    assert planned_label(2.5, "mm") == "2.5 mm"
    assert planned_label(25.0, "mm") == "25 mm"


def planned_job(client: TestClient, lab: Lab) -> tuple[JobDriver, list[dict[str, object]]]:
    job = submit(client, lab, "calibration", MICROMETER)
    _prepare(job)
    planned = client.post(
        f"{job.url}/characteristics/from-method",
        json={
            "item_id": job.items()[0]["id"],
            "method_id": lab.ring_method.id,
            "points": [2.5, 25.0],
        },
        headers=lab.headers(lab.manager),
    )
    assert planned.status_code == 201, planned.text
    return job, planned.json()


@pytest.mark.parametrize("backend", ["sqlite"])  # no SQL of its own: one backend
def test_a_planned_job_page_writes_its_point_in_finnish_and_in_english(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job, points = planned_job(client, lab)
    assert points[0]["label"] == "2.5 mm"  # the API keeps the key
    client.cookies.clear()
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": lab.technician.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    page = f"/jobs/{job.job['id']}"
    in_finnish = client.get(page).text
    assert '<th scope="row">2,5 mm</th>' in in_finnish
    assert '<th scope="row">2.5 mm</th>' not in in_finnish
    in_english = client.get(page, params={"lang": "en"}).text
    assert '<th scope="row">2.5 mm</th>' in in_english
