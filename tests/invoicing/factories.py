"""Invoicing records for tests that need one to exist, whatever it holds."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session

from lims.audit.trail import set_context
from lims.invoicing.models import InvoicingExport
from tests.factories import FACTORY_ACTOR


def make_invoicing_export(engine: Engine, *, period: str = "2026-11") -> InvoicingExport:
    """An export of a month with no lines (a real one needs delivered, priced jobs)."""
    year, month = (int(part) for part in period.split("-"))
    with Session(engine) as db_session:
        set_context(db_session, FACTORY_ACTOR.audit_context())
        export = InvoicingExport(
            number=f"LP-{year}-9001",
            period=period,
            first_day=date(year, month, 1),
            last_day=date(year, month, 28),
            net_total=Decimal("0.00"),
            vat_total=Decimal("0.00"),
            gross_total=Decimal("0.00"),
            created_by="factory",
        )
        db_session.add(export)
        db_session.commit()
        db_session.refresh(export)
        db_session.expunge(export)
    return export
