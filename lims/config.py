"""Settings: one pydantic-settings class, read from the environment (prefix ``LIMS_``).

Every setting has a default that works on a laptop (the embedded SQLite database under
``./var/``).  Production mode refuses to start without an explicit secret key, because a
generated key kept on local disk does not survive a move to several API processes.
"""

import contextlib
import os
import secrets
import socket
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lims.errors import ConfigurationError
from lims.sniffing import HEAD_BYTES, detect

SECRET_KEY_FILE = "secret_key"
#: Addresses that listen on every interface: no one reaches the service at them.
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
#: What a logo on documents may be: raster images WeasyPrint places as they are.
LOGO_TYPES = frozenset({"image/png", "image/jpeg"})
LOGO_MAX_BYTES = 1024 * 1024


class LabProfile(BaseSettings):
    """The lab as it appears on documents (ISO/IEC 17025 7.8.2.1 b)."""

    model_config = SettingsConfigDict(env_prefix="LIMS_LAB_", extra="ignore")

    name: str = "Demo Measurement Laboratory"
    address: str = "Tykistökatu 4, 20520 Turku, Finland"
    accreditation_body: str = "FINAS"
    accreditation_number: str = "K000"
    email: str = "laboratorio@example.fi"
    phone: str | None = None
    vat_number: str = Field(
        default="FI23456780",
        pattern=r"^FI\d{8}$",
        description="The lab's Finnish VAT number, printed beside the customer's on "
        "reverse-charge documents (FI and the Y-tunnus digits).",
    )
    logo: Path | None = Field(
        default=None, description="A PNG or JPEG image (at most 1 MiB) at the top of documents."
    )

    @field_validator("logo")
    @classmethod
    def _logo_is_a_small_image(cls, logo: Path | None) -> Path | None:
        # Checked when the settings are read, so a wrong path stops the service at start
        # instead of the first certificate a signatory issues.
        if logo is None:
            return None
        if not logo.is_file():
            raise ValueError(f"{logo} is not a file")
        if logo.stat().st_size > LOGO_MAX_BYTES:
            raise ValueError(f"{logo} is larger than {LOGO_MAX_BYTES // 1024} KiB")
        with logo.open("rb") as image:
            if detect(image.read(HEAD_BYTES)) not in LOGO_TYPES:
                raise ValueError(f"{logo} is not a PNG or JPEG image")
        return logo


class Settings(BaseSettings):
    """All configuration of one LIMS installation."""

    model_config = SettingsConfigDict(env_prefix="LIMS_", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(default=Path("var"), description="Files, SQLite database, secret key.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file lims.sqlite3 in data_dir."
    )
    database_owner_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the role that owns the schema and runs the migrations "
        "(`lims db upgrade`); default: database_url.",
    )
    database_app_role: str | None = Field(
        default=None,
        description="PostgreSQL role of database_url: every migration run grants it rows, "
        "and only SELECT and INSERT on audit_event; unset: no grants.",
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Signs tokens; generated into data_dir when not given."
    )
    timezone: str = "Europe/Helsinki"
    default_language: str = "fi"
    host: str = "127.0.0.1"
    port: int = 8000
    max_request_bytes: int = Field(
        default=2 * 1024 * 1024, description="Largest JSON request body accepted."
    )
    max_upload_bytes: int = Field(
        default=512 * 1024 * 1024, description="Largest file accepted into the file store."
    )
    log_level: str = "INFO"
    access_token_minutes: int = Field(default=15, gt=0, description="Life of an OAuth2 token.")
    session_hours: int = Field(default=10, gt=0, description="Life of a browser session.")
    login_free_failures: int = Field(
        default=4,
        ge=1,
        description="Failed logins at one username (from one address, or in all) before each "
        "further attempt must wait.",
    )
    login_address_free_failures: int = Field(
        default=10,
        ge=1,
        description="Failed logins from one client address, at any usernames, before each "
        "further attempt from it must wait.",
    )
    login_longest_wait_seconds: int = Field(
        default=60, gt=0, description="Cap of the doubling wait per address and username."
    )
    login_username_longest_wait_seconds: int = Field(
        default=5,
        gt=0,
        description="Cap of the wait per username across all addresses: short, so guesses "
        "from elsewhere never keep the owner out.",
    )
    max_monte_carlo_trials: int = Field(
        default=20_000_000, gt=0, description="Most Monte Carlo trials one HTTP request may ask."
    )
    max_monte_carlo_work: int = Field(
        default=1_000_000_000,
        gt=0,
        description="Most Monte Carlo work one HTTP request may ask: trials times the nodes of "
        "every output's model expression.",
    )
    monte_carlo_seconds: float = Field(
        default=30.0, gt=0, description="Longest one HTTP request's Monte Carlo run may take."
    )
    max_monte_carlo_runs: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        gt=0,
        description="Most Monte Carlo runs of HTTP requests at once in one process; default: "
        "the number of CPUs.",
    )
    max_cad_readers: int = Field(
        default=2, gt=0, description="Most CAD/QIF model readers at once in one process."
    )
    busy_wait_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long a request waits for a free Monte Carlo run or CAD reader before "
        "it is refused with 503 and Retry-After.",
    )
    default_delivery_days: int = Field(
        default=10, ge=0, description="Working days when no agreement or price list says."
    )
    max_import_rows: int = Field(
        default=10_000, gt=0, description="Most rows one CSV import of results may hold."
    )
    login_forget_minutes: int = Field(
        default=15, gt=0, description="Quiet minutes after which failed logins are forgotten."
    )
    late_entry_days: int = Field(
        default=7,
        ge=0,
        description="Days after the measurement date within which a result may be entered "
        "without a reason for the late entry (ISO/IEC 17025 7.5, 7.11).",
    )
    below_cmc: Literal["raise", "outside_accreditation"] = Field(
        default="raise",
        description="An accredited result whose evaluated U is below the CMC at its size: "
        "'raise' reports U = the CMC (ILAC-P14:09/2020 5.5), both values kept in its budget; "
        "'outside_accreditation' reports the evaluated U outside the accreditation.",
    )
    simple_acceptance_min_tur: float = Field(
        default=4.0,
        gt=0,
        description="Simple acceptance (ILAC-G8:09/2019 4.2.1) warns below this "
        "test-uncertainty ratio (T_U - T_L) / (2 U).",
    )
    simple_acceptance_min_probability: float = Field(
        default=0.95,
        gt=0,
        lt=1,
        description="Simple acceptance warns below this probability of conformance (JCGM 106).",
    )
    simple_acceptance_refuse: bool = Field(
        default=False,
        description="Refuse, instead of warning, a simple acceptance below either minimum.",
    )
    retention_years: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Years a record is kept after its last activity (ISO/IEC 17025 8.4.2); "
        "records inside it cannot be deleted.",
    )
    public_url: str = Field(
        default="",
        description="Where customers reach this service; documents' QR codes link to "
        "<public_url>/verify/<number>. Default: http://<host>:<port>, the address served.",
    )
    qif_schema_dir: Path | None = Field(
        default=None,
        description="QIF 3.0 XSD set (QIFApplications/, QIFLibrary/); QIF is validated when set.",
    )
    dcc_schema_dir: Path | None = Field(
        default=None,
        description="Folder with dcc_*.xsd and dsi_*.xsd; when set, every issued DCC is "
        "validated against it.",
    )
    cad_parse_seconds: float = Field(
        default=60.0, gt=0, description="Longest a CAD/QIF model may take to read."
    )
    cad_max_decompressed_bytes: int = Field(
        default=512 * 1024 * 1024, gt=0, description="Largest size a gzip STEP file may inflate to."
    )
    cad_max_memory_bytes: int = Field(
        default=4 * 1024 * 1024 * 1024, gt=0, description="Address space of the model reader."
    )
    audit_key_dir: Path | None = Field(
        default=None,
        description="The audit key ring (lims/audit/keys.py), best on another disk than the "
        "database's; default: secrets/audit-keys in data_dir.",
    )
    # Not "signing_key": that name already holds the token secret below.
    document_signing_key: Path | None = Field(
        default=None,
        description="The lab's PEM private key for PAdES signatures on documents; "
        "default: signing/lab-key.pem in data_dir.",
    )
    document_signing_certificate: Path | None = Field(
        default=None,
        description="The lab's PEM X.509 certificate for PAdES signatures on documents; "
        "default: signing/lab-certificate.pem in data_dir.",
    )
    document_tsa_url: str | None = Field(
        default=None,
        description="RFC 3161 time-stamp authority (http or https URL); when set, signatures "
        "are PAdES B-LT: timestamped, with their validation data embedded.  Unset: B-B.",
    )
    document_tsa_certificate: Path | None = Field(
        default=None,
        description="PEM file with the TSA's certificate and its CA certificates: its "
        "timestamps are trusted through them, and they are embedded as validation data.",
    )
    document_tsa_username: str | None = Field(
        default=None, description="HTTP basic user name at the TSA, if it asks for one."
    )
    document_tsa_password: SecretStr | None = Field(
        default=None, description="HTTP basic password at the TSA."
    )
    document_tsa_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest wait for the TSA's answer."
    )
    signatory_certificate_dir: Path | None = Field(
        default=None,
        description="Folder of signatories' own keys: <username>.key (PEM private key) and "
        "<username>.pem (their certificate, then its CA certificates); a signatory with both "
        "signs with them, everyone else with the lab's key.",
    )
    audit_checkpoint_log: Path | None = Field(
        default=None,
        description="Append-only log of signed audit chain checkpoints, outside the database; "
        "default: files/audit-checkpoints.jsonl in data_dir.",
    )
    audit_checkpoint_hours: int = Field(
        default=24,
        ge=0,
        description="The service checkpoints the audit chain when the newest checkpoint is "
        "older than this (checked hourly); 0: only exports and `lims audit checkpoint` do.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies (comma-separated IPs or networks, or *) whose X-Forwarded-For and "
        "X-Forwarded-Proto `lims serve` believes; the client address and HTTPS come from them.",
    )
    postgres_bin_dir: Path | None = Field(
        default=None,
        description="Folder with pg_dump/pg_restore of the server's major version (backups); "
        "default: /usr/lib/postgresql/<major>/bin, then PATH.",
    )
    password_hashing: Literal["production", "test"] = Field(
        default="production",
        description="Argon2id parameters of new password hashes: production's, or the "
        "cheapest for test suites (refused when LIMS_ENVIRONMENT=production).",
    )
    lab: LabProfile = Field(default_factory=LabProfile)

    @model_validator(mode="after")
    def _production_hashes_passwords_fully(self) -> "Settings":
        if self.environment == "production" and self.password_hashing == "test":
            raise ValueError("LIMS_PASSWORD_HASHING=test is for test suites, not production")
        return self

    @model_validator(mode="after")
    def _public_url_follows_the_address_served(self) -> "Settings":
        # Unset, the verification links on documents lead where `lims serve` listens; a
        # wildcard address listens on every interface, of which this host's name is one.
        if not self.public_url:
            host = socket.gethostname() if self.host in WILDCARD_HOSTS else self.host
            if ":" in host:
                host = f"[{host}]"
            self.public_url = f"http://{host}:{self.port}"
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'lims.sqlite3').resolve()}"

    @property
    def resolved_database_owner_url(self) -> str:
        return self.database_owner_url or self.resolved_database_url

    @property
    def resolved_audit_key_dir(self) -> Path:
        # The same rule as lims.audit.keys.installation_key_dir, which reads the environment
        # directly (the audit trail imports no settings); tests/audit/test_keys.py compares.
        return self.audit_key_dir or self.data_dir / "secrets" / "audit-keys"

    @property
    def resolved_document_signing_key(self) -> Path:
        return self.document_signing_key or self.data_dir / "signing" / "lab-key.pem"

    @property
    def resolved_document_signing_certificate(self) -> Path:
        return (
            self.document_signing_certificate or self.data_dir / "signing" / "lab-certificate.pem"
        )

    @property
    def resolved_audit_checkpoint_log(self) -> Path:
        return self.audit_checkpoint_log or self.data_dir / "files" / "audit-checkpoints.jsonl"

    @cached_property
    def signing_key(self) -> str:
        """The secret key, generated once into the data directory outside production."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.environment == "production":
            raise ConfigurationError(
                "LIMS_SECRET_KEY must be set in production (LIMS_ENVIRONMENT=production)",
                code="config.lims_secret_key_must_set",
            )
        key_file = self.data_dir / SECRET_KEY_FILE
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            _create_once(key_file, secrets.token_urlsafe(48))
        return key_file.read_text().strip()

    def check(self) -> None:
        """Fail early, with one sentence, on a configuration that cannot run."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _ = self.signing_key


def _create_once(path: Path, content: str) -> None:
    """Create ``path`` whole, owner-readable, unless it exists: of several processes starting
    at once (uvicorn workers), one key wins and every process reads that one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # atomic, and refuses to replace another's key
    finally:
        temporary.unlink(missing_ok=True)


def get_settings() -> Settings:
    return Settings()
