"""The demo staff's authorisations: who may perform, review and sign which demo methods, all
granted when the accredited scope began, so the staff are authorised on the day of loading.

The measurer's authorisation for the CMM method is not here: it is granted from the competence
record the demo RR test on that method leaves (lims.demo.training), as the lab would."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from lims.accounts.principal import Principal
from lims.competence import service as competence
from lims.competence.models import Activity, Authorisation, AuthorisationCreate, Basis
from lims.db import persisted_id
from lims.demo.accounts import demo_user
from lims.demo.methods import DEMO_METHODS, SCOPE_START, demo_method

EVERY_METHOD = tuple(demo.method.code for demo in DEMO_METHODS)


@dataclass(frozen=True)
class DemoAuthorisation:
    username: str
    activity: Activity
    method_codes: tuple[str, ...]
    basis: Basis
    evidence: str


DEMO_AUTHORISATIONS = [
    DemoAuthorisation(
        "mittaaja",
        Activity.PERFORM,
        ("DIM-MIC-01", "DIM-CAL-01"),
        Basis.TRAINING,
        "sisäinen koulutus mikrometrien ja työntömittojen kalibroinnista, 10 valvottua työtä",
    ),
    DemoAuthorisation(
        "mittaaja", Activity.PERFORM, ("DIM-GB-01",), Basis.SUPERVISED_WORK, "20 supervised jobs"
    ),
    DemoAuthorisation(
        "allekirjoittaja",
        Activity.PERFORM,
        EVERY_METHOD,
        Basis.TRAINING,
        "VTT MIKES course on dimensional calibration; RR test",
    ),
    DemoAuthorisation(
        "allekirjoittaja",
        Activity.SIGN,
        EVERY_METHOD,
        Basis.TRAINING,
        "signatory training, accepted by the FINAS assessment",
    ),
    DemoAuthorisation(
        "laatu",
        Activity.REVIEW,
        EVERY_METHOD,
        Basis.TRAINING,
        "quality manager; ISO/IEC 17025 internal auditor course",
    ),
]


def load_authorisations(db_session: Session, *, actor: Principal, today: date) -> int:
    """Grant the demo authorisations that are missing; return how many."""
    created = 0
    for granted in DEMO_AUTHORISATIONS:
        user = demo_user(db_session, granted.username)
        if user is None:
            continue
        for code in granted.method_codes:
            method_id = persisted_id(demo_method(db_session, code))
            if _authorised(db_session, persisted_id(user), method_id, granted.activity):
                continue
            competence.grant_authorisation(
                db_session,
                actor=actor,
                staff_id=persisted_id(user),
                data=AuthorisationCreate(
                    method_id=method_id,
                    activity=granted.activity,
                    basis=granted.basis,
                    basis_reference=granted.evidence,
                    granted_on=SCOPE_START.before(today),
                ),
            )
            created += 1
    return created


def _authorised(db_session: Session, user_id: int, method_id: int, activity: Activity) -> bool:
    return (
        db_session.exec(
            select(Authorisation).where(
                Authorisation.user_id == user_id,
                Authorisation.method_id == method_id,
                Authorisation.activity == activity.value,
            )
        ).first()
        is not None
    )
