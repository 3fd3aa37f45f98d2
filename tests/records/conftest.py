"""Record exports issue real documents: the lab's signing key comes from the documents' tests.

Every module here works on one lab (``lab``) and may run the CLI against it
(``cli_environment``)."""

import pytest
from sqlalchemy import Engine

from lims.config import Settings
from tests.documents.conftest import settings
from tests.jobs.factories import Lab, make_lab

__all__ = ["settings"]


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


@pytest.fixture
def cli_environment(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("LIMS_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(settings.data_dir))
