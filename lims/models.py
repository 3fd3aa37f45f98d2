"""Every table of the application, imported in one place so the metadata is complete.

Alembic's autogenerate and the schema-agreement tests compare the migrations against
``metadata`` from here.  Importing ``lims.audit.trail`` installs the flush hook that writes
audit events.
"""

from sqlmodel import SQLModel

from lims.accounts.models import (
    ApiToken,
    BrowserSession,
    Contact,
    LoginThrottle,
    Organisation,
    User,
)
from lims.audit import trail
from lims.audit.models import AuditEvent
from lims.cad.models import CharacteristicProposal
from lims.comparisons.models import TestPieceTemplate
from lims.competence.models import Authorisation
from lims.contracts.models import (
    Agreement,
    ConfidentialityClause,
    LabClosure,
    Order,
    PriceList,
    PriceModel,
    Quotation,
    QuotationRequest,
)
from lims.contracts.review import ContractReview
from lims.documents.models import Document, TextTranslation
from lims.equipment.models import Calibration, Equipment, EquipmentLogEntry, IntermediateCheck
from lims.invoicing.models import InvoicingExport, InvoicingExportLine
from lims.jobs.models import (
    Characteristic,
    CustomerValue,
    Item,
    Job,
    JobTransition,
    Result,
)
from lims.methods.models import Method
from lims.numbering import NumberSeries
from lims.training.models import (
    Assessment,
    Attendance,
    CompetenceRecord,
    Enrolment,
    RRTest,
    RRTestMeasurer,
    TrainingCourse,
    TrainingProgramme,
    TrainingSession,
)

metadata = SQLModel.metadata

__all__ = [
    "Agreement",
    "ApiToken",
    "Assessment",
    "Attendance",
    "AuditEvent",
    "Authorisation",
    "BrowserSession",
    "Calibration",
    "Characteristic",
    "CharacteristicProposal",
    "CompetenceRecord",
    "ConfidentialityClause",
    "Contact",
    "ContractReview",
    "CustomerValue",
    "Document",
    "Enrolment",
    "Equipment",
    "EquipmentLogEntry",
    "IntermediateCheck",
    "InvoicingExport",
    "InvoicingExportLine",
    "Item",
    "Job",
    "JobTransition",
    "LabClosure",
    "LoginThrottle",
    "Method",
    "NumberSeries",
    "Order",
    "Organisation",
    "PriceList",
    "PriceModel",
    "Quotation",
    "QuotationRequest",
    "RRTest",
    "RRTestMeasurer",
    "Result",
    "TestPieceTemplate",
    "TextTranslation",
    "TrainingCourse",
    "TrainingProgramme",
    "TrainingSession",
    "User",
    "metadata",
    "trail",
]
