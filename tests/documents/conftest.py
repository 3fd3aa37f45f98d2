"""Settings for document tests: a lab signing key, and the DCC schema when ../shared has it."""

from collections.abc import Callable

import pytest

from lims.config import Settings
from lims.documents.signing import create_demo_signing_key
from tests.conftest import SHARED_DIR

DCC_SCHEMAS = SHARED_DIR / "schemas" / "dcc"


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings], database_url: str
) -> Settings:
    """A test parametrizes it indirectly with the settings it changes."""
    lab_settings = make_settings(
        database_url=database_url,
        dcc_schema_dir=DCC_SCHEMAS if DCC_SCHEMAS.exists() else None,
        **getattr(request, "param", {}),
    )
    create_demo_signing_key(lab_settings)
    return lab_settings
