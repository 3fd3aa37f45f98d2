"""Records for auditors: the export the API and the CLI call, with nothing left behind on error.

Over HTTP the bundle is built into a spooled temporary file (in memory up to
``SPOOL_BYTES``, then an anonymous file in the data directory, unlinked from the start) and
streamed from there once complete.  Memory stays bounded whatever the size of the bundle,
a failure half-way (a stored file that fails its hash check) is still answered with a
problem rather than a truncated download, and a crash leaves no file.  The CLI writes a
temporary file beside the target and renames it into place only when the bundle is whole.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sqlmodel import Session

from lims.accounts.principal import Principal
from lims.config import Settings
from lims.errors import Conflict, InvalidInput
from lims.records.collect import safe_name
from lims.records.export import ExportSummary, Progress, export_bundle
from lims.records.scope import Scope
from lims.storage import CHUNK_BYTES, FileStore

SPOOL_BYTES = 8 * 1024 * 1024
TEMPORARY_FOLDER = "tmp"


def bundle_name(scope: Scope) -> str:
    return f"records-{safe_name(scope.label)}.zip"


def _temporary_dir(settings: Settings) -> Path:
    # Not /tmp: it may be a RAM disk, and a year's bundle belongs on the data volume.
    folder = settings.data_dir / TEMPORARY_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_spooled(
    db_session: Session,
    *,
    actor: Principal,
    scope: Scope,
    settings: Settings,
    store: FileStore,
    language: str | None = None,
) -> tuple[IO[bytes], ExportSummary]:
    """The finished bundle in a temporary file, rewound; the caller closes it."""
    # Outlives this function: chunks_of closes it once the response has streamed it.
    spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=SPOOL_BYTES, dir=str(_temporary_dir(settings))
    )
    try:
        summary = export_bundle(
            db_session,
            actor=actor,
            scope=scope,
            settings=settings,
            store=store,
            target=spool,
            language=language,
        )
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, summary


def chunks_of(bundle: IO[bytes]) -> Iterator[bytes]:
    """Stream a spooled bundle and close it, also when the client goes away half-way."""
    try:
        while chunk := bundle.read(CHUNK_BYTES):
            yield chunk
    finally:
        bundle.close()


def export_to_file(
    db_session: Session,
    *,
    actor: Principal,
    scope: Scope,
    settings: Settings,
    store: FileStore,
    path: Path,
    progress: Progress | None = None,
    language: str | None = None,
) -> ExportSummary:
    """Write the bundle to ``path``, which must not exist; all of it or nothing."""
    if path.exists():
        raise Conflict(
            "%(path)s already exists: name another file with -o",
            code="records.already_exists_name_another_file",
            path=path,
        )
    if not path.parent.is_dir():
        raise InvalidInput(
            "cannot write %(path)s: the folder %(parent)s does not exist",
            code="records.cannot_write_folder_does_exist",
            path=path,
            parent=path.parent,
        )
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w+b") as target:
            summary = export_bundle(
                db_session,
                actor=actor,
                scope=scope,
                settings=settings,
                store=store,
                target=target,
                progress=progress,
                language=language,
            )
            target.flush()
            os.fsync(target.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return summary
