"""Errors the domain raises; the API turns each into an RFC 9457 problem, the CLI into one line.

Services raise these and nothing HTTP-specific, so the rules stay usable from the CLI and tests.

A message is written once, in English, as a template with named parameters, and carries a
stable code (``area.what_went_wrong``) that clients may branch on:

    raise InvalidInput(
        "the certificate of %(equipment)s has no result for nominal %(nominal)s",
        code="equipment.no_certificate_result", equipment=item.code, nominal=nominal,
    )

The English text is ``message``; a person's own language gets the template translated from
the ``problems`` catalog with the parameters formatted for that language.
"""

from collections.abc import Sequence


class LimsError(Exception):
    """Base of every error a person can act on."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(
        self,
        message: str,
        *,
        location: Sequence[str | int] = (),
        code: str | None = None,
        **params: object,
    ) -> None:
        text = message % params if params else message
        super().__init__(text)
        self.template = message
        self.code = code
        self.params = params
        self.message = text
        self.location = tuple(location)


class InvalidInput(LimsError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class NotFound(LimsError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(LimsError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class PermissionDenied(LimsError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class TooLarge(LimsError):
    status = 413
    title = "Content too large"
    slug = "too-large"


class UnsupportedContent(LimsError):
    """An upload whose bytes are not what its name declares, or of a kind not kept."""

    status = 415
    title = "Unsupported content"
    slug = "unsupported-content"


class StorageFull(LimsError):
    """The disk holding the file store (or the upload spool) has no room left."""

    status = 507
    title = "Insufficient storage"
    slug = "storage-full"


class ConfigurationError(LimsError):
    status = 500
    title = "Configuration error"
    slug = "configuration"


class IntegrityFailure(LimsError):
    """Stored data no longer matches its recorded hash."""

    status = 500
    title = "Stored data failed its integrity check"
    slug = "integrity"
