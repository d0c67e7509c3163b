"""Scores, trainings, complaints, warnings and improvement plans through the API."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from tests.api.helpers import assert_recorded, problem


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def score_body(rep: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {"rep_id": rep["id"], "indicator": "product-knowledge", "value": "82.5", "period": "2026-Q3",
            "scorer": "陈经理", **body}


def plan_body(rep: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {"rep_id": rep["id"], "goals": ["20 visits a month", "close 2 deals"], "starts_on": "2026-07-01",
            "ends_on": "2026-09-30", **body}


NEW_RECORDS = {
    "scores": lambda rep: score_body(rep),
    "trainings": lambda rep: {"rep_id": rep["id"], "course": "Negotiation", "hours": "6", "completed_on": "2026-06-30"},
    "complaints": lambda rep: {"rep_id": rep["id"], "description": "late for meeting", "severity": "low"},
    "warnings": lambda rep: {"rep_id": rep["id"], "level": "verbal", "reason": "missed targets"},
    "improvement-plans": plan_body,
}


def test_score_record_and_correction_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep()
    head = ledger_app.head()
    score = created(post("/api/v1/scores", score_body(rep, comment="strong on specs")))
    assert (score["value"], score["scale"], score["scorer"], score["corrections"]) == ("82.5", "100", "陈经理", 0)
    assert_recorded(client, "scores", score["id"], head, "Score.Recorded", rep_id=rep["id"], indicator="product-knowledge",
                    value="82.5", scale="100", period="2026-Q3", scorer="陈经理", comment="strong on specs")
    corrected = post(f"/api/v1/scores/{score['id']}/correct", {"value": 88, "reason": "rubric misread"})
    assert corrected.status_code == 200, corrected.json
    got = client.get(f"/api/v1/scores/{score['id']}").json
    assert (got["value"], got["original_value"], got["corrections"]) == ("88", "82.5", 1)
    assert_recorded(client, "scores", score["id"], head, "Score.Corrected", value="88", previous_value="82.5",
                    reason="rubric misread")


def test_score_without_scorer_names_the_recording_actor(post: Any, make: Any) -> None:
    body = score_body(make.rep(), value="4", scale="5")
    del body["scorer"]
    score = created(post("/api/v1/scores", body))
    assert score["scorer"].startswith("admin:test-admin-") and (score["value"], score["scale"]) == ("4", "5")


def test_score_correction_out_of_scale_or_unchanged_is_refused(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    score = created(post("/api/v1/scores", score_body(make.rep(), value="3", scale="5")))
    head = ledger_app.head()
    problem(post(f"/api/v1/scores/{score['id']}/correct", {"value": "6", "reason": "r"}), 409, "value", "value-out-of-scale")
    problem(post(f"/api/v1/scores/{score['id']}/correct", {"value": "3.0", "reason": "r"}), 409, "value", "no-change")
    assert ledger_app.head() == head
    assert client.get(f"/api/v1/scores/{score['id']}").json["value"] == "3"


@pytest.mark.parametrize("body, field", [
    ({"period": "2026-Q5"}, "period"), ({"indicator": "Product Knowledge"}, "indicator"),
    ({"value": "100.5"}, "value"), ({"value": "-1"}, "value"), ({"value": "NaN"}, "value"), ({"scale": "0"}, "scale"),
])
def test_score_with_bad_input_is_422(post: Any, make: Any, body: dict[str, Any], field: str) -> None:
    problem(post("/api/v1/scores", score_body(make.rep(), **body)), 422, field)


def test_training_round_trips(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep()
    head = ledger_app.head()
    training = created(post("/api/v1/trainings", {"rep_id": rep["id"], "course": "新产品培训", "hours": "3.5",
                                                   "completed_on": "2026-07-03", "provider": "HQ", "kind": "post-change"}))
    got = client.get(f"/api/v1/trainings/{training['id']}").json
    assert (got["course"], got["hours"], got["completed_on"], got["kind"]) == ("新产品培训", "3.5", "2026-07-03", "post-change")
    assert_recorded(client, "trainings", got["id"], head, "Training.Completed", rep_id=rep["id"], hours="3.5",
                    completed_on="2026-07-03", provider="HQ", kind="post-change")


@pytest.mark.parametrize("body, field", [({"hours": "0"}, "hours"), ({"kind": "webinar"}, "kind"),
                                         ({"completed_on": "1900-01-01"}, "completed_on")])
def test_training_with_bad_input_is_422(post: Any, make: Any, body: dict[str, Any], field: str) -> None:
    base = {"rep_id": make.rep()["id"], "course": "c", "hours": "1", "completed_on": "2026-07-03"}
    problem(post("/api/v1/trainings", {**base, **body}), 422, field)


def test_complaint_round_trips(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep, customer = make.rep(), make.customer()
    head = ledger_app.head()
    complaint = created(post("/api/v1/complaints", {"rep_id": rep["id"], "customer_id": customer["id"],
                                                    "description": "promised a discount we do not offer",
                                                    "severity": "high"}))
    got = client.get(f"/api/v1/complaints/{complaint['id']}").json
    assert (got["rep_id"], got["customer_id"], got["severity"]) == (rep["id"], customer["id"], "high")
    assert_recorded(client, "complaints", got["id"], head, "Complaint.Recorded", customer_id=customer["id"],
                    description="promised a discount we do not offer", severity="high")


def test_complaint_naming_unknown_customer_is_refused(post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep()
    head = ledger_app.head()
    response = post("/api/v1/complaints", {"rep_id": rep["id"], "customer_id": str(uuid4()), "description": "d",
                                           "severity": "low"})
    problem(response, 409, "customer_id", "unknown-reference")
    assert ledger_app.head() == head


def test_complaint_with_unknown_severity_is_422(post: Any, make: Any) -> None:
    response = post("/api/v1/complaints", {"rep_id": make.rep()["id"], "description": "d", "severity": "critical"})
    problem(response, 422, "severity")


def test_warning_issue_and_acknowledgement_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep()
    head = ledger_app.head()
    warning = created(post("/api/v1/warnings", {"rep_id": rep["id"], "level": "written", "reason": "falsified visit log",
                                                "issued_by": "sales director", "occurred_at": "2026-07-01T09:00:00+08:00"}))
    assert (warning["level"], warning["acknowledged_on"], warning["issued_at"]) == (
        "written", None, "2026-07-01T01:00:00+00:00")
    assert_recorded(client, "warnings", warning["id"], head, "WarningNotice.Issued", rep_id=rep["id"], level="written",
                    reason="falsified visit log", issued_by="sales director")
    ack = post(f"/api/v1/warnings/{warning['id']}/acknowledge", {"acknowledged_on": "2026-07-02"})
    assert ack.status_code == 200 and ack.json["acknowledged_on"] == "2026-07-02"
    assert client.get(f"/api/v1/warnings/{warning['id']}").json["acknowledged_on"] == "2026-07-02"
    assert_recorded(client, "warnings", warning["id"], head, "WarningNotice.Acknowledged", acknowledged_on="2026-07-02")


def test_warning_acknowledged_twice_or_before_issue_is_refused(post: Any, make: Any, ledger_app: Any) -> None:
    warning = created(post("/api/v1/warnings", {"rep_id": make.rep()["id"], "level": "final", "reason": "r",
                                                "occurred_at": "2026-07-01T09:00:00+08:00"}))
    head = ledger_app.head()
    early = post(f"/api/v1/warnings/{warning['id']}/acknowledge", {"acknowledged_on": "2026-06-29"})
    problem(early, 409, "acknowledged_on", "acknowledged-before-issued")
    assert ledger_app.head() == head
    post(f"/api/v1/warnings/{warning['id']}/acknowledge", {"acknowledged_on": "2026-07-01"})
    head = ledger_app.head()
    again = post(f"/api/v1/warnings/{warning['id']}/acknowledge", {"acknowledged_on": "2026-07-05"})
    problem(again, 409, "acknowledged_on", "already-acknowledged")
    assert ledger_app.head() == head


def test_warning_with_unknown_level_is_422(post: Any, make: Any) -> None:
    problem(post("/api/v1/warnings", {"rep_id": make.rep()["id"], "level": "stern", "reason": "r"}), 422, "level")


def test_improvement_plan_start_and_conclusion_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep, coach = make.rep(), make.rep()
    head = ledger_app.head()
    plan = created(post("/api/v1/improvement-plans", plan_body(rep, coach_id=coach["id"])))
    assert (plan["status"], plan["coach_id"], plan["outcome"]) == ("open", coach["id"], None)
    assert_recorded(client, "improvement-plans", plan["id"], head, "ImprovementPlan.Started", rep_id=rep["id"],
                    goals=["20 visits a month", "close 2 deals"], starts_on="2026-07-01", ends_on="2026-09-30",
                    coach_id=coach["id"])
    done = post(f"/api/v1/improvement-plans/{plan['id']}/conclude",
                {"outcome": "met", "concluded_on": "2026-09-28", "summary": "both goals met"})
    assert done.status_code == 200, done.json
    got = client.get(f"/api/v1/improvement-plans/{plan['id']}").json
    assert (got["status"], got["outcome"], got["concluded_on"], got["summary"]) == (
        "concluded", "met", "2026-09-28", "both goals met")
    assert_recorded(client, "improvement-plans", plan["id"], head, "ImprovementPlan.Concluded", outcome="met",
                    concluded_on="2026-09-28", summary="both goals met")


def test_improvement_plan_rules_are_enforced(post: Any, make: Any, ledger_app: Any) -> None:
    rep, gone = make.rep(), make.departed_rep()
    plan = created(post("/api/v1/improvement-plans", plan_body(rep)))
    post(f"/api/v1/improvement-plans/{plan['id']}/conclude", {"outcome": "cancelled", "concluded_on": "2026-07-02"})
    head = ledger_app.head()
    again = post(f"/api/v1/improvement-plans/{plan['id']}/conclude", {"outcome": "met", "concluded_on": "2026-09-30"})
    problem(again, 409, "outcome", "plan-concluded")
    problem(post("/api/v1/improvement-plans", plan_body(rep, ends_on="2026-06-30")), 409, "ends_on", "plan-ends-before-start")
    problem(post("/api/v1/improvement-plans", plan_body(rep, coach_id=rep["id"])), 409, "coach_id", "self-coaching")
    problem(post("/api/v1/improvement-plans", plan_body(rep, coach_id=gone["id"])), 409, "coach_id", "rep-departed")
    problem(post("/api/v1/improvement-plans", plan_body(rep, coach_id=str(uuid4()))), 409, "coach_id", "unknown-reference")
    assert ledger_app.head() == head


def test_improvement_plan_cannot_conclude_before_it_starts(post: Any, make: Any, ledger_app: Any) -> None:
    plan = created(post("/api/v1/improvement-plans", plan_body(make.rep())))
    head = ledger_app.head()
    early = post(f"/api/v1/improvement-plans/{plan['id']}/conclude", {"outcome": "met", "concluded_on": "2026-06-30"})
    problem(early, 409, "concluded_on", "concluded-before-start")
    assert ledger_app.head() == head


@pytest.mark.parametrize("body, field", [({"goals": []}, "goals"), ({"goals": [""]}, "goals"),
                                         ({"ends_on": "not a date"}, "ends_on")])
def test_improvement_plan_with_bad_input_is_422(post: Any, make: Any, body: dict[str, Any], field: str) -> None:
    problem(post("/api/v1/improvement-plans", plan_body(make.rep(), **body)), 422, field)


@pytest.mark.parametrize("collection", sorted(NEW_RECORDS))
def test_new_records_about_departed_or_unknown_reps_are_refused(
        post: Any, make: Any, ledger_app: Any, collection: str) -> None:
    gone = make.departed_rep()
    head = ledger_app.head()
    problem(post(f"/api/v1/{collection}", NEW_RECORDS[collection](gone)), 409, "rep_id", "rep-departed")
    problem(post(f"/api/v1/{collection}", NEW_RECORDS[collection]({"id": str(uuid4())})), 409, "rep_id",
            "unknown-reference")
    assert ledger_app.head() == head


def test_existing_records_of_a_departed_rep_can_still_be_corrected(client: Any, post: Any, make: Any) -> None:
    rep = make.rep()
    score = created(post("/api/v1/scores", score_body(rep)))
    warning = created(post("/api/v1/warnings", NEW_RECORDS["warnings"](rep)))
    plan = created(post("/api/v1/improvement-plans", plan_body(rep)))
    post(f"/api/v1/reps/{rep['id']}/leave", {"left_on": "2026-10-31"})
    assert post(f"/api/v1/scores/{score['id']}/correct", {"value": "70", "reason": "r"}).status_code == 200
    today = client.get(f"/api/v1/warnings/{warning['id']}").json["issued_at"][:10]
    assert post(f"/api/v1/warnings/{warning['id']}/acknowledge", {"acknowledged_on": today}).status_code == 200
    concluded = post(f"/api/v1/improvement-plans/{plan['id']}/conclude", {"outcome": "not_met", "concluded_on": "2026-10-31"})
    assert concluded.status_code == 200 and concluded.json["outcome"] == "not_met"


@pytest.mark.parametrize("path", ["scores/{}/correct", "warnings/{}/acknowledge", "improvement-plans/{}/conclude"])
def test_actions_on_unknown_records_are_404(post: Any, path: str) -> None:
    body = {"value": "1", "reason": "r", "acknowledged_on": "2026-07-01", "outcome": "met", "concluded_on": "2026-07-01"}
    fields = {"scores": ("value", "reason"), "warnings": ("acknowledged_on",), "improvement-plans": ("outcome", "concluded_on")}
    collection = path.split("/")[0]
    response = post(f"/api/v1/{path.format(uuid4())}", {k: body[k] for k in fields[collection]})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
