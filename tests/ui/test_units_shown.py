"""Pages print units in the lab's notation (lims/units.py): a plan in "um" reads µm."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.factories import PASSWORD
from tests.jobs.factories import MICROMETER, make_lab, submit


def test_the_job_page_shows_a_characteristic_planned_in_um_in_micrometres(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    job.plan(
        label="50 mm",
        nominal=50,
        lower_limit=-2,
        upper_limit=2,
        unit="um",
        method_id=lab.ring_method.id,
    )
    client.cookies.clear()
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": lab.technician.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    page = client.get(f"/jobs/{job.job['id']}").text
    row = page.split(">50 mm<")[1].split("</tr>")[0]
    assert "2 µm" in row and " um<" not in row
    # The result form's live preview shows, and compares, the units in the same notation.
    job.step("in_measurement", lab.technician)
    form = client.get(f"/jobs/{job.job['id']}").text
    assert 'data-unit="µm" data-result-unit="µm"' in form
