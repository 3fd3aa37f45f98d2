"""A warning of the engine: English text that keeps the template it was worded from.

The engine's answers carry their warnings as a list of strings, stored with a job's result,
printed by the CLI and answered to API clients as they always were.  Each warning is also a
:class:`lims.reasons.Reason`'s template and parameters, so that the API and the web UI word it
in the reader's language (:func:`lims.problem_text.localized_text`).
"""

from lims.reasons import Reason


class WarningText(str):
    """A warning that reads as its English text wherever a string is expected.

    >>> warning = WarningText(Reason("%(name)s: few trials", name="y"))
    >>> warning, warning.template, warning.params
    ('y: few trials', '%(name)s: few trials', {'name': 'y'})
    """

    reason: Reason

    def __new__(cls, reason: Reason) -> "WarningText":
        text = super().__new__(cls, str(reason))
        text.reason = reason
        return text

    def __reduce__(self) -> tuple[type["WarningText"], tuple[Reason]]:
        # Copied or pickled with its reason (a str subclass would otherwise be rebuilt from
        # its text alone).
        return WarningText, (self.reason,)

    @property
    def template(self) -> str:
        return self.reason.template

    @property
    def params(self) -> dict[str, object]:
        return self.reason.params
