"""Teams, groups and reps through the API: written, read back, and their rules enforced."""

from typing import Any

from tests.api.helpers import assert_recorded


def test_team_rep_and_group_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    head = ledger_app.head()
    team = make.team(name="North", region="华北")
    assert_recorded(client, "teams", team["id"], head, "Team.Created", name="North", region="华北")
    rep = make.rep(team["id"], name="王芳", hired_on="2026-06-01", post="junior sales")
    got = client.get(f"/api/v1/reps/{rep['id']}").json
    assert (got["name"], got["team_id"], got["hired_on"], got["active"]) == ("王芳", team["id"], "2026-06-01", True)
    assert_recorded(client, "reps", rep["id"], head, "Rep.Onboarded", name="王芳", hired_on="2026-06-01")
    group = post("/api/v1/groups", {"name": "Tigers", "period": "2026-Q3", "member_ids": [rep["id"]]}).json
    assert group["member_ids"] == [rep["id"]]
    assert_recorded(client, "groups", group["id"], head, "Group.Formed", period="2026-Q3", member_ids=[rep["id"]])


def test_group_membership_changes_are_events(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    a, b = make.rep(), make.rep()
    group = post("/api/v1/groups", {"name": "G", "period": "2026-Q3", "member_ids": [a["id"]]}).json
    head = ledger_app.head()
    changed = post(f"/api/v1/groups/{group['id']}/members", {"added": [b["id"]], "removed": [a["id"]]})
    assert changed.status_code == 200 and changed.json["member_ids"] == [b["id"]]
    assert_recorded(client, "groups", group["id"], head, "Group.MembersChanged", added=[b["id"]], removed=[a["id"]])
    again = post(f"/api/v1/groups/{group['id']}/members", {"removed": [a["id"]]})
    assert again.status_code == 409 and again.json["code"] == "not-a-member"


def test_group_with_bad_period_is_422(post: Any) -> None:
    response = post("/api/v1/groups", {"name": "G", "period": "2026-Q9"})
    assert response.status_code == 422 and "period" in response.json["errors"]


def test_transfer_and_departure_are_recorded(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep, other_team = make.rep(), make.team()
    head = ledger_app.head()
    moved = post(f"/api/v1/reps/{rep['id']}/transfer", {"team_id": other_team["id"], "post": "key accounts", "reason": "growth"})
    assert moved.status_code == 200 and moved.json["team_id"] == other_team["id"]
    assert_recorded(client, "reps", rep["id"], head, "Rep.Transferred", team_id=other_team["id"], post="key accounts")
    left = post(f"/api/v1/reps/{rep['id']}/leave", {"left_on": "2026-10-31", "reason": "resigned"})
    assert left.status_code == 200 and left.json["active"] is False and left.json["left_on"] == "2026-10-31"
    assert_recorded(client, "reps", rep["id"], head, "Rep.Left", left_on="2026-10-31", reason="resigned")


def test_departed_rep_cannot_leave_twice_or_transfer(post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep()
    post(f"/api/v1/reps/{rep['id']}/leave", {"left_on": "2026-10-31"})
    head = ledger_app.head()
    assert post(f"/api/v1/reps/{rep['id']}/leave", {"left_on": "2026-11-01"}).json["code"] == "rep-departed"
    assert post(f"/api/v1/reps/{rep['id']}/transfer", {"team_id": make.team()["id"]}).status_code == 409
    assert ledger_app.head() > head  # only the team created above
    head = ledger_app.head()
    assert post("/api/v1/groups", {"name": "G", "period": "2026", "member_ids": [rep["id"]]}).status_code == 409
    assert ledger_app.head() == head


def test_leaving_before_hire_is_refused(post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep(hired_on="2026-05-01")
    head = ledger_app.head()
    response = post(f"/api/v1/reps/{rep['id']}/leave", {"left_on": "2026-04-30"})
    assert response.status_code == 409 and "left_on" in response.json["errors"]
    assert ledger_app.head() == head
