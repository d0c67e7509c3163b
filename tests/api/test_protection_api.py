"""Art. 42 protected statuses over HTTP: recorded and ended by HR, encrypted at rest, refused cleanly."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.testing import FlaskClient

from ledger.application import LedgerApplication
from tests.conftest import Post

URL = "/api/v1/protected-statuses"


def body(rep_id: str, **extra: Any) -> dict[str, Any]:
    return {"rep_id": rep_id, "category": "pregnancy_maternity_nursing", "starts_on": "2026-03-02",
            "ends_on": "2027-03-01", "basis": "hospital certificate 2026-0311", **extra}


def test_hr_records_a_protected_status_and_reads_it_back(hr_post: Post, make: Any, client: FlaskClient) -> None:
    rep = make.rep()["id"]
    response = hr_post(URL, body(rep))
    assert response.status_code == 201, response.json
    created = response.json
    assert {k: created[k] for k in ("rep_id", "category", "starts_on", "ends_on", "basis", "ended_on", "until")} == {
        "rep_id": rep, "category": "pregnancy_maternity_nursing", "starts_on": "2026-03-02", "ends_on": "2027-03-01",
        "basis": "hospital certificate 2026-0311", "ended_on": None, "until": "2027-03-01"}
    ended = hr_post(f"{URL}/{created['id']}/end", {"ended_on": "2026-12-20", "reason": "nursing period over"})
    assert ended.status_code == 200 and ended.json["ended_on"] == "2026-12-20" and ended.json["until"] == "2026-12-20"
    history = client.get(f"{URL}/{created['id']}/history").json["events"]
    assert [e["type"] for e in history] == ["ProtectedStatus.Recorded", "ProtectedStatus.Ended"]
    assert history[0]["payload"]["category"] == "pregnancy_maternity_nursing"


def test_the_category_and_basis_are_stored_encrypted(hr_post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    created = hr_post(URL, body(make.rep()["id"], category="occupational_disease_or_injury")).json
    stored = ledger_app.recorder.select_events(UUID(created["id"]))
    raw = b"".join(s.state for s in stored)
    assert b"occupational_disease_or_injury" not in raw and b"hospital certificate" not in raw
    assert b'"_type_":"personal"' in raw


def test_bad_input_is_422_per_field_and_records_nothing(hr_post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    rep = make.rep()["id"]
    head = ledger_app.head()
    response = hr_post(URL, body(rep, category="bad-back", ends_on="2026-01-01", starts_on="2026-02-30"))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) == {"category", "starts_on"}
    response = hr_post(URL, body(rep, ends_on="2026-01-01"))
    assert response.status_code == 422 and response.json["errors"] == {"ends_on": ["must not be before starts_on"]}
    assert ledger_app.head() == head


def test_unknown_reps_departed_reps_and_second_ends_are_refused(hr_post: Post, make: Any) -> None:
    unknown = hr_post(URL, body("00000000-0000-4000-8000-000000000001"))
    assert unknown.status_code == 409 and unknown.json["errors"] == {"rep_id": ["unknown rep"]}
    departed = hr_post(URL, body(make.departed_rep()["id"]))
    assert departed.status_code == 409 and departed.json["code"] == "rep-departed"
    created = hr_post(URL, body(make.rep()["id"], ends_on=None)).json
    assert created["until"] is None
    early = hr_post(f"{URL}/{created['id']}/end", {"ended_on": "2026-01-01"})
    assert early.status_code == 409 and early.json["code"] == "ends-before-start"
    assert hr_post(f"{URL}/{created['id']}/end", {"ended_on": "2026-04-01"}).status_code == 200
    again = hr_post(f"{URL}/{created['id']}/end", {"ended_on": "2026-05-01"})
    assert again.status_code == 409 and again.json["code"] == "already-ended"
