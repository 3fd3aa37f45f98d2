"""Demo data for the quick start, all of it here: records as tables, loaded through the services.

Every date is placed relative to the lab's today when the demo is loaded (lims.demo.dates), so
its intended states hold on any day.  Loading is idempotent: each record is looked up by its
natural key first, so running ``lims demo`` again, that day or later, changes nothing.  The
loaders run in the order the lab's work does: people and customers, contracts, the equipment
register, methods and who may use them, training, jobs, then the documents of the jobs already
reported.
"""

from sqlmodel import Session

from lims.accounts.principal import system_principal
from lims.clock import local_today
from lims.config import Settings
from lims.demo.accounts import DEMO_USERS, load_accounts
from lims.demo.competence import load_authorisations
from lims.demo.contracts import load_contracts
from lims.demo.coordinate import load_coordinate_jobs
from lims.demo.documents import load_documents
from lims.demo.equipment import load_equipment
from lims.demo.jobs import load_jobs
from lims.demo.methods import load_methods
from lims.demo.training import load_training
from lims.storage import store_in

__all__ = ["DEMO_USERS", "load_demo_data"]


def load_demo_data(db_session: Session, settings: Settings) -> int:
    """Create the demo records that are missing; return how many were created."""
    actor = system_principal("demo")
    # The one day every demo date is counted back from (lims.demo.dates).
    today = local_today(settings.timezone)
    return (
        load_accounts(db_session, actor=actor)
        + load_contracts(db_session, actor=actor, settings=settings, today=today)
        + load_equipment(db_session, actor=actor, today=today, store=store_in(settings.data_dir))
        + load_methods(db_session, actor=actor, today=today)
        + load_authorisations(db_session, actor=actor, today=today)
        + load_training(db_session, actor=actor, today=today)
        + load_jobs(db_session, settings=settings, today=today)
        + load_coordinate_jobs(db_session, settings=settings, today=today)
        + load_documents(db_session, settings=settings)
    )
