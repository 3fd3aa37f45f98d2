"""Hostile input: Schemathesis sends schema-driven (and schema-breaking) requests to every
operation of the OpenAPI document, signed in as each role.  No answer may be a 500, and
every answer must match what the document declares (status, media type, body schema).

Bounded for CI: the schema's own examples and two generated requests per operation (each
sent as every role), without shrinking.  ``LIMS_HOSTILE_COVERAGE=1`` adds Schemathesis's
coverage phase (boundaries and wrong types of every field; about five minutes).
"""

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from lims.accounts.models import Role
from lims.app import create_app
from lims.config import Settings
from lims.db import make_engine
from lims.documents.signing import create_demo_signing_key
from tests.conftest import migrated_sqlite_url
from tests.documents.factories import approved_calibration, issue
from tests.factories import bearer, make_user
from tests.jobs.factories import make_lab

pytestmark = pytest.mark.slow
EXAMPLES_PER_OPERATION = 2
ROLES = ["admin", "quality_manager", "technician", "signatory", "customer", "auditor"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


# The schema is read from the application when the module is collected (Schemathesis's
# lazy loading from a fixture does not run under pytest 9); the database behind it is only
# made when the tests run.
_FOLDER = Path(tempfile.mkdtemp(prefix="lims-hostile-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
SETTINGS = Settings(
    data_dir=_FOLDER / "data",
    database_url=f"sqlite:///{_FOLDER / 'lims.sqlite3'}",
    environment="test",
    max_monte_carlo_trials=20_000,
)
APP = create_app(SETTINGS)
schema = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json",
    APP,
    config=schemathesis.Config.from_dict(
        {
            "phases": {
                "examples": {"enabled": True},
                "fuzzing": {"enabled": True},
                # The coverage phase (every boundary and wrong type of every field: 7,900
                # requests, 5 minutes here) runs on demand: LIMS_HOSTILE_COVERAGE=1.
                "coverage": {"enabled": os.environ.get("LIMS_HOSTILE_COVERAGE") == "1"},
            }
        }
    ),
)


@pytest.fixture(scope="module")
def headers() -> Iterator[dict[str, dict[str, str]]]:
    """A lab with a record of each kind, so generated ids meet real records now and then,
    and a bearer token for one person of each role."""
    migrated_sqlite_url(_FOLDER / "lims.sqlite3")
    create_demo_signing_key(SETTINGS)
    engine = make_engine(SETTINGS.resolved_database_url)
    lab = make_lab(engine, SETTINGS)
    with TestClient(APP) as client:
        issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    people = {
        "admin": make_user(engine, Role.ADMIN),
        "quality_manager": lab.manager,
        "technician": lab.technician,
        "signatory": lab.signatory,
        "customer": lab.customer_user,
        "auditor": make_user(engine, Role.AUDITOR),
    }
    yield {role: bearer(SETTINGS, person) for role, person in people.items()}
    engine.dispose()
    APP.state.engine.dispose()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_operation_fails_or_answers_outside_its_schema(
    case: schemathesis.Case, headers: dict[str, dict[str, str]]
) -> None:
    # Each generated request is sent once as each role: what one may do, another may not.
    for role in ROLES:
        response = case.call(headers=headers[role])
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:
            failure.add_note(f"signed in as: {role}")
            raise
