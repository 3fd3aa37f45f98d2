"""A disk that fills up: ``fsync`` of a file under a folder fails with ENOSPC.

On a full disk a write into the page cache may still succeed and the error surfaces when
the data is forced to disk, so failing ``fsync`` leaves a real, half-written temporary
file behind for the code under test to clean up.  Other files are not affected.
"""

import errno
import os
from pathlib import Path

import pytest


def fill_disk_under(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        if os.readlink(f"/proc/self/fd/{descriptor}").startswith(str(folder.resolve())):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
