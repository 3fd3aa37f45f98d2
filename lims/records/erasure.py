"""Erasing a private person's data (GDPR art. 17) once the records no longer need it.

A private person's records (jobs, quotations, orders, agreements, documents) are kept for
the retention period (``lims.records.retention``) and name the person while they are kept,
so the erasure waits until the last of them has run out; it is refused until then, naming
the day from which it is possible.  Erasing replaces the personal fields of the customer,
its contacts and its portal users with a placeholder and keeps every id, so the records
stay whole.  The erasure is audited with its reason, and its events store only the
placeholders: the values erased are not written into the trail again.  (Events from before,
which the hash chain holds, are not rewritten.)
"""

from dataclasses import replace
from datetime import date

from sqlalchemy import Table
from sqlmodel import Session, SQLModel, col, select

from lims.accounts.models import (
    Contact,
    CustomerKind,
    Organisation,
    OrganisationErasure,
    Role,
    User,
)
from lims.accounts.principal import Principal, require_organisation_access, require_role
from lims.accounts.service import refuse_if_erased
from lims.audit.trail import set_context
from lims.clock import local_today
from lims.config import Settings
from lims.db import lock_row, utcnow
from lims.errors import Conflict, NotFound
from lims.records.retention import KEPT_TABLES, add_years, last_activity, retention_years

ERASED = "[erased]"
ERASERS = (Role.ADMIN, Role.QUALITY_MANAGER)


def erasable_from(db_session: Session, organisation_id: int) -> date | None:
    """The first day none of the customer's kept records needs it; None without records.

    A job's items, results and steps count from the job (``KEPT_TABLES``), so the tables that
    name the customer themselves are enough.
    """
    years = retention_years(db_session)
    ends = []
    for name in KEPT_TABLES:
        table: Table = SQLModel.metadata.tables[name]
        if "organisation_id" not in table.c:
            continue
        rows = db_session.connection().execute(
            table.select().where(table.c.organisation_id == organisation_id)
        )
        for row in rows.mappings():
            started = last_activity(db_session, name, dict(row)) or utcnow().date()
            ends.append(add_years(started, years))
    return max(ends, default=None)


def erase_person(
    db_session: Session,
    *,
    actor: Principal,
    organisation_id: int,
    data: OrganisationErasure,
    settings: Settings,
) -> Organisation:
    require_organisation_access(actor, organisation_id, f"organisation {organisation_id}")
    require_role(actor, *ERASERS, doing="erase a private person's data")
    # The row's lock first: of twenty erasures at once one erases, the others find it erased.
    organisation = lock_row(db_session, Organisation, organisation_id)
    if organisation is None:
        raise NotFound(
            "organisation %(organisation_id)s does not exist",
            code="accounts.organisation_does_exist",
            organisation_id=organisation_id,
        )
    if organisation.kind != CustomerKind.PERSON:
        raise Conflict(
            "only a private person's data is erased; a company or research organisation "
            "is not a person",
            code="accounts.erasure_not_person",
        )
    refuse_if_erased(organisation)
    today = local_today(settings.timezone)
    possible_from = erasable_from(db_session, organisation_id)
    if possible_from is not None and possible_from > today:
        raise Conflict(
            "the customer's records are kept until %(possible_from)s (retention "
            "%(years)s years): its personal data can be erased from %(possible_from)s",
            code="accounts.erasure_records_kept",
            possible_from=possible_from,
            years=retention_years(db_session),
        )
    set_context(
        db_session, replace(actor.audit_context(), reason=data.reason, forgets_old_values=True)
    )
    _erase(db_session, organisation)
    db_session.commit()
    db_session.refresh(organisation)
    return organisation


def _erase(db_session: Session, organisation: Organisation) -> None:
    organisation.name = ERASED
    organisation.email = None
    organisation.street_address = None
    organisation.postal_code = None
    organisation.city = None
    organisation.erased_at = utcnow()
    db_session.add(organisation)
    for contact in db_session.exec(
        select(Contact).where(Contact.organisation_id == organisation.id)
    ):
        contact.name, contact.title, contact.email, contact.phone = ERASED, None, None, None
        db_session.add(contact)
    for user in db_session.exec(
        select(User).where(User.organisation_id == organisation.id).order_by(col(User.id))
    ):
        # The username may be the person's name too; the id keeps the account's records.
        user.username = f"erased-{user.id}"
        user.full_name, user.email = ERASED, None
        user.active = False
        user.token_generation += 1
        user.deleted_at = user.deleted_at or utcnow()
        db_session.add(user)
