"""The demo CMM jobs show task-specific U, and the demo B2 scores E_n from it (issue 22).

The B2 reference piece, by hand (um; CMM-01: E_L,MPE = 1.8 + L/300, P_FTU,MPE = 1.5; steel
11.5e-6 /K within +/-1e-6 /K; u(t) = 0.2 K; at 20.6 °C, L = 20 mm):
  repeats 20003.1, 20002.9, 20003.3, 20003.0, 20003.2: mean 20003.1, s^2 = 0.10/4 = 0.025,
  u(y) = s/sqrt(5) = 0.070711 (u^2 = 0.005)
  e_L: 1.866667/sqrt(3) = 1.077721 (u^2 = 1.161482); e_P: 1.5/sqrt(3) = 0.866025 (0.75)
  d_alpha: 20e3 x 0.6 x 5.773503e-7 = 0.006928 (0.000048); d_t: 0.23 x 0.2 = 0.046 (0.002116)
  u_c^2 = 1.918646, u_c = 1.385152, U = 2 u_c = 2.770304 um (nu_eff ~ 5.9e5, k = 2.00)
The company: 20.0060 mm, U = 2.0 um (k = 2).  D = 2.9 um.
  E_n = 2.9 / sqrt(2.0^2 + 2.770304^2) = 2.9 / 3.416812 = 0.8487 (EA-4/21, ISO 13528)
  With the CMC 1.866667 um as the lab's U it was 2.9 / sqrt(4 + 3.484444) = 1.0600.
"""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.comparisons.service import job_comparison
from lims.config import Settings
from lims.demo import load_demo_data
from lims.jobs.models import Job, Result
from tests.factories import FACTORY_ACTOR


def test_the_demo_cmm_jobs_carry_task_specific_u_and_the_b2_en_comes_from_it(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine) as db_session:
        load_demo_data(db_session, settings)
        jobs = {
            job.customer_reference: job
            for job in db_session.exec(
                select(Job).where(Job.customer_reference.in_(["CMM-2026-01", "B2-2026-01"]))  # type: ignore[union-attr]
            )
        }
        assert {job.status for job in jobs.values()} == {"approved"}
        product = list(
            db_session.exec(select(Result).where(Result.job_id == jobs["CMM-2026-01"].id))
        )
        assert len(product) == 2
        assert {r.uncertainty["source"] for r in product if r.uncertainty} == {
            "specification budget"
        }
        (reference,) = db_session.exec(select(Result).where(Result.job_id == jobs["B2-2026-01"].id))
        assert reference.value == pytest.approx(20.0031, abs=1e-9)
        assert reference.uncertainty is not None
        assert reference.uncertainty["standard_uncertainty"] == pytest.approx(1.385152, abs=1e-6)
        assert reference.expanded_uncertainty == pytest.approx(0.002770304, abs=1e-8)
        comparison = job_comparison(db_session, actor=FACTORY_ACTOR, job_id=jobs["B2-2026-01"].id)
    (row,) = comparison["characteristics"]
    assert row["En"] == pytest.approx(0.8487, abs=1e-4)
    assert row["verdicts"]["En"] == "satisfactory"
    # Loading again makes nothing new.
    with Session(engine) as db_session:
        assert load_demo_data(db_session, settings) == 0
