"""Methods (procedures, ISO/IEC 17025 7.2), their accredited scope and CMC, and the
uncertainty model template each evaluation of the method starts from (7.6)."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.json_schema import JsonDict
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from lims.accounts.models import timestamp
from lims.db import utcnow
from lims.master_text import Translations, checked


class ServiceKind(StrEnum):
    """The kinds of job a method serves (ARCHITECTURE: the lab's work B1-B3)."""

    CALIBRATION = "calibration"
    PRODUCT_QC = "product_qc"
    REFERENCE = "reference"
    INSPECTION = "inspection"


class ResultQuantity(StrEnum):
    """What a method's result is, so a document labels it as such: a deviation is not a
    measured value."""

    MEASURED_VALUE = "measured_value"
    DEVIATION = "deviation"  # from the nominal
    ERROR_OF_INDICATION = "error_of_indication"  # an instrument's indication minus the reference


# -- where each input of the model comes from -------------------------------------------------


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, description="The name used in the model")
    description: str = Field(default="", max_length=500)
    unit: str = Field(min_length=1, max_length=16)


class CertificateSource(_Source):
    """The value and U of a result on the certificate of the equipment used in a role."""

    source: Literal["certificate"]
    equipment_role: str = Field(
        min_length=1, max_length=64, description="e.g. 'reference': which item's certificate"
    )
    nominal_parameter: str | None = Field(
        default=None,
        max_length=100,
        description="Parameter whose value picks the certificate result of that nominal size",
    )


class ObservationsSource(_Source):
    """Observations taken at measurement: Type A (GUM 4.2)."""

    source: Literal["type_a"]


class TypeBSource(_Source):
    """A fixed Type B evaluation: resolution, temperature limits, expansion coefficients."""

    source: Literal["type_b"]
    distribution: Literal["normal", "rectangular", "triangular", "arcsine", "trapezoidal"]
    value: float = 0.0
    standard_uncertainty: float | None = None
    half_width: float | None = None
    beta: float | None = None
    dof: float | None = None


class ParameterSource(_Source):
    """A parameter of the job or item (nominal size, material), taken as exact."""

    source: Literal["parameter"]


InputSource = Annotated[
    CertificateSource | ObservationsSource | TypeBSource | ParameterSource,
    Field(discriminator="source"),
]


class CoordinateBudget(BaseModel):
    """The budget template of a coordinate (CMM) method: the machine's ISO 10360-2
    specification and the lab's thermal figures, from which each characteristic's
    task-specific uncertainty is evaluated (lims.methods.coordinate).

    Lengths as the ISO 10360 data sheets write them: A and P_FTU in um, the size L in mm,
    and L/K read in um (E_L,MPE = 1.8 + L/300 um).
    """

    model_config = ConfigDict(extra="forbid")
    mpe_e_a: float = Field(ge=0, description="A of E_L,MPE = A + L/K, um (ISO 10360-2)")
    mpe_e_k: float = Field(gt=0, description="K of E_L,MPE = A + L/K (L in mm, L/K in um)")
    mpe_p_ftu: float = Field(ge=0, description="Probing form error P_FTU,MPE, um (ISO 10360-5)")
    scale_expansion: float = Field(
        default=0.0, description="Expansion coefficient of the CMM's scales, 1/K"
    )
    scale_expansion_half_width: float = Field(
        default=0.0, ge=0, description="Limits (+/-) of the scales' expansion coefficient, 1/K"
    )
    part_expansion: float = Field(
        description="Expansion coefficient of the parts measured, 1/K, unless a "
        "characteristic gives its own 'alpha'"
    )
    part_expansion_half_width: float = Field(
        ge=0, description="Limits (+/-) of the parts' expansion coefficient, 1/K"
    )
    temperature_uncertainty: float = Field(
        gt=0, description="Standard uncertainty of the measured part and scale temperatures, K"
    )
    form_sampling_half_width: float = Field(
        default=0.0,
        ge=0,
        description="Limits (+/-) of the form error a form or profile tolerance's sampling "
        "can miss, um: added for those features only",
    )
    workpiece_variation: float | None = Field(
        default=None,
        ge=0,
        description="u_w of ISO 15530-3, um: the variation between a calibrated reference "
        "workpiece and the products (form, roughness, material); without it no substitution",
    )


# -- methods ----------------------------------------------------------------------------------

#: A method's translatable master text and its longest length.
TRANSLATABLE = {"title": 300, "guidance": 2000}


def _checked_translations(translations: Translations) -> Translations:
    if "title" in translations.get("en", {}):
        raise ValueError("the English title is title_en, not a translation")
    return checked(translations, TRANSLATABLE)


class MethodBase(SQLModel):
    code: str = Field(min_length=1, max_length=32, description="e.g. DIM-GB-01")
    version: int = Field(default=1, ge=1)
    title_fi: str = Field(min_length=1, max_length=300)
    title_en: str = Field(min_length=1, max_length=300)
    service_kind: ServiceKind
    measurand: str = Field(min_length=1, max_length=300)
    result_unit: str = Field(
        min_length=1, max_length=16, description="Unit of the result, of U and of the CMC"
    )
    result_quantity: ResultQuantity = Field(
        default=ResultQuantity.MEASURED_VALUE,
        description="What the result is: measured_value, deviation (from the nominal) or "
        "error_of_indication; documents label the result column by it",
    )
    size_unit: str = Field(
        min_length=1, max_length=16, description="Unit of the measured size L and the range"
    )
    range_min: float = Field(description="Smallest size L in the measuring range")
    range_max: float = Field(description="Largest size L in the measuring range")
    cmc: str = Field(
        min_length=1,
        max_length=500,
        description="CMC as a function of L, e.g. 'Q[0.3, 0.002*L]' or '0.3 + 0.002*L'",
    )
    accredited_from: date | None = Field(
        default=None, description="First day in the accredited scope; null: not in scope"
    )
    accredited_until: date | None = Field(default=None, description="Last day in scope")
    guidance: str = Field(
        default="", max_length=2000, description="The guidance the method follows"
    )
    validation_record: str = Field(
        default="", max_length=4000, description="How the method was validated, and the result"
    )
    validated_on: date | None = None
    temperature_min: float | None = Field(
        default=None, description="Lowest room temperature, °C, at which the method is valid"
    )
    temperature_max: float | None = Field(default=None, description="Highest, °C")
    humidity_max: float | None = Field(
        default=None, ge=0, le=100, description="Highest relative humidity, %RH"
    )
    calibration_points: list[float] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Default sizes L to calibrate at (e.g. a micrometer's test lengths)",
    )
    equipment_roles: dict[str, list[str]] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="Equipment role -> the kinds of equipment that may fill it "
        "(e.g. {'reference': ['ring_gauge']}); every certificate input's role is declared",
    )
    model: str = Field(min_length=1, max_length=10_000, description="Uncertainty model")
    output: str = Field(default="y", min_length=1, max_length=100)
    coverage_probability: float = Field(default=0.9545, gt=0, lt=1)
    translations: Translations = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="The title (sv, et; English is title_en) and the guidance in the other "
        "document languages, {language: {field: text}}; the Finnish fields are the master",
    )

    @field_validator("translations")
    @classmethod
    def _translations(cls, value: Translations) -> Translations:
        return _checked_translations(value)


class Method(MethodBase, table=True):
    __audited__ = True
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    service_kind: str = Field(max_length=32)  # type: ignore[assignment]  # text column, not a DB enum
    result_quantity: str = Field(default=ResultQuantity.MEASURED_VALUE, max_length=32)  # type: ignore[assignment]  # text column, not a DB enum
    inputs: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    coordinate_budget: dict | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())

    def in_scope_on(self, on_date: date) -> bool:
        if self.accredited_from is None or on_date < self.accredited_from:
            return False
        return self.accredited_until is None or on_date <= self.accredited_until

    def label(self) -> str:
        return f"{self.code} v{self.version}"


METHOD_EXAMPLE: JsonDict = {
    "code": "DIM-RING-01",
    "version": 1,
    "title_fi": "Asetusrenkaan kalibrointi",
    "title_en": "Calibration of setting rings",
    "service_kind": "calibration",
    "measurand": "diameter of a setting ring at 20 °C",
    "result_unit": "um",
    "result_quantity": "deviation",
    "size_unit": "mm",
    "range_min": 3,
    "range_max": 200,
    "cmc": "Q[0.3, 0.002*L]",
    "accredited_from": "2026-01-01",
    "guidance": "EURAMET cg-6 (extent of calibration for cylindrical diameter standards)",
    "model": "d_S + d_x - d_s",
    "output": "d_X",
    "inputs": [
        {"name": "d_S", "source": "certificate", "unit": "um", "equipment_role": "reference"},
        {"name": "d_x", "source": "type_a", "unit": "um"},
        {
            "name": "d_s",
            "source": "type_b",
            "unit": "um",
            "distribution": "rectangular",
            "half_width": 0.05,
        },
    ],
    "equipment_roles": {"reference": ["ring_gauge"]},
}


class MethodCreate(MethodBase):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [METHOD_EXAMPLE]}}
    inputs: list[InputSource] = Field(min_length=1)
    coordinate_budget: CoordinateBudget | None = Field(
        default=None,
        description="A CMM method's task-specific budget template; its results' U comes "
        "from it (or from ISO 15530-3 substitution), never from the CMC",
    )


class MethodUpdate(SQLModel):
    """Editorial and scope changes; a new model or CMC is a new version of the method."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"accredited_until": "2027-12-31"}]},
    }
    title_fi: str | None = Field(default=None, min_length=1, max_length=300)
    title_en: str | None = Field(default=None, min_length=1, max_length=300)
    accredited_from: date | None = None
    accredited_until: date | None = None
    guidance: str | None = Field(default=None, max_length=2000)
    validation_record: str | None = Field(default=None, max_length=4000)
    validated_on: date | None = None
    translations: Translations | None = None

    @field_validator("translations")
    @classmethod
    def _translations(cls, value: Translations | None) -> Translations | None:
        return None if value is None else _checked_translations(value)


class MethodPublic(MethodBase):
    id: int
    inputs: list[InputSource]
    coordinate_budget: CoordinateBudget | None
    in_scope: bool = Field(description="In the accredited scope today")
    created_at: datetime


class TemplateCheck(BaseModel):
    """A draft of a method's model, its inputs' sources and its CMC, checked as it is typed
    by the same rules that creating the method applies."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "model": "d_S + d_x",
                    "output": "d_X",
                    "inputs": [
                        {"name": "d_S", "source": "certificate", "unit": "um",
                         "equipment_role": "reference"},
                        {"name": "d_x", "source": "type_a", "unit": "um"},
                    ],
                    "cmc": "Q[0.3, 0.002*L]",
                }
            ]
        },
    )  # fmt: skip
    model: str = Field(min_length=1, max_length=10_000)
    output: str = Field(default="y", min_length=1, max_length=100)
    inputs: list[InputSource] = Field(default_factory=list)
    cmc: str | None = Field(default=None, min_length=1, max_length=500)


class TemplateCheckAnswer(BaseModel):
    names: list[str] = Field(description="The names the model uses, each needing a source")


# -- evaluating a method ----------------------------------------------------------------------


class CertificateValue(BaseModel):
    """A certificate result as an input takes it: value and U with k, in ``unit``."""

    value: float
    expanded_uncertainty: float = Field(gt=0)
    coverage_factor: float = Field(gt=0)
    unit: str


class MethodEvaluation(BaseModel):
    """What a job supplies to evaluate a method: its equipment, observations and parameters."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "on_date": "2026-11-27",
                    "equipment": {"reference": 1},
                    "observations": {"d_x": [1.2, 1.3, 1.1, 1.25, 1.2]},
                    "parameters": {},
                }
            ]
        },
    )
    on_date: date
    equipment: dict[str, int] = Field(
        default_factory=dict, description="Equipment role -> equipment id"
    )
    observations: dict[str, list[float]] = Field(default_factory=dict)
    parameters: dict[str, float] = Field(default_factory=dict)


class AccreditationDecision(BaseModel):
    accredited: bool
    reason: str
    cmc: float | None = Field(description="The CMC at the measured size, in the result unit")
    reported_expanded_uncertainty: float | None = Field(
        default=None,
        description="The U an accredited result reports: the evaluated U, or the CMC where the "
        "evaluated U is below it (ILAC-P14:09/2020 5.5); null when not accredited.",
    )
    raised_to_cmc: bool = Field(
        default=False, description="True when the evaluated U was raised to the CMC."
    )


class AccreditationQuestion(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"size": 50, "expanded_uncertainty": 0.3, "on_date": "2026-11-27"}]
        },
    )
    size: float = Field(description="The measured size L, in the method's size unit")
    expanded_uncertainty: float = Field(gt=0, description="The evaluated U, in the result unit")
    on_date: date
