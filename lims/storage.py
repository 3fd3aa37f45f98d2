"""Content-addressed file store: each file is kept once, under the SHA-256 of its bytes.

Writes stream through a temporary file (hashing and counting as they go), are fsynced and
renamed into place, so a reader never sees half a file and a crash leaves only a temporary
file behind.  A full disk is reported as such (``StorageFull``) and leaves nothing behind.
Reads are checked against the hash, so silent corruption on disk is reported instead of
served.  The interface (put/open/exists/objects) is what an S3-compatible store would offer.
"""

import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lims.errors import IntegrityFailure, InvalidInput, NotFound, StorageFull, TooLarge

CHUNK_BYTES = 1024 * 1024
FILES_FOLDER = "files"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: The errors a full disk (or an exhausted quota) gives on write, fsync or rename.
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_out_of_space(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in _NO_SPACE


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


def _chunks_of(source: BinaryIO | Iterable[bytes]) -> Iterator[bytes]:
    if hasattr(source, "read"):
        while chunk := source.read(CHUNK_BYTES):
            yield chunk
    else:
        yield from source


class FileStore:
    """Files under ``root/objects/ab/cdef…`` named by their SHA-256.

    >>> import tempfile, io
    >>> store = FileStore(Path(tempfile.mkdtemp()))
    >>> stored = store.put(io.BytesIO(b"mittaus"), max_bytes=100)
    >>> stored.size, store.read(stored.sha256)
    (7, b'mittaus')
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._objects = root / "objects"
        self._incoming = root / "incoming"

    def put(self, source: BinaryIO | Iterable[bytes], *, max_bytes: int) -> StoredFile:
        """Store the bytes of ``source``; refuse (and keep nothing) beyond ``max_bytes``."""
        self._incoming.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle, temporary = tempfile.mkstemp(dir=self._incoming)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in _chunks_of(source):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(
                            "the file is larger than the limit of %(max_bytes)s bytes",
                            code="storage.file_larger_than_limit_bytes",
                            max_bytes=max_bytes,
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self._path_for(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, target)
            self._fsync_directory(target.parent)
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if is_out_of_space(error):
                raise StorageFull(
                    "the file store is full: nothing was stored; ask the lab's administrator "
                    "to free space, "
                    "then send the file again",
                    code="storage.file_store_full",
                ) from error
            raise
        return StoredFile(sha256=sha256, size=size)

    def objects(self) -> Iterator[StoredFile]:
        """Every stored file, in hash order (what a backup copies)."""
        if not self._objects.is_dir():
            return
        for folder in sorted(self._objects.iterdir()):
            for path in sorted(folder.iterdir()):
                sha256 = folder.name + path.name
                if path.is_file() and _SHA256_HEX.fullmatch(sha256):
                    yield StoredFile(sha256=sha256, size=path.stat().st_size)

    def exists(self, sha256: str) -> bool:
        return self._path_for(sha256).is_file()

    def open(self, sha256: str) -> Iterator[bytes]:
        """Stream the file's chunks; the last step verifies the whole file against its hash."""
        path = self._path_for(sha256)
        if not path.is_file():
            raise NotFound(
                "no stored file has the hash %(sha256)s",
                code="storage.stored_file_has_hash",
                sha256=sha256,
            )
        return self._verified_chunks(path, sha256)

    def read(self, sha256: str) -> bytes:
        return b"".join(self.open(sha256))

    def _verified_chunks(self, path: Path, sha256: str) -> Iterator[bytes]:
        digest = hashlib.sha256()
        with path.open("rb") as source:
            while chunk := source.read(CHUNK_BYTES):
                digest.update(chunk)
                yield chunk
        if digest.hexdigest() != sha256:
            raise IntegrityFailure(
                "stored file %(sha256)s does not match its hash",
                code="storage.stored_file_does_match_hash",
                sha256=sha256,
            )

    def _path_for(self, sha256: str) -> Path:
        # The name is the only part of the path a caller controls: accept exactly a hash.
        if not _SHA256_HEX.fullmatch(sha256):
            raise InvalidInput(
                "a file is named by its SHA-256: 64 lowercase hex digits",
                code="storage.file_named_sha_256_64",
            )
        return self._objects / sha256[:2] / sha256[2:]

    @staticmethod
    def _fsync_directory(directory: Path) -> None:
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def store_in(data_dir: Path) -> FileStore:
    """The installation's file store: the ``files`` folder of the data directory."""
    return FileStore(data_dir / FILES_FOLDER)
