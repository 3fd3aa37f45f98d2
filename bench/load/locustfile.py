"""The lab's daily traffic against ``lims serve``: the job board, job details, result entry
and certificate downloads, as staff use them.

Run from the repository root against a seeded database (``seed_year.py``) served on
loopback, for example::

    .venv/bin/locust -f bench/load/locustfile.py --headless -u 30 -r 10 -t 90s \\
        --host http://127.0.0.1:8600 --csv bench/results/load --only-summary
    .venv/bin/python bench/load/report.py bench/results/load_stats.csv

Each simulated lab person signs in once as the demo technician (``LOAD_USERNAME`` /
``LOAD_PASSWORD`` to change) and then, with a short pause between actions, mostly reads
the board and jobs, sometimes enters a result and downloads a certificate.  Result entry
takes characteristics of jobs in measurement that have no result yet, each once, so every
entry is a real first recording (method evaluation, equipment and competence checks).

One person in six is a customer (the demo's ``asiakas`` and ``kund``, each of its own
company): it reads its board, its jobs and its certificates, and keeps trying other
companies' jobs and certificates by id.  The customer isolation test under load: any
answer but 404 to a foreign id, or a foreign job on its own board, is a failure named
"isolation breach" in Locust's statistics.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment

USERNAME = os.environ.get("LOAD_USERNAME", "mittaaja")
PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-mittaaja-2026")
API = "/api/v1"
WAIT_MAX = float(os.environ.get("LOAD_WAIT_MAX", "1.0"))
TO_MEASURE = 3000  # characteristics to enter a first result for: more than a run uses
BOARD_STATES = ["in_measurement", "measured", "approved", "reported", "accepted", "requested"]
KINDS = ["calibration", "product_qc", "reference", "inspection", None]
SORTS = ["due_date", "-due_date", "-created_at", "number", "priority"]
READINGS = [0.4, 0.5, 0.4, 0.6, 0.5]
#: What the people share: ids to pick from, and the characteristics still to be measured.
pool: dict[str, Any] = {"jobs": [], "organisations": [], "documents": [], "to_measure": []}
#: Whose is what: job and document ids to their organisation, for the customers' probes.
owner: dict[str, dict[int, int | None]] = {"jobs": {}, "documents": {}}
CUSTOMERS = [("asiakas", "demo-asiakas-2026"), ("kund", "demo-kund-2026")]


@events.test_start.add_listener
def fill_pool(environment: Environment, **_: Any) -> None:
    """Learn the database's ids once, through the API itself."""
    import httpx2

    with httpx2.Client(base_url=environment.host, timeout=120) as client:
        client.headers["authorization"] = f"Bearer {_token(client)}"
        total = client.get(f"{API}/jobs", params={"limit": 1}).json()["total"]
        for offset in random.sample(range(0, total, 200), min(10, total // 200 + 1)):
            page = client.get(f"{API}/jobs", params={"limit": 200, "offset": offset})
            owner["jobs"] |= {job["id"]: job["organisation_id"] for job in page.json()["jobs"]}
        pool["jobs"] = list(owner["jobs"])
        pool["organisations"] = [o["id"] for o in client.get(f"{API}/organisations").json()]
        documents = client.get(f"{API}/documents?limit=200").json()
        owner["documents"] = {d["id"]: d["organisation_id"] for d in documents}
        pool["documents"] = list(owner["documents"])
        pool["gauge_blocks"] = next(
            e["id"]
            for e in client.get(f"{API}/equipment").json()
            if e["identification"] == "GB-WRK"
        )
        measuring = {"status": "in_measurement", "limit": 1}
        in_measurement = client.get(f"{API}/jobs", params=measuring).json()["total"]
        # Pages in random order until enough is found: earlier runs measured some already.
        offsets = random.sample(range(0, in_measurement, 200), in_measurement // 200 + 1)
        for offset in offsets:
            if len(pool["to_measure"]) >= TO_MEASURE:
                break
            page = client.get(
                f"{API}/jobs", params={**measuring, "limit": 200, "offset": offset}
            ).json()["jobs"]
            for job in page:
                planned = client.get(f"{API}/jobs/{job['id']}/characteristics").json()
                recorded = client.get(f"{API}/jobs/{job['id']}/results").json()
                measured = {result["characteristic_id"] for result in recorded}
                pool["to_measure"] += [
                    (job["id"], c["id"]) for c in planned if c["id"] not in measured
                ]
    random.shuffle(pool["to_measure"])


def _token(client: Any, username: str = USERNAME, password: str = PASSWORD) -> str:
    response = client.post(f"{API}/auth/token", data={"username": username, "password": password})
    response.raise_for_status()
    return response.json()["access_token"]


class LabStaff(HttpUser):
    weight = 5
    # A person's pause between actions; LOAD_WAIT_MAX=0 drives the server flat out.
    wait_time = between(0.2 * WAIT_MAX, WAIT_MAX)

    def on_start(self) -> None:
        self.client.headers["authorization"] = f"Bearer {_token(self.client)}"

    @task(4)
    def job_board(self) -> None:
        params: dict[str, Any] = {
            "status": random.choice(BOARD_STATES),
            "sort": random.choice(SORTS),
            "limit": 50,
            "offset": 50 * random.randrange(0, 10),
        }
        if kind := random.choice(KINDS):
            params["kind"] = kind
        if random.random() < 0.3:
            params["organisation_id"] = random.choice(pool["organisations"])
        if random.random() < 0.3:
            params["due_before"] = (date(2026, 1, 1) + timedelta(random.randrange(365))).isoformat()
        self.client.get(f"{API}/jobs", params=params, name="GET /jobs (board)")

    @task(3)
    def job_detail(self) -> None:
        job_id = random.choice(pool["jobs"])
        self.client.get(f"{API}/jobs/{job_id}", name="GET /jobs/{id}")
        self.client.get(f"{API}/jobs/{job_id}/results", name="GET /jobs/{id}/results")

    @task(2)
    def result_entry(self) -> None:
        if not pool["to_measure"]:
            return
        job_id, characteristic_id = pool["to_measure"].pop()
        self.client.post(
            f"{API}/jobs/{job_id}/results",
            json={
                "characteristic_id": characteristic_id,
                "measured_on": date.today().isoformat(),
                "equipment": {"gauge_blocks": pool["gauge_blocks"]},
                "observations": {"dr": READINGS},
                "temperature": 20.2,
                "humidity": 42,
            },
            name="POST /jobs/{id}/results",
        )

    @task(1)
    def certificate_download(self) -> None:
        document_id = random.choice(pool["documents"])
        self.client.get(f"{API}/documents/{document_id}/pdf", name="GET /documents/{id}/pdf")


class Customer(HttpUser):
    """A customer company's person, reading its own records and probing everyone else's."""

    weight = 1
    wait_time = between(0.2 * WAIT_MAX, WAIT_MAX)

    def on_start(self) -> None:
        username, password = random.choice(CUSTOMERS)
        self.client.headers["authorization"] = f"Bearer {_token(self.client, username, password)}"
        self.organisation_id = self.client.get(f"{API}/auth/me").json()["organisation_id"]

    def _foreign(self, what: str) -> int | None:
        foreign = [i for i, o in owner[what].items() if o != self.organisation_id]
        return random.choice(foreign) if foreign else None

    def _refused(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code == 404:
                response.success()
            else:
                response.failure(f"isolation breach: {response.status_code} for {path}")

    @task(3)
    def own_board(self) -> None:
        with self.client.get(
            f"{API}/jobs", params={"limit": 50}, name="GET /jobs (customer)", catch_response=True
        ) as response:
            page = response.json()["jobs"] if response.status_code == 200 else []
            strangers = [j["number"] for j in page if j["organisation_id"] != self.organisation_id]
            if strangers:
                response.failure(f"isolation breach: foreign jobs on the board {strangers[:3]}")
            if page:
                self.client.get(f"{API}/jobs/{random.choice(page)['id']}", name="GET /jobs/{id}")

    @task(2)
    def foreign_job(self) -> None:
        if (job_id := self._foreign("jobs")) is not None:
            self._refused(f"{API}/jobs/{job_id}", "GET /jobs/{id} (foreign)")
            self._refused(f"{API}/jobs/{job_id}/results", "GET /jobs/{id}/results (foreign)")

    @task(1)
    def foreign_certificate(self) -> None:
        if (document_id := self._foreign("documents")) is not None:
            self._refused(f"{API}/documents/{document_id}/pdf", "GET /documents/{id}/pdf (foreign)")
