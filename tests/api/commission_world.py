"""A fresh team on a fresh commission plan, driven through the API: the setting of commission and payout tests."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask.testing import FlaskClient

from tests.api.helpers import recorded
from tests.conftest import Post

FLAT = {"base_rate": "0.05"}


def ok(response: Any, status: int | None = None) -> Any:
    assert response.status_code in ((status,) if status else (200, 201)), response.get_data(as_text=True)
    return response.json


class World:
    """One team (assigned to one plan from 2025-01-01) with one rep and one customer; the admin calculates runs."""

    def __init__(self, post: Post, client: FlaskClient, make: Any, rules: dict[str, Any] | None = None,
                 currency: str = "CNY") -> None:
        self.post, self.client, self.make = post, client, make
        self.started = self.head()  # events of this world are all after it
        self.team = make.team()["id"]
        self.plan = ok(post("/api/v1/commission-plans", {
            "name": f"plan-{uuid4().hex[:8]}", "currency": currency, "effective_from": "2025-01-01",
            "rules": rules or FLAT}), 201)
        ok(post(f"/api/v1/commission-plans/{self.plan['id']}/assignments",
                {"scope": "team", "scope_id": self.team, "starts_on": "2025-01-01"}))
        self.rep = self.hire()
        self.customer = make.customer()["id"]

    def hire(self) -> str:
        return str(self.make.rep(team_id=self.team, name=f"rep-{uuid4().hex[:6]}", hired_on="2025-01-02")["id"])

    def deal(self, amount: str, closed_on: str, *, rep: str | None = None, customer_type: str = "existing",
             product: str = "CRM", splits: list[dict[str, str]] | None = None) -> dict[str, Any]:
        return ok(self.post("/api/v1/deals", {
            "rep_id": rep or self.rep, "customer_id": self.customer, "amount": amount, "currency": "CNY",
            "product": product, "customer_type": customer_type, "closed_on": closed_on, "splits": splits}), 201)

    def deal_position(self, amount: str, closed_on: str, **kwargs: Any) -> tuple[dict[str, Any], int]:
        """A deal and the ledger position of its Deal.Closed event, read back from the auditors' feed."""
        head = self.head()
        deal = self.deal(amount, closed_on, **kwargs)
        return deal, recorded(self.client, head, deal["id"], "Deal.Closed")["position"]

    def head(self) -> int:
        return int(self.client.get("/api/v1/events?limit=1").json["head"])

    def statement(self, period: str, rep: str | None = None, **query: str) -> dict[str, Any]:
        return self.statement_of(self.client, rep or self.rep, period, **query)

    @staticmethod
    def statement_of(client: FlaskClient, rep: str, period: str, **query: str) -> dict[str, Any]:
        return ok(client.get(f"/api/v1/reps/{rep}/statement", query_string={"period": period, **query}), 200)

    def calculate(self, period: str, post: Post | None = None, **kwargs: Any) -> Any:
        return (post or self.post)("/api/v1/payout-runs", {"period": period, "team_id": self.team}, **kwargs)

    def run(self, period: str) -> dict[str, Any]:
        return ok(self.calculate(period), 201)
