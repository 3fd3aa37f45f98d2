"""What a reader extracts from a model: one shape for STEP AP242 and QIF alike.

``Plan.as_json()`` is the document ``lims cad inspect`` prints and the service turns into
proposed characteristics, so the two can never drift apart.
"""

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from lims.reasons import Reason

Kind = Literal["geometric_tolerance", "dimension"]


class CadError(ValueError):
    """The file cannot be read as a model; the :class:`Reason` tells the person why, in the
    language of the refusal that carries it."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.message)
        self.reason = reason
        self.template = reason.template
        self.params = reason.params
        self.message = reason.message


class NoSemanticPmi(CadError):
    """The file is readable but carries no semantic PMI to plan from."""


@dataclass
class Datum:
    label: str
    ref: str


@dataclass
class Characteristic:
    """A tolerance or toleranced dimension, with ``ref`` as its stable place in the file."""

    ref: str
    kind: Kind
    type: str
    name: str = ""
    magnitude: float | None = None
    nominal: float | None = None
    upper_deviation: float | None = None
    lower_deviation: float | None = None
    upper_limit: float | None = None
    lower_limit: float | None = None
    fit: str | None = None
    unit: str | None = None
    zone: str | None = None
    projected: bool = False
    modifiers: list[str] = field(default_factory=list)
    datum_frame: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def complete_limits(self) -> None:
        """Limits are nominal plus deviation wherever the file gives deviations."""
        if self.nominal is None:
            return
        if self.upper_limit is None and self.upper_deviation is not None:
            self.upper_limit = self.nominal + self.upper_deviation
        if self.lower_limit is None and self.lower_deviation is not None:
            self.lower_limit = self.nominal + self.lower_deviation


@dataclass
class Plan:
    format: Literal["step-ap242", "qif"]
    schema: str
    units: list[str] = field(default_factory=list)
    datums: list[Datum] = field(default_factory=list)
    characteristics: list[Characteristic] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        document = asdict(self)
        for characteristic in document["characteristics"]:
            if not characteristic["details"]:
                del characteristic["details"]
        return document
