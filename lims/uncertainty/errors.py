"""The one error the engine raises for bad input.

The API turns it into a 422 problem+json and the CLI into one line with exit status 2, so the
message must say what to fix and `location` must point at the offending field.
"""

from collections.abc import Sequence


class UncertaintyInputError(ValueError):
    """A request the engine cannot evaluate, with what to fix and where.

    ``location`` is the JSON path of the offending field, ``position`` the 0-based character
    offset of the offending token when the fault is inside an expression, counted in the text
    as typed (leading blanks and earlier lines included; characters, not UTF-8 bytes).

    >>> error = UncertaintyInputError("Unknown name 'q'.", location=("model",), position=4)
    >>> error.location, error.position, str(error)
    (('model',), 4, "Unknown name 'q'.")
    """

    def __init__(
        self,
        message: str,
        *,
        location: Sequence[str | int] = (),
        position: int | None = None,
        code: str | None = None,
        **params: object,
    ) -> None:
        # As lims.errors.LimsError: an English template, a stable code and named parameters,
        # so that the API words it in the reader's language.
        text = message % params if params else message
        super().__init__(text)
        self.template = message
        self.code = code
        self.params = params
        self.message = text
        self.location: tuple[str | int, ...] = tuple(location)
        self.position = position

    def at(self, *prefix: str | int) -> "UncertaintyInputError":
        """The same error with ``prefix`` put in front of its location.

        >>> UncertaintyInputError("Bad.", location=("dof",)).at("inputs", 2).location
        ('inputs', 2, 'dof')
        """
        moved = UncertaintyInputError.__new__(UncertaintyInputError)
        moved.__dict__.update(self.__dict__)
        moved.args = self.args
        moved.location = (*prefix, *self.location)
        return moved


class SimpleAcceptanceRefused(UncertaintyInputError):
    """Simple acceptance below the lab's minimum test-uncertainty ratio or probability of
    conformance, which the lab's policy refuses (ILAC-G8:09/2019 4.2.1 ignores U)."""
