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

from collections.abc import Mapping, Sequence
from typing import TypeVar


def problem_template(template: str) -> str:
    """Mark ``template`` for the problems catalog where a refusal is worded outside a raise
    (e.g. the API's answer to a request that fails its schema); it is translated where shown."""
    return template


class LimsError(Exception):
    """Base of every error a person can act on."""

    status = 400
    title = "Bad request"
    slug = "bad-request"
    #: More members of the problem document, where a refusal carries more than its words.
    extensions: Mapping[str, object]

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

    def at(self, location: Sequence[str | int]) -> "LimsError":
        """The same refusal pointing at ``location``, e.g. a field of the request that led
        a nested check to it."""
        return self.recast(type(self), location=location)

    def recast(self, kind: "type[Recast]", *, location: Sequence[str | int]) -> "Recast":
        """The same words (template, code, parameters) as another kind of refusal, e.g. a
        permission check of a person chosen in a form, which is that form's invalid input."""
        moved = kind.__new__(kind)
        moved.__dict__.update(self.__dict__)
        moved.args = self.args
        moved.location = tuple(location)
        return moved


Recast = TypeVar("Recast", bound=LimsError)


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
