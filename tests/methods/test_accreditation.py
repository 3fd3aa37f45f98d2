"""ILAC-P14: a result is accredited only when its method is in scope on the day and its size
is inside the range; otherwise it says why. An accredited result never states a U below the
CMC: an evaluated U below it is reported as the CMC, or by the lab's choice
(LIMS_BELOW_CMC=outside_accreditation) reported outside the accreditation."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from lims.methods.models import Method
from lims.methods.scope import accreditation_of_result
from tests.equipment.factories import make_method
from tests.factories import bearer, make_user

DAY = date(2026, 11, 27)


def ring_method(**changes: object) -> Method:
    """The setting-ring method: range 3-200 mm, CMC Q[0.3, 0.002*L] um, in scope from 2026."""
    values: dict[str, object] = {
        "code": "DIM-RING-01",
        "version": 1,
        "result_unit": "um",
        "size_unit": "mm",
        "range_min": 3.0,
        "range_max": 200.0,
        "cmc": "Q[0.3, 0.002*L]",
        "accredited_from": date(2026, 1, 1),
        "accredited_until": None,
    }
    values.update(changes)
    return Method(**values)


def test_u_below_the_cmc_is_reported_as_the_cmc_and_stays_accredited() -> None:
    # CMC at 200 mm: sqrt(0.3^2 + (0.002 * 200)^2) = sqrt(0.09 + 0.16) = 0.5 um
    decision = accreditation_of_result(
        ring_method(), size=200, expanded_uncertainty=0.45, on_date=DAY
    )
    assert decision.accredited is True
    assert decision.raised_to_cmc is True
    assert decision.cmc == pytest.approx(0.5)
    assert decision.reported_expanded_uncertainty == pytest.approx(0.5)
    assert decision.reason == (
        "within the accredited scope of DIM-RING-01 v1: the evaluated U = 0.45 um is below the "
        "CMC 0.5 um at 200 mm and is reported as the CMC (ILAC-P14:09/2020 5.5)"
    )


def test_the_lab_may_report_u_below_the_cmc_outside_the_accreditation_instead() -> None:
    decision = accreditation_of_result(
        ring_method(),
        size=200,
        expanded_uncertainty=0.45,
        on_date=DAY,
        below_cmc="outside_accreditation",
    )
    assert (decision.accredited, decision.raised_to_cmc) == (False, False)
    assert decision.reported_expanded_uncertainty is None
    assert decision.reason == (
        "the evaluated U = 0.45 um is below the CMC 0.5 um at 200 mm; the lab reports such "
        "results outside the accreditation (ILAC-P14:09/2020 5.5)"
    )


def test_u_at_or_above_the_cmc_inside_the_range_is_accredited() -> None:
    for u in (0.5, 0.8):
        decision = accreditation_of_result(
            ring_method(), size=200, expanded_uncertainty=u, on_date=DAY
        )
        assert decision.accredited is True, decision.reason
        assert (decision.raised_to_cmc, decision.reported_expanded_uncertainty) == (False, u)


def test_a_size_outside_the_range_is_non_accredited() -> None:
    decision = accreditation_of_result(ring_method(), size=250, expanded_uncertainty=2, on_date=DAY)
    assert (decision.accredited, decision.reason) == (
        False,
        "size 250 mm is outside the accredited range 3 to 200 mm",
    )


def test_a_method_out_of_scope_on_the_day_is_non_accredited() -> None:
    never = ring_method(accredited_from=None)
    ended = ring_method(accredited_until=date(2026, 6, 30))
    for method in (never, ended):
        decision = accreditation_of_result(method, size=20, expanded_uncertainty=2, on_date=DAY)
        assert decision.accredited is False
        assert (
            decision.reason == "method DIM-RING-01 v1 is not in the accredited scope on 2026-11-27"
        )


def test_auditors_ask_the_decision_over_the_api(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    method = make_method(engine)
    auditor = bearer(settings, make_user(engine, Role.AUDITOR))
    response = client.post(
        f"/api/v1/methods/{method.id}/accreditation",
        json={"size": 200, "expanded_uncertainty": 0.4, "on_date": "2026-11-27"},
        headers=auditor,
    )
    assert response.status_code == 200, response.text
    assert response.json()["accredited"] is True
    assert response.json()["raised_to_cmc"] is True
    assert "below the CMC" in response.json()["reason"]
