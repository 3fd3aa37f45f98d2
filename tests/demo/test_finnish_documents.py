"""The Finnish master of every demo document is Finnish: the English wording the demo
records held (method references, equipment names) now lives in their translations."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.models import User
from lims.config import Settings
from lims.contracts.models import Agreement, PriceList, Quotation
from lims.demo.accounts import acting_as
from lims.documents import service
from lims.documents.models import IssueRequest
from lims.jobs.models import Job, Result
from lims.training.models import Enrolment, EnrolmentState, RRTest
from tests.conftest import load_demo

# The English free text of the demo records as they were before their Finnish masters,
# and the English translations they carry now.
ENGLISH_DEMO_TEXT = (
    "Reference gauge block set",
    "Working gauge block set",
    "Gauge block comparator",
    "Setting ring 20 mm",
    "Step gauge",
    "Coordinate measuring machine",
    "Laser interferometer",
    "Reference thermometer",
    "Air temperature logger",
    "Optical flat",
    "model and budget",
    "calibration of the gauge block comparator",
    "design and metrological characteristics",
    "uncertainty by EA-4/02",
    "extent of calibration for cylindrical",
    "comparison with a reference ring",
    "acceptance and reverification",
    "substitution measurement with a calibrated workpiece",
    "Calibration of gauge blocks",
    "Calibration of external micrometers",
    "Calibration of calipers",
    "Calibration of setting rings",
    "Product measurement",
    "External micrometer",
    "Caliper 0-150",
    "Head of Laboratory",
    "coordinate measuring machine basics",
    "Operating the CMM",
    "Demanding measurements",
)


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


@pytest.mark.slow
def test_the_finnish_masters_of_the_demo_documents_hold_no_english_demo_text(
    engine: Engine, settings: Settings
) -> None:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        auditor = acting_as(db_session.exec(select(User).where(User.username == "arvioija")).one())
        measured = {r.job_id for r in db_session.exec(select(Result))}
        subjects = [
            *(IssueRequest(job_id=job_id) for job_id in sorted(measured)),
            *(IssueRequest(agreement_id=a) for a in db_session.exec(select(Agreement.id))),
            *(IssueRequest(quotation_id=q) for q in db_session.exec(select(Quotation.id))),
            *(IssueRequest(price_list_id=p) for p in db_session.exec(select(PriceList.id))),
            *(
                IssueRequest(enrolment_id=e)
                for e in db_session.exec(
                    select(Enrolment.id).where(Enrolment.state == EnrolmentState.COMPLETED)
                )
            ),
            *(IssueRequest(rr_test_id=r) for r in db_session.exec(select(RRTest.id))),
        ]
        kinds = {
            job.kind
            for job in db_session.exec(select(Job).where(col(Job.id).in_(sorted(measured))))
        }
        assert kinds == {"calibration", "product_qc", "reference"}
        assert any(r.enrolment_id for r in subjects) and any(r.rr_test_id for r in subjects)
        texts = []
        for request in subjects:
            pdf = service.preview(db_session, actor=auditor, request=request, settings=settings)
            text = _text(pdf)
            assert "Sivu 1" in text
            found = [english for english in ENGLISH_DEMO_TEXT if english in text]
            assert found == [], (request, found)
            texts.append(text)
    # The grep looked at the master data it is about: the Finnish masters are printed.
    everything = " ".join(texts)
    for finnish in ("ulkomikrometrien rakenne", "Koordinaattimittauskone", "Ulkomikrometri"):
        assert finnish in everything
