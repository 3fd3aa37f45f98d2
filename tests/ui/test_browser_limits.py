"""The workbench shows the server's refusal of a too large Monte Carlo run in the page's
language (Finnish for the demo users), not the API's English detail."""

import json
from collections.abc import Callable

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
GAUGE_BLOCK = "(l_s + d - l_s*(d_alpha*theta + alpha_s*d_theta))"


def test_a_run_over_the_work_limit_is_refused_in_finnish_with_the_trials_allowed(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/uncertainty")
    # The example's gauge block, six times over: 87 nodes, so 20 M trials are 1.74e9 units of
    # work, over the default LIMS_MAX_MONTE_CARLO_WORK of 1e9 (11,494,252 trials at most).
    page.fill("#wb-model", " + ".join([GAUGE_BLOCK] * 6) + " - 5*l_s")
    page.select_option("#wb-method", "mcm")
    page.fill("#wb-trials", "20000000")
    page.click("#wb-evaluate")
    alert = page.locator("#workbench .form-error")
    alert.filter(has_text="Monte Carlo").wait_for()
    message = alert.inner_text().replace("\u00a0", " ")
    assert "enintään 11 494 252 toistoa" in message  # Finnish, with its number format
    assert "LIMS_MAX_MONTE_CARLO_WORK" not in message  # not the API's English detail


@pytest.mark.parametrize(
    ("kind", "finnish"),
    [("busy", "Yritä uudelleen 10 sekunnin kuluttua"), ("time-limit", "pysäytettiin")],
)
def test_a_busy_or_stopped_run_is_told_in_finnish(
    page, live_server: str, login: Callable[[str], None], kind: str, finnish: str
) -> None:  # type: ignore[no-untyped-def]
    # The server's answer is stood in for: holding a slot of the live server from here would
    # need a second run that takes long enough, which only a clock could arrange.
    problem = {
        "type": f"https://lims.example/problems/{kind}",
        "title": "Busy",
        "status": 503,
        "detail": "in English",
        "instance": "/api/v1/uncertainty/evaluate",
        "limit": "LIMS_MAX_MONTE_CARLO_RUNS",
        "retry_after": 10,
    }
    login("mittaaja")
    page.route(
        "**/api/v1/uncertainty/evaluate",
        lambda route: route.fulfill(
            status=503,
            content_type="application/problem+json",
            headers={"retry-after": "10"},
            body=json.dumps(problem),
        ),
    )
    page.goto(f"{live_server}/uncertainty")
    page.select_option("#wb-method", "mcm")
    page.click("#wb-evaluate")
    alert = page.locator("#workbench .form-error")
    alert.filter(has_text="Monte Carlo").wait_for()
    message = alert.inner_text().replace("\u00a0", " ")
    assert finnish in message
    assert "in English" not in message
