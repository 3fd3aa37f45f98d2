"""Two technicians replacing one result: the one who read a version that another replaced
before it could write is refused (409), so nothing is overwritten unseen."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.auth import principal_for
from lims.accounts.models import Role, User
from lims.competence.models import Activity
from lims.config import Settings
from lims.errors import Conflict
from lims.jobs import results
from lims.jobs.models import Result, ResultEntry
from tests.jobs.factories import make_lab
from tests.production.factories import colleague, replacement, result_in_measurement


def test_replacement_overtaken_between_its_check_and_its_write_is_refused(
    client: TestClient, engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = make_lab(engine, settings)
    second = colleague(engine, lab, Role.TECHNICIAN, Activity.PERFORM)
    job, first = result_in_measurement(client, lab)

    def record(user: User, **changes: Any) -> Result:
        entry = {**replacement(lab, first, 0.05), **changes}
        entry["measured_on"] = date.fromisoformat(entry["measured_on"])
        with Session(engine) as db_session:
            return results.record_result(
                db_session,
                actor=principal_for(user, via="password"),
                job_id=job.job["id"],
                entry=ResultEntry(**entry),
                settings=settings,
            )

    # The second technician has checked version 1; just before it writes, the first
    # technician's replacement of version 1 is committed: the narrowest race there is.
    claim = results._claim
    overtaken: list[Result] = []

    def overtaking_claim(db_session: Session, result: Result) -> bool:
        monkeypatch.setattr(results, "_claim", claim)
        overtaken.append(record(lab.technician))
        return claim(db_session, result)

    monkeypatch.setattr(results, "_claim", overtaking_claim)
    with pytest.raises(Conflict, match="replaced a moment ago"):
        record(second, observations={"d_x": [9.0, 9.1, 9.2]})

    with Session(engine) as db_session:
        kept = db_session.get(Result, first["id"])
        assert (kept.version, kept.value) == (2, overtaken[0].value)
