"""The ZIP bundle: every file hashed as it is written, then ``SHA256SUMS`` and the manifest.

Files are written one at a time and stored files stream through in the file store's chunks,
so a bundle of any size needs the memory of one chunk and one job's JSON, plus one short
line per file for the manifest.  PDFs and other stored files go in uncompressed (they are
compressed already); JSON and HTML are deflated.  Every entry carries the export's time, so
two exports of the same records at the same moment are the same bytes.

``manifest.json`` names every other file with its SHA-256 and size, the scope, the time,
the exporter and the audit chain's head; ``SHA256SUMS`` says the same in the format of
``sha256sum -c``, for an auditor with no more than a shell.  ``manifest.json.jws`` is the
lab's detached signature of the manifest's bytes (``lims.documents.detached``): recomputing
every hash after an edit no longer yields a bundle that verifies.
"""

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.json.jws"
CHECKSUMS = "SHA256SUMS"
FORMAT = "lims-records-bundle/1"
# Below this a stored file cannot need ZIP64; above it, or of unknown size, it may.
_ZIP64_FROM = 2**31


@dataclass(frozen=True)
class BundleFile:
    path: str
    sha256: str
    size: int
    record: str | None = None  # the record that keeps this file's hash, e.g. document:KT-…

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path, "sha256": self.sha256, "size": self.size}
        if self.record is not None:
            entry["record"] = self.record
        return entry


def json_bytes(value: Any) -> bytes:
    """JSON with one record (list item, or top-level key) per line.

    Readable and easy to diff and grep, and several times faster than ``indent=2``, which
    takes the standard library's pure-Python encoder instead of its C one.
    """
    if isinstance(value, list) and value:
        lines = ",\n".join(_compact(item) for item in value)
        return f"[\n{lines}\n]\n".encode()
    if isinstance(value, dict) and value:
        lines = ",\n".join(f"{_compact(key)}: {_compact(item)}" for key, item in value.items())
        return f"{{\n{lines}\n}}\n".encode()
    return f"{_compact(value)}\n".encode()


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class BundleWriter:
    """Writes the ZIP into ``target`` (a seekable binary file) and remembers every hash."""

    def __init__(self, target: IO[bytes], *, written_at: datetime) -> None:
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self._date_time = written_at.timetuple()[:6]
        self.files: list[BundleFile] = []
        self._paths: set[str] = set()

    def add_json(self, path: str, value: Any) -> BundleFile:
        return self.add(path, [json_bytes(value)])

    def add_text(self, path: str, text: str) -> BundleFile:
        return self.add(path, [text.encode()])

    def add(
        self,
        path: str,
        chunks: Iterable[bytes],
        *,
        record: str | None = None,
        size: int | None = None,
        compress: bool = True,
    ) -> BundleFile:
        """Write one file from its chunks, hashing and counting them on the way."""
        if path in self._paths:
            raise ValueError(f"{path} is already in the bundle")
        info = zipfile.ZipInfo(path, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        digest = hashlib.sha256()
        written = 0
        large = size is None or size >= _ZIP64_FROM
        with self._zip.open(info, "w", force_zip64=large) as out:
            for chunk in chunks:
                digest.update(chunk)
                written += len(chunk)
                out.write(chunk)
        entry = BundleFile(path=path, sha256=digest.hexdigest(), size=written, record=record)
        self._paths.add(path)
        self.files.append(entry)
        return entry

    def finish(self, manifest: dict[str, Any], sign: Callable[[bytes], str]) -> str:
        """Write ``SHA256SUMS``, the manifest and its signature by ``sign``, close the ZIP;
        the manifest's SHA-256."""
        sums = "".join(f"{entry.sha256}  {entry.path}\n" for entry in self.files)
        self.add(CHECKSUMS, [sums.encode()])
        document = {
            "format": FORMAT,
            **manifest,
            "files": [entry.as_json() for entry in self.files],
        }
        content = json_bytes(document)
        info = zipfile.ZipInfo(MANIFEST, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, content)
        signature = zipfile.ZipInfo(MANIFEST_SIGNATURE, date_time=self._date_time)
        signature.external_attr = 0o644 << 16
        self._zip.writestr(signature, sign(content).encode() + b"\n")
        self._zip.close()
        return hashlib.sha256(content).hexdigest()

    def abandon(self) -> None:
        """Close without a manifest: the caller throws the target away."""
        self._zip.close()
