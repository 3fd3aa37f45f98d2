"""Words that explain a refusal, given to it as a parameter and translated with it.

A low-level reader (the STEP reader, the model expression parser, a CSV row) knows *why* it
refuses but not how the service words the whole refusal, so it hands up a :class:`Reason`:
an English template with named parameters, like a refusal's own.  The refusal takes it as a
parameter (``raise CadError("not a readable STEP file: %(reason)s", code=…, reason=why)``)
and :func:`lims.problem_text.localized_text` translates both, the reason from the same
``problems`` catalog (``make messages`` extracts every ``Reason("…")`` template).

This module imports nothing of the service, so the uncertainty engine may use it too.
"""


class Reason:
    """Why something was refused, as an English template and its parameters.

    >>> why = Reason("#%(entity)s is defined twice", entity=12)
    >>> str(why), why.template, why.params
    ('#12 is defined twice', '#%(entity)s is defined twice', {'entity': 12})
    """

    __slots__ = ("message", "params", "template")

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        self.message = template % params if params else template

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"Reason({self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return (self.template, self.params) == (other.template, other.params)

    def __hash__(self) -> int:
        return hash(self.message)
