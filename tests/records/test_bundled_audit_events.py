"""Audit events in a records bundle: recomputed with the lab's key ring where it is at hand;
without it (an outside verifier) only their links are checked, and the report says so."""

import json
from itertools import pairwise
from pathlib import Path

from fastapi.testclient import TestClient

from lims.audit.keys import AuditKeyRing, load_key_ring
from lims.documents.detached import lab_certificate
from lims.records.events import hash_problem, link_problems, recomputable
from lims.records.verify import verify_bundle
from tests.jobs.factories import Lab
from tests.records.factories import contents_of, export, reported_job, rewritten, saved


def bundled_events(client: TestClient, lab: Lab, folder: Path) -> tuple[Path, str, list[dict]]:
    job, _ = reported_job(client, lab, "inspection")
    bundle = saved(export(client, lab, lab.manager, job_id=job.job["id"]), folder)
    path = f"jobs/{job.job['number']}/audit_events.json"
    return bundle, path, json.loads(contents_of(bundle)[path])


def test_bundled_events_are_keyed_and_recomputed_only_with_the_key(
    client: TestClient, lab: Lab, tmp_path: Path
) -> None:
    _, _, events = bundled_events(client, lab, tmp_path)
    ring = load_key_ring(lab.settings.resolved_audit_key_dir)
    without_keys = AuditKeyRing(directory=tmp_path / "elsewhere")
    assert all(event["key_id"] for event in events)
    assert all(recomputable(event, ring) for event in events)
    assert not any(recomputable(event, without_keys) for event in events)
    altered = {**events[0], "actor": "mallory"}
    assert "was altered" in (hash_problem(altered, ring) or "")
    assert hash_problem(altered, without_keys) is None


def test_neighbouring_events_must_link_where_their_hashes_cannot_be_recomputed(
    client: TestClient, lab: Lab, tmp_path: Path
) -> None:
    _, _, events = bundled_events(client, lab, tmp_path)
    neighbours = next(
        (before, after) for before, after in pairwise(events) if after["id"] == before["id"] + 1
    )
    assert link_problems(events) == []
    before, after = neighbours
    forged = [{**event, "hash": "f" * 64} if event is before else event for event in events]
    assert link_problems(forged) == [
        f"event {after['id']} does not follow event {before['id']}: one of them was altered"
    ]


def test_an_outside_verifier_is_told_which_event_hashes_it_did_not_recompute(
    client: TestClient, lab: Lab, tmp_path: Path
) -> None:
    bundle, path, events = bundled_events(client, lab, tmp_path)
    without_keys = AuditKeyRing(directory=tmp_path / "elsewhere")
    certificates = lambda: [lab_certificate(lab.settings)]  # noqa: E731
    outside = verify_bundle(bundle, None, certificates=certificates, keys=without_keys)
    assert outside.failures == []
    assert outside.events_not_recomputed == outside.events >= len(events)
    with_keys = verify_bundle(
        bundle,
        None,
        certificates=certificates,
        keys=load_key_ring(lab.settings.resolved_audit_key_dir),
    )
    assert with_keys.failures == [] and with_keys.events_not_recomputed == 0

    events[0]["actor"] = "mallory"
    rewritten(bundle, {path: json.dumps(events).encode()})
    forged = verify_bundle(bundle, None, certificates=certificates, keys=without_keys)
    # Without the key the edit shows only in the manifest's signature, which covers the file.
    assert [failure.path for failure in forged.failures] == ["manifest.json.jws"]
