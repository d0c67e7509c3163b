"""The import's write-behind session and runner over an in-memory store: the real handlers, nothing saved early."""

import copy
import json
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest

from api.schemas.imports import build_command
from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.customer import Customer
from ledger.errors import RuleViolation
from ledger.holdings import Holdings, holdings_id
from ledger.imports.formats import Source
from ledger.imports.runner import ImportRejected, import_source
from ledger.imports.session import ImportSession
from ledger.keystore import MemoryKeyStore

AT = "2026-03-02T09:00:00+00:00"


@pytest.fixture()
def app() -> Iterator[LedgerApplication]:
    application = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keystore=MemoryKeyStore())
    yield application
    application.close()


def run(session: ImportSession, row_type: str, /, **data: Any) -> Any:
    """One row through the session, as the importer runs it."""
    handler, command, _ = build_command(row_type, {"occurred_at": AT, **data}, uuid4())
    return getattr(session.app_view, handler)(command, Ctx("t", f"k-{uuid4()}"))


def test_a_refused_command_leaves_the_session_as_it_was_and_saves_nothing(app: LedgerApplication) -> None:
    session = ImportSession(app)
    team = run(session, "team", name="T").id
    rep = run(session, "rep", name="R", team_id=str(team), hired_on="2025-01-01").id
    run(session, "pool_policy", team_id=str(team), effective_from="2026-01-01", max_customers=1)
    first, second = (run(session, "customer", name=n).id for n in ("A", "B"))
    run(session, "claim", customer_id=str(first), rep_id=str(rep))
    with pytest.raises(RuleViolation) as info:  # the customer is claimed in memory, then the holding limit refuses
        run(session, "claim", customer_id=str(second), rep_id=str(rep))
    assert info.value.code == "holding-limit"
    assert session.lookup(second).owner_id is None  # type: ignore[attr-defined]
    holdings = session.lookup(holdings_id(rep))
    assert isinstance(holdings, Holdings) and holdings.customer_ids == [first]
    assert app.head() == 0  # nothing reached the store
    kinds = [type(e).__qualname__ for e in session.take_events()]
    assert kinds.count("Customer.Claimed") == 1 and kinds.count("Holdings.Taken") == 1


def test_copies_handed_to_handlers_never_change_the_session_state_in_place(app: LedgerApplication) -> None:
    """Every kind of event of the aggregates copied shallowly, applied to a copy, leaves the original as it was."""
    session = ImportSession(app)
    steps: list[tuple[str, dict[str, Any]]] = []
    ids: dict[str, str] = {}

    def step(row_type: str, label: str = "", /, **data: Any) -> None:
        before = {key: (agg, copy.deepcopy({k: v for k, v in vars(agg).items() if k != "_pending_events"}))
                  for key, agg in session.cache.items()}
        result = run(session, row_type, **data)
        if label:
            ids[label] = str(result.id)
        for key, (agg, state) in before.items():
            assert {k: v for k, v in vars(agg).items() if k != "_pending_events"} == state, (row_type, key)
        steps.append((row_type, data))

    step("team", "t1", name="T1")
    step("team", "t2", name="T2")
    step("rep", "r1", name="R1", team_id=ids["t1"], hired_on="2025-01-01")
    step("rep", "r2", name="R2", team_id=ids["t1"], hired_on="2025-01-01")
    step("personal_details", rep_id=ids["r2"], phone="+86 139 0000 0000")
    step("rep_transfer", rep_id=ids["r2"], team_id=ids["t2"], post="lead")
    step("group", "g", name="PK", period="2026-Q1", member_ids=[ids["r1"]])
    step("group_members", group_id=ids["g"], added=[ids["r2"]], removed=[ids["r1"]])
    step("customer", "c", name="C")
    step("contact", customer_id=ids["c"], name="联系人", phone="+86 138 0000 0000")
    step("claim", customer_id=ids["c"], rep_id=ids["r1"])
    step("assign", customer_id=ids["c"], rep_id=ids["r2"], reason="handover")
    step("release", customer_id=ids["c"])
    step("deal", "d", rep_id=ids["r1"], customer_id=ids["c"], amount="100.00", currency="CNY", product="p",
         customer_type="new", closed_on="2026-03-01")
    step("deal_reversal", deal_id=ids["d"], kind="refund", reason="r", amount="10.00", currency="CNY")
    for on in ("2026-01-02", "2026-02-02"):
        step("fx_rate", base="USD", quote="CNY", rate="7.1", on=on)
        step("pool_policy", team_id=ids["t1"], effective_from=on, max_customers=5)
    step("commission_plan", "p", name="P", currency="CNY", effective_from="2026-01-01", rules={"base_rate": "0.05"})
    step("commission_plan_revision", plan_id=ids["p"], rules={"base_rate": "0.06"}, effective_from="2026-02-01")
    step("plan_assignment", plan_id=ids["p"], scope="team", scope_id=ids["t1"], starts_on="2026-01-01")
    step("contract", "k", rep_id=ids["r1"], kind="fixed_term", starts_on="2025-01-01", ends_on="2027-12-31",
         post="sales", base_pay_amount="9000.00", currency="CNY")
    amendment = str(uuid4())
    step("amendment", contract_id=ids["k"], amendment_id=amendment, changes={"post": "lead"},
         effective_on="2026-04-01", proposed_by="employer")
    for party in ("employer", "employee"):
        step("amendment_signature", contract_id=ids["k"], amendment_id=amendment, party=party, signer=party)
    step("renewal", contract_id=ids["k"], new_ends_on="2028-12-31", renewed_on="2026-03-01")
    step("rep_leave", rep_id=ids["r1"], left_on="2026-03-01")
    assert len(steps) == 28 and app.head() == 0


def history(app: LedgerApplication) -> list[tuple[UUID, int, str]]:
    """Every event of the ledger but the import's own bookkeeping: stream, version, type."""
    notes = app.recorder.select_notifications(start=1, limit=100_000)
    return [(UUID(str(n.originator_id)), n.originator_version, n.topic) for n in notes if "import_run" not in n.topic]


def file_rows(team: UUID, rep: UUID, customers: int) -> bytes:
    rows: list[dict[str, Any]] = [{"type": "team", "data": {"id": str(team), "name": "T", "occurred_at": AT}},
                                  {"type": "rep", "data": {"id": str(rep), "name": "R", "team_id": str(team),
                                                           "hired_on": "2025-01-01", "occurred_at": AT}}]
    for i in range(customers):
        customer = str(uuid4())
        rows += [{"type": "customer", "data": {"id": customer, "name": f"C{i}", "occurred_at": AT}},
                 {"type": "claim", "data": {"customer_id": customer, "rep_id": str(rep), "occurred_at": AT}},
                 {"type": "follow_up", "data": {"rep_id": str(rep), "customer_id": customer, "kind": "call",
                                                "stage": "lead", "occurred_at": AT}}]
    return "\n".join(json.dumps(row) for row in rows).encode()


def test_an_interrupted_import_resumes_after_its_last_batch_with_no_fact_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    source = Source.from_bytes(file_rows(uuid4(), uuid4(), 20), "history.jsonl", "jsonl")
    whole = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keystore=MemoryKeyStore())
    broken = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keystore=MemoryKeyStore())
    import_source(whole, source, build=build_command, actor="t", batch=10)
    saves = {"n": 0}
    real_insert = broken.recorder.insert_events

    def insert_then_crash(*args: Any, **kwargs: Any) -> Any:
        saves["n"] += 1
        if saves["n"] == 3:
            raise KeyboardInterrupt  # the process dies during the third batch
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(broken.recorder, "insert_events", insert_then_crash)
    with pytest.raises(KeyboardInterrupt):
        import_source(broken, source, build=build_command, actor="t", batch=10)
    monkeypatch.setattr(broken.recorder, "insert_events", real_insert)
    kept = history(broken)  # the first two batches, whole: a prefix of the uninterrupted import
    assert 0 < len(kept) < len(history(whole)) and kept == history(whole)[:len(kept)]
    report = import_source(broken, source, build=build_command, actor="t", batch=10)
    assert (report.status, report.resumed_after) == ("resumed", 20)
    assert history(broken) == history(whole)
    again = import_source(broken, source, build=build_command, actor="t", batch=10)
    assert again.status == "already imported" and again.events == 0 and history(broken) == history(whole)


def test_rows_naming_an_id_that_exists_are_refused_with_their_line(app: LedgerApplication) -> None:
    team = uuid4()
    import_source(app, Source.from_bytes(file_rows(team, uuid4(), 0), "a.jsonl", "jsonl"), build=build_command, actor="t")
    second = json.dumps({"type": "team", "data": {"id": str(team), "name": "again", "occurred_at": AT}})
    twice = json.dumps({"type": "customer", "data": {"id": str(team), "name": "dup", "occurred_at": AT}})
    head = app.head()
    with pytest.raises(ImportRejected) as info:
        import_source(app, Source.from_bytes(f"{second}\n{twice}\n".encode(), "b.jsonl", "jsonl"), build=build_command, actor="t")
    assert list(info.value.errors) == ["line 1", "line 2"] and app.head() == head
    assert all(reasons[0].startswith("id-exists") for reasons in info.value.errors.values())


def test_a_customer_claimed_by_an_earlier_row_is_owned_for_the_later_rows(app: LedgerApplication) -> None:
    team, rep = uuid4(), uuid4()
    content = file_rows(team, rep, 1) + b"\n" + json.dumps(
        {"type": "release", "data": {"customer_id": "00000000-0000-0000-0000-000000000000"}}).encode()
    with pytest.raises(ImportRejected) as info:
        import_source(app, Source.from_bytes(content, "c.jsonl", "jsonl"), build=build_command, actor="t")
    assert list(info.value.errors) == ["line 6"] and info.value.errors["line 6"][0].startswith("not-found")
    report = import_source(app, Source.from_bytes(content, "c.jsonl", "jsonl"), build=build_command, actor="t", skip_invalid=True)
    customer = next(UUID(str(n.originator_id)) for n in app.recorder.select_notifications(start=1, limit=100)
                    if n.topic.endswith("Customer.Registered"))
    assert app.load(Customer, customer).owner_id == rep and report.skipped == [
        {"line": 6, "reasons": info.value.errors["line 6"]}]
