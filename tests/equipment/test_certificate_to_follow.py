"""A calibration recorded before its certificate file came says why, in the audit trail; the
reason is bounded, shown as markup-free text, and cleared when the file is attached."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.models import Role
from lims.audit.models import AuditEvent
from lims.config import Settings
from tests.equipment.factories import calibration_data, make_equipment
from tests.factories import bearer, make_user

EQUIPMENT = "/api/v1/equipment"
REASON = "the calibrating lab sends the certificate by post <script>alert(1)</script>"


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


def test_a_certificate_to_follow_is_kept_with_why_audited_and_cleared_by_the_file(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    standard = make_equipment(engine)
    body = calibration_data(certificate_to_follow=REASON)
    recorded = client.post(f"{EQUIPMENT}/{standard.id}/calibrations", json=body, headers=manager)
    assert recorded.status_code == 201, recorded.text
    calibration = recorded.json()
    assert calibration["certificate_to_follow"] == REASON
    assert calibration["certificate_sha256"] is None

    attached = client.put(
        f"{EQUIPMENT}/{standard.id}/calibrations/{calibration['id']}/certificate",
        content=b"%PDF-1.7\n%%EOF\n",
        headers={**manager, "content-type": "application/pdf"},
    )
    assert attached.status_code == 200, attached.text
    assert attached.json()["certificate_to_follow"] is None
    with Session(engine) as db_session:
        events = db_session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "calibration",
                AuditEvent.entity_id == str(calibration["id"]),
            )
            .order_by(col(AuditEvent.id))
        ).all()
    # The insert says why; the update attaching the file shows the reason cleared.
    assert [event.action for event in events] == ["insert", "update"]
    assert all("certificate_to_follow" in json.dumps(event.changes) for event in events)


@pytest.mark.parametrize("reason", ["", "x" * 501])
def test_an_empty_or_huge_reason_is_refused(
    client: TestClient, engine: Engine, manager: dict[str, str], reason: str
) -> None:
    standard = make_equipment(engine)
    body = calibration_data(certificate_to_follow=reason)
    refused = client.post(f"{EQUIPMENT}/{standard.id}/calibrations", json=body, headers=manager)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["location"][-1] == "certificate_to_follow"
