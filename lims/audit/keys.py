"""The audit key ring: the secret keys the chain's hashes are keyed with, kept outside the
database.

Someone who can write to the database but not read this directory cannot recompute a
keyed hash, so cannot rewrite events and make the chain verify again.  The ring keeps every
key ever used, one file each (``<key id>.json``, owner-readable only): verifying an old
event needs the key it was hashed with.  A key's id is the first 16 hex digits of the
SHA-256 of the key, so the id names the key without revealing it.

The ring's place comes from the environment, like every setting (``LIMS_AUDIT_KEY_DIR``,
else ``secrets/audit-keys`` in ``LIMS_DATA_DIR``): the audit trail is a base package and
reads no settings object, yet every process of an installation must find the same ring.
"""

import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from lims.errors import ConfigurationError

KEY_DIR_VARIABLE = "LIMS_AUDIT_KEY_DIR"
DATA_DIR_VARIABLE = "LIMS_DATA_DIR"
#: ``Settings.data_dir``'s default (lims.config, which this base package may not import);
#: tests/audit/test_keys.py proves the two agree.
DEFAULT_DATA_DIR = Path("var")
KEY_DIR_IN_DATA_DIR = Path("secrets") / "audit-keys"
_KEY_BYTES = 32
_KEY_SUFFIX = ".json"


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    secret: bytes = b""
    created_at: str = ""
    #: The id of the chain's newest event when the key was made (0: the chain was empty).
    follows_event: int = 0

    def __repr__(self) -> str:  # the secret never reaches a log or a traceback
        return f"AuditKey({self.key_id}, created {self.created_at})"


def key_id_of(secret: bytes) -> str:
    return hashlib.sha256(secret).hexdigest()[:16]


@dataclass(frozen=True)
class AuditKeyRing:
    directory: Path
    keys: tuple[AuditKey, ...] = ()  # oldest first

    def get(self, key_id: str) -> AuditKey | None:
        return next((key for key in self.keys if key.key_id == key_id), None)

    def require(self, key_id: str) -> AuditKey:
        key = self.get(key_id)
        if key is None:
            raise ConfigurationError(
                "key %(key_id)s is not in the key ring at %(directory)s",
                code="audit.key_key_ring",
                key_id=key_id,
                directory=self.directory,
            )
        return key

    @property
    def newest(self) -> AuditKey | None:
        return self.keys[-1] if self.keys else None

    @property
    def legacy_up_to(self) -> int | None:
        """The last event that may be unkeyed: the chain's head when the first key was made.

        Events before it were written by versions that hashed without a key; every later
        event must be keyed.  None while the ring is empty (no keyed event written yet).
        """
        return self.keys[0].follows_event if self.keys else None


def installation_key_dir() -> Path:
    """Where this installation keeps its audit key ring (see the module's note)."""
    return _key_dir(os.environ.get(KEY_DIR_VARIABLE), os.environ.get(DATA_DIR_VARIABLE))


@lru_cache(maxsize=8)
def _key_dir(configured: str | None, data_dir: str | None) -> Path:
    if configured:
        return Path(configured)
    return Path(data_dir or DEFAULT_DATA_DIR) / KEY_DIR_IN_DATA_DIR


def load_key_ring(directory: Path) -> AuditKeyRing:
    """The ring in ``directory`` (empty when there is none), read again only when a key is
    added: one ``stat`` per call.  A file system's clock may tick coarsely enough for a key
    added elsewhere to leave the time unchanged: ask ``read_key_ring`` before concluding
    that a key is missing."""
    try:
        modified = directory.stat().st_mtime_ns
    except FileNotFoundError:
        return AuditKeyRing(directory=directory)
    return _cached_ring(directory.resolve(), modified)


def read_key_ring(directory: Path) -> AuditKeyRing:
    """The ring in ``directory`` as it is on disk now."""
    if not directory.is_dir():
        return AuditKeyRing(directory=directory)
    return _read_ring(directory.resolve())


def installation_key_ring() -> AuditKeyRing:
    return load_key_ring(installation_key_dir())


@lru_cache(maxsize=8)
def _cached_ring(directory: Path, _modified: int) -> AuditKeyRing:
    return _read_ring(directory)


def _read_ring(directory: Path) -> AuditKeyRing:
    keys = [_read_key(path) for path in directory.glob(f"*{_KEY_SUFFIX}")]
    keys.sort(key=lambda key: (key.created_at, key.key_id))
    return AuditKeyRing(directory=directory, keys=tuple(keys))


def _read_key(path: Path) -> AuditKey:
    try:
        stored = json.loads(path.read_text())
        key = AuditKey(
            key_id=str(stored["key_id"]),
            secret=bytes.fromhex(stored["key"]),
            created_at=str(stored["created_at"]),
            follows_event=int(stored["follows_event"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigurationError(
            "audit key file %(path)s is unreadable: %(error)s",
            code="audit.audit_key_file_unreadable",
            path=path,
            error=error,
        ) from error
    if key_id_of(key.secret) != key.key_id or path.stem != key.key_id:
        raise ConfigurationError(
            "audit key file %(path)s does not hold the key its name says",
            code="audit.audit_key_file_does_hold",
            path=path,
        )
    return key


def add_key(directory: Path, *, follows_event: int) -> AuditKey:
    """Make a new random key and add it to the ring in ``directory`` (created 0700)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_bytes(_KEY_BYTES)
    key = AuditKey(
        key_id=key_id_of(secret),
        secret=secret,
        created_at=datetime.now(UTC).isoformat(),
        follows_event=follows_event,
    )
    stored = {
        "key_id": key.key_id,
        "key": secret.hex(),
        "created_at": key.created_at,
        "follows_event": follows_event,
    }
    _write_new_file(directory / f"{key.key_id}{_KEY_SUFFIX}", json.dumps(stored, indent=2))
    return key


def _write_new_file(path: Path, content: str) -> None:
    """Write ``path`` whole and owner-readable, or not at all: a reader never meets half a
    key.  (lims.config's _create_once does the same for the token secret; a base package
    of its own, the audit trail may not import it.)"""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)  # refuses to replace an existing key
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
