"""CAD tests run with the QIF schema configured (from ../shared) and a short parse timeout."""

from collections.abc import Callable

import pytest

from lims.config import Settings
from tests.conftest import shared_path


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(
        database_url=database_url,
        qif_schema_dir=shared_path("schemas", "qif"),
        cad_parse_seconds=30,
    )
