"""What a backup or restore refuses: each a sentence naming what is wrong."""

from lims.errors import LimsError


class BackupInvalid(LimsError):
    """The backup is incomplete, altered, or does not fit the target."""

    status = 422
    title = "Invalid backup"
    slug = "invalid-backup"


class BackupFailed(LimsError):
    """A tool or the database failed while backing up or restoring."""

    status = 500
    title = "Backup failed"
    slug = "backup-failed"
