"""The content-addressed file store."""

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from lims.errors import IntegrityFailure, InvalidInput, NotFound, StorageFull, TooLarge
from lims.storage import FileStore
from tests.production.full_disk import fill_disk_under


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


def stored_objects(store: FileStore) -> list[Path]:
    return [path for path in store.root.rglob("*") if path.is_file()]


def test_stored_file_is_named_by_its_sha256_and_reads_back(store: FileStore) -> None:
    content = b"Kalibrointitodistus \xe4\xf6" * 1000
    stored = store.put(io.BytesIO(content), max_bytes=10**6)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert store.read(stored.sha256) == content


def test_same_content_is_kept_once(store: FileStore) -> None:
    first = store.put(io.BytesIO(b"abc"), max_bytes=10)
    second = store.put([b"a", b"bc"], max_bytes=10)
    assert first == second
    assert len(stored_objects(store)) == 1


def test_file_over_the_limit_is_refused_and_nothing_is_kept(store: FileStore) -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield b"x" * 65536

    with pytest.raises(TooLarge, match="limit of 100000 bytes"):
        store.put(endless(), max_bytes=100_000)
    assert stored_objects(store) == []


def test_failed_write_leaves_no_partial_file(store: FileStore) -> None:
    def breaks_midway() -> Iterator[bytes]:
        yield b"first half"
        raise OSError("connection lost")

    with pytest.raises(OSError):
        store.put(breaks_midway(), max_bytes=1000)
    assert stored_objects(store) == []


def test_empty_file_is_stored(store: FileStore) -> None:
    stored = store.put(io.BytesIO(b""), max_bytes=10)
    assert stored.size == 0
    assert store.read(stored.sha256) == b""


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "..", "", "A" * 64, "0" * 63, "0" * 64 + "/../x", "0" * 65]
)
def test_names_other_than_a_sha256_are_refused(store: FileStore, name: str) -> None:
    with pytest.raises(InvalidInput, match="SHA-256"):
        store.read(name)


def test_missing_file_is_not_found(store: FileStore) -> None:
    with pytest.raises(NotFound):
        store.read("0" * 64)


def test_file_altered_on_disk_fails_its_integrity_check(store: FileStore) -> None:
    stored = store.put(io.BytesIO(b"original"), max_bytes=100)
    (path,) = stored_objects(store)
    path.write_bytes(b"tampered")
    assert store.exists(stored.sha256)
    with pytest.raises(IntegrityFailure, match=stored.sha256):
        store.read(stored.sha256)


def test_full_disk_is_reported_and_leaves_no_partial_file(
    store: FileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_disk_under(monkeypatch, store.root)
    with pytest.raises(StorageFull, match="the file store is full"):
        store.put(io.BytesIO(b"x" * 100_000), max_bytes=10**6)
    assert stored_objects(store) == []


def test_objects_lists_every_stored_file_by_hash(store: FileStore) -> None:
    first = store.put(io.BytesIO(b"first"), max_bytes=100)
    second = store.put(io.BytesIO(b"second"), max_bytes=100)
    assert list(store.objects()) == sorted([first, second], key=lambda stored: stored.sha256)
