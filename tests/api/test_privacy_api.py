"""Personal details, customer contacts, legal holds and erasure through the API: written, read back, rules enforced."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tests.api.helpers import assert_recorded, assert_refused, feed_after, problem, recorded

DETAILS = {"national_id": "110105199003071234", "phone": "+86 139 0013 9000", "home_address": "北京市朝阳区示例路 1 号"}


def assert_subject_recorded(client: Any, subject: str, head: int, event_type: str, **payload: Any) -> None:
    """The subject's privacy record (its own stream) ends with the event, and the feed holds the same."""
    history = client.get(f"/api/v1/data-subjects/{subject}/history").json["events"]
    last = history[-1]
    assert last["type"] == event_type and {k: last["payload"][k] for k in payload} == payload
    fed = [e for e in feed_after(client, head) if e["stream_id"] == last["stream_id"] and e["version"] == last["version"]]
    assert len(fed) == 1 and {**fed[0], "position": None} == last


def hold(post: Any, subject: str, case_ref: str = "LAB-2026-014") -> Any:
    return post(f"/api/v1/data-subjects/{subject}/legal-holds", {"reason": "wrongful dismissal claim", "case_ref": case_ref})


def test_personal_details_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep()
    head = ledger_app.head()
    response = post(f"/api/v1/reps/{rep['id']}/personal-details", DETAILS)
    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in DETAILS} == DETAILS
    assert {k: client.get(f"/api/v1/reps/{rep['id']}").json[k] for k in DETAILS} == DETAILS
    assert_recorded(client, "reps", rep["id"], head, "Rep.PersonalDetailsRecorded", **DETAILS)
    head = ledger_app.head()
    post(f"/api/v1/reps/{rep['id']}/personal-details", {"phone": "+86 139 0000 0001"})
    got = client.get(f"/api/v1/reps/{rep['id']}").json
    assert (got["phone"], got["national_id"]) == ("+86 139 0000 0001", DETAILS["national_id"])
    assert_recorded(client, "reps", rep["id"], head, "Rep.PersonalDetailsRecorded", phone="+86 139 0000 0001",
                    national_id=None, home_address=None)


def test_onboarding_records_personal_details_in_the_same_save(client: Any, make: Any, ledger_app: Any) -> None:
    head = ledger_app.head()
    rep = make.rep(personal={"phone": "+86 139 0013 9001"})
    assert rep["phone"] == "+86 139 0013 9001" and rep["national_id"] is None and rep["version"] == 2
    events = client.get(f"/api/v1/reps/{rep['id']}/history").json["events"]
    assert [e["type"] for e in events] == ["Rep.Onboarded", "Rep.PersonalDetailsRecorded"]
    assert recorded(client, head, rep["id"], "Rep.PersonalDetailsRecorded")["payload"]["phone"] == "+86 139 0013 9001"


def test_customer_contacts_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    head = ledger_app.head()
    customer = make.customer(contacts=[{"name": "联系人张三", "phone": "+86 138 0013 8000", "title": "采购"}])
    assert customer["contacts"] == [{"name": "联系人张三", "phone": "+86 138 0013 8000", "title": "采购"}]
    assert recorded(client, head, customer["id"], "Customer.ContactRecorded")["payload"]["name"] == "联系人张三"
    head = ledger_app.head()
    response = post(f"/api/v1/customers/{customer['id']}/contacts", {"name": "李四"})
    assert response.status_code == 201 and response.json["contacts"][1] == {"name": "李四", "phone": None, "title": ""}
    assert client.get(f"/api/v1/customers/{customer['id']}").json["contacts"][1]["name"] == "李四"
    assert_recorded(client, "customers", customer["id"], head, "Customer.ContactRecorded", name="李四", phone=None, title="")


def test_legal_hold_and_release_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep()
    head = ledger_app.head()
    placed = hold(post, rep["id"])
    assert placed.status_code == 201, placed.json
    assert placed.json["hold"]["case_ref"] == "LAB-2026-014" and placed.json["subject_id"] == rep["id"]
    state = client.get(f"/api/v1/data-subjects/{rep['id']}").json
    assert (state["kind"], state["erased"], state["key"], state["hold"]["reason"]) == ("rep", False, "none", "wrongful dismissal claim")
    assert_subject_recorded(client, rep["id"], head, "DataSubject.LegalHoldPlaced", subject_id=rep["id"],
                            case_ref="LAB-2026-014", reason="wrongful dismissal claim")
    assert recorded(client, head, placed.json["id"], "DataSubject.Identified")["payload"]["kind"] == "rep"
    head = ledger_app.head()
    released = post(f"/api/v1/data-subjects/{rep['id']}/legal-holds/release", {"reason": "settled"})
    assert released.status_code == 200 and released.json["hold"] is None
    assert released.json["holds"][0]["release_reason"] == "settled"
    assert client.get(f"/api/v1/data-subjects/{rep['id']}").json["hold"] is None
    assert_subject_recorded(client, rep["id"], head, "DataSubject.LegalHoldReleased", reason="settled")


def test_erasure_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep(personal=DETAILS)
    assert client.get(f"/api/v1/data-subjects/{rep['id']}").json["key"] == "active"
    head = ledger_app.head()
    erased = post(f"/api/v1/data-subjects/{rep['id']}/erase", {"reason": "erasure request"})
    assert erased.status_code == 200, erased.json
    assert erased.json["erased"] is True and erased.json["erasure_reason"] == "erasure request"
    state = client.get(f"/api/v1/data-subjects/{rep['id']}").json
    assert (state["erased"], state["key"]) == (True, "erased")
    assert_subject_recorded(client, rep["id"], head, "DataSubject.Erased", subject_id=rep["id"], reason="erasure request")
    assert {k: client.get(f"/api/v1/reps/{rep['id']}").json[k] for k in DETAILS} == dict.fromkeys(DETAILS, "[erased]")


def test_a_subject_without_holds_or_erasure_reads_as_clear(client: Any, make: Any) -> None:
    customer = make.customer()
    state = client.get(f"/api/v1/data-subjects/{customer['id']}").json
    assert (state["kind"], state["version"], state["hold"], state["erased"], state["key"]) == ("customer", 0, None, False, "none")
    assert client.get(f"/api/v1/data-subjects/{customer['id']}/history").json["events"] == []


def test_rules_of_holds_and_erasure_are_enforced(post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep(personal=DETAILS)
    url = f"/api/v1/data-subjects/{rep['id']}"
    head = ledger_app.head()
    assert_refused(post(f"{url}/legal-holds/release", {"reason": "r"}), ledger_app, head, 409, "no-legal-hold")
    hold(post, rep["id"])
    head = ledger_app.head()
    assert_refused(hold(post, rep["id"], "other case"), ledger_app, head, 409, "already-on-hold")
    assert_refused(post(f"{url}/erase", {"reason": "r"}), ledger_app, head, 409, "legal-hold")
    post(f"{url}/legal-holds/release", {"reason": "settled"})
    assert post(f"{url}/erase", {"reason": "r"}).status_code == 200
    head = ledger_app.head()
    assert_refused(post(f"{url}/erase", {"reason": "r"}), ledger_app, head, 409, "already-erased")
    assert_refused(hold(post, rep["id"]), ledger_app, head, 409, "already-erased")
    assert_refused(post(f"/api/v1/reps/{rep['id']}/personal-details", {"phone": "1"}), ledger_app, head, 409,
                   "subject-erased")


def test_contacts_of_an_erased_customer_are_refused(post: Any, make: Any, ledger_app: Any) -> None:
    customer = make.customer()
    assert post(f"/api/v1/data-subjects/{customer['id']}/erase", {"reason": "r"}).status_code == 200
    head = ledger_app.head()
    response = post(f"/api/v1/customers/{customer['id']}/contacts", {"name": "王五"})
    assert_refused(response, ledger_app, head, 409, "subject-erased")


def test_unknown_subjects_are_404(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    head = ledger_app.head()
    for subject in (str(uuid4()), make.team()["id"]):  # a team is not a data subject
        head = ledger_app.head()
        assert_refused(post(f"/api/v1/data-subjects/{subject}/erase", {"reason": "r"}), ledger_app, head, 404, "not-found")
        assert_refused(hold(post, subject), ledger_app, head, 404, "not-found")
        assert client.get(f"/api/v1/data-subjects/{subject}").status_code == 404
    assert post(f"/api/v1/reps/{uuid4()}/personal-details", {"phone": "1"}).status_code == 404
    assert post(f"/api/v1/customers/{uuid4()}/contacts", {"name": "n"}).status_code == 404


def test_bad_input_is_422_naming_the_field(post: Any, make: Any) -> None:
    rep, customer = make.rep(), make.customer()
    problem(post(f"/api/v1/reps/{rep['id']}/personal-details", {}), 422, "national_id")
    problem(post(f"/api/v1/reps/{rep['id']}/personal-details", {"phone": "[erased]"}), 422, "phone")
    problem(post(f"/api/v1/reps/{rep['id']}/personal-details", {"national_id": "x" * 51}), 422, "national_id")
    problem(post(f"/api/v1/customers/{customer['id']}/contacts", {"phone": "1"}), 422, "name")
    problem(post("/api/v1/customers", {"name": "c", "contacts": [{"title": "t"}]}), 422, "contacts")
    problem(post("/api/v1/reps", {"name": "n", "team_id": make.team()["id"], "hired_on": "2025-01-02",
                                  "personal": {"phone": ""}}), 422, "personal")
    problem(post(f"/api/v1/data-subjects/{rep['id']}/erase", {}), 422, "reason")
    problem(post(f"/api/v1/data-subjects/{rep['id']}/legal-holds", {"reason": "r"}), 422, "case_ref")
