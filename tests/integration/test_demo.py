"""`ledger demo` builds a realistic, deterministic organisation, and a rerun records nothing."""

from datetime import date
from typing import Any
from uuid import uuid4

from ledger.settings import Settings
from projections.feed import read_feed
from projections.registry import Queries
from scripts.demo import build_demo


def test_demo_records_a_year_of_every_family_once(ledger_app: Any, settings: Settings) -> None:
    seed = uuid4().int % 10**9  # fresh ids even on a shared database
    queries = Queries(ledger_app, settings)
    head = ledger_app.head()
    first = build_demo(ledger_app, seed, date(2026, 10, 31), lambda _: None, queries)
    assert first.written > 2000 and first.replayed == 0
    types: dict[str, int] = {}
    after = head
    while True:
        page = read_feed(ledger_app, after, 1000)
        for event in page["events"]:
            types[event["type"]] = types.get(event["type"], 0) + 1
        after = page["next_after"]
        if after >= page["head"]:
            break
    assert types["Team.Created"] == 3 and types["Rep.Onboarded"] == 12
    assert types["Customer.Registered"] == 200
    assert types["Rep.PersonalDetailsRecorded"] == 12 and types["Customer.ContactRecorded"] == 20
    assert types["FollowUp.Logged"] > 1000 and types["Deal.Closed"] > 50 and types["Deal.Reversed"] >= 1
    assert types["Contract.Signed"] == 12 and types["Contract.AmendmentSigned"] == 2
    for family in ("Customer.Claimed", "Score.Recorded", "Training.Completed", "KpiScheme.Revised",
                   "CommissionPlan.Defined", "FxRate.Recorded", "WarningNotice.Issued",
                   "ImprovementPlan.Concluded", "PayoutRun.Paid"):
        assert types.get(family, 0) >= 1, family
    assert types["PayoutRun.Calculated"] == 3 and types["PayoutRun.Paid"] == 3  # one run per team for September
    assert types["CommissionPlan.Assigned"] == 3
    contract = ledger_app.repository.get(first.id("contract-0"))
    assert contract.post == "senior sales" and str(contract.base_pay_amount.value) == "9800"
    assert ledger_app.repository.get(first.id("rep-0")).phone.value == "+86 139 0000 1000"

    again = build_demo(ledger_app, seed, date(2026, 10, 31), lambda _: None, queries)
    assert (again.written, again.replayed) == (0, first.written)
    assert ledger_app.head() == after
    queries.close()
