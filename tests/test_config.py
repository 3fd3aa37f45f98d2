"""Settings from the environment, and the secret key rules."""

import multiprocessing
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from lims.config import SECRET_KEY_FILE, Settings
from lims.documents.service import verification_url
from lims.errors import ConfigurationError


def test_settings_come_from_lims_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIMS_DATA_DIR", "/srv/lims")
    monkeypatch.setenv("LIMS_LAB_ACCREDITATION_NUMBER", "K123")
    settings = Settings()
    assert settings.data_dir == Path("/srv/lims")
    assert settings.lab.accreditation_number == "K123"
    assert settings.resolved_database_url == "sqlite:////srv/lims/lims.sqlite3"


def test_defaults_are_the_embedded_ones() -> None:
    settings = Settings()
    assert settings.timezone == "Europe/Helsinki"
    assert settings.default_language == "fi"
    assert settings.resolved_database_url.endswith("/var/lims.sqlite3")


def test_secret_key_is_generated_once_and_kept_private(
    make_settings: Callable[..., Settings],
) -> None:
    first = make_settings().signing_key
    second = make_settings().signing_key
    assert first == second
    assert len(first) >= 43
    key_file = make_settings().data_dir / SECRET_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_refuses_to_start_without_an_explicit_secret_key(
    make_settings: Callable[..., Settings],
) -> None:
    with pytest.raises(ConfigurationError, match="LIMS_SECRET_KEY"):
        make_settings(environment="production").check()


def test_production_accepts_an_explicit_secret_key(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(environment="production", secret_key="s" * 48)
    settings.check()
    assert settings.signing_key == "s" * 48
    assert not (settings.data_dir / SECRET_KEY_FILE).exists()


def _key_in(data_dir: str) -> str:
    return Settings(data_dir=Path(data_dir), environment="test").signing_key


def test_processes_starting_together_agree_on_one_generated_key(tmp_path: Path) -> None:
    # uvicorn's workers each build the application at the same moment.
    with multiprocessing.get_context("fork").Pool(4) as pool:
        keys = pool.map(_key_in, [str(tmp_path)] * 8)
    assert len(set(keys)) == 1 and keys[0]
    assert [path.name for path in tmp_path.iterdir()] == [SECRET_KEY_FILE]


def test_production_refuses_the_test_suites_password_hashing(
    make_settings: Callable[..., Settings],
) -> None:
    with pytest.raises(ValueError, match="LIMS_PASSWORD_HASHING=test"):
        make_settings(environment="production", secret_key="s" * 48, password_hashing="test")


def test_password_hashing_defaults_to_production_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LIMS_PASSWORD_HASHING", raising=False)
    assert Settings().password_hashing == "production"


def test_public_url_defaults_to_the_port_served(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(port=8765)
    assert settings.public_url == "http://127.0.0.1:8765"
    assert verification_url(settings, "KT-2026-0001") == "http://127.0.0.1:8765/verify/KT-2026-0001"


def test_a_public_url_given_wins_over_the_address_served(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(port=8765, public_url="https://lims.example.fi/")
    assert verification_url(settings, "KT-2026-0001") == (
        "https://lims.example.fi/verify/KT-2026-0001"
    )


def test_a_public_url_of_a_wildcard_address_names_this_host(
    make_settings: Callable[..., Settings],
) -> None:
    assert make_settings(host="0.0.0.0", port=80).public_url == f"http://{socket.gethostname()}:80"
    assert make_settings(host="::1", port=8443).public_url == "http://[::1]:8443"
