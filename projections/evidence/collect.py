"""Collect, from the event log up to one position, every event about a rep, plus what the team context needs.

An event is about the rep when its stream is theirs (their rep stream, contracts, scores, warnings,
plans, trainings, published scorecards, review flags, protected statuses ...), when it names them
(deals with a share, follow-ups), when it concerns a customer while they owned it, or when it is a
rule that applied to them (their own or their team's targets, KPI schemes of their teams or the company).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from ledger import (
    complaint,
    contract,
    contract_reminder,
    customer,
    data_subject,
    deal,
    dispute,
    early_warning,
    evidence_export,
    followup,
    holdings,
    improvement,
    kpi_scheme,
    protected_status,
    published_scorecard,
    rep,
    review_flag,
    score,
    target,
    training,
    warning_notice,
)
from ledger.customer import Customer
from ledger.periods import Period
from ledger.published_scorecard import PublishedScorecard
from ledger.rep import Rep

BATCH = 1000
MODULES = (complaint, contract, contract_reminder, customer, data_subject, deal, dispute, early_warning,
           evidence_export, followup, holdings, improvement, kpi_scheme, protected_status, published_scorecard, rep,
           review_flag, score, target, training, warning_notice)
ALWAYS, DATED = "always", "dated"  # stream modes; a period-labelled stream's mode is "period:<label>"
ALWAYS_KINDS = ("Rep.", "Contract.", "ProtectedStatus.", "DataSubject.")
PERIOD_KINDS = ("PublishedScorecard.", "ReviewFlag.", "Target.")


@dataclass(frozen=True)
class Item:
    """One event of the bundle: its position, the stored record (bytes as stored) and the decoded event."""

    position: int
    stored: Any
    event: Any


@dataclass
class Collected:
    rep_id: UUID
    start: date
    end: date
    position: int
    items: list[Item] = field(default_factory=list)
    rep_teams: list[str] = field(default_factory=list)  # every team the rep belonged to, in order
    team: str | None = None  # the rep's team at the position
    published: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # period -> rep -> publication
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # rep -> customers received in range
    candidacies: dict[str, list[int]] = field(default_factory=dict)  # rep -> rule assignments that considered them
    members: dict[str, str] = field(default_factory=dict)  # rep -> team at the position
    left_on: dict[str, date] = field(default_factory=dict)


def topics() -> list[str]:
    """Topics of every event class an evidence bundle may concern (others are never decoded)."""
    found = []
    for module in MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                found += [f"{module.__name__}:{e.__qualname__}" for e in vars(value).values()
                          if isinstance(e, type) and hasattr(e, "apply") and e.__qualname__.startswith(value.__name__ + ".")]
    return sorted(found)


def collect(app: Application[Any], rep_id: UUID, start: date, end: date, position: int) -> Collected:
    """Every relevant event up to `position`, read in ledger order in batches."""
    scan = _Scan(Collected(rep_id, start, end, position))
    wanted, after = topics(), 0
    while after < position:
        batch = app.recorder.select_notifications(start=after + 1, limit=BATCH, stop=position, topics=wanted)
        if not batch:
            break
        for stored in batch:
            scan.see(Item(stored.id, stored, app.mapper.to_domain_event(stored)))
        after = batch[-1].id
    return scan.done()


class _Scan:
    def __init__(self, out: Collected) -> None:
        self.out, self.rep = out, str(out.rep_id)
        self.modes: dict[UUID, str] = {}  # the rep's streams and how their events are selected
        self.rules: dict[UUID, tuple[list[str], str | None]] = {}  # team-scoped rule streams: (teams, period)
        self.rule_items: dict[UUID, list[Item]] = {}
        self.owner: dict[UUID, str | None] = {}
        self.level: dict[UUID, str] = {}
        self.published_streams: dict[UUID, tuple[str, str]] = {}

    def see(self, item: Item) -> None:
        e, stream = item.event, item.event.originator_id
        kind = type(e).__qualname__
        if isinstance(e, (Rep.Onboarded, Rep.Transferred, Rep.Left)):
            self._rep(e)
        if kind.startswith("Customer."):
            self._customer(item)
        elif isinstance(e, (PublishedScorecard.Published, PublishedScorecard.Republished)):
            self._published(item)
        elif kind in ("Target.Set", "KpiScheme.Defined") and stream not in self.modes:
            self._rule(item)
        elif stream in self.rules:
            self.rule_items[stream].append(item)
        if stream not in self.modes and self._opens_rep_stream(e):
            self.modes[stream] = self._mode(e)
        if stream in self.modes and self._selected(self.modes[stream], e):
            self._include(item)
        elif kind in ("Deal.Closed", "FollowUp.Logged", "Complaint.Recorded") and self._owned(e.customer_id):
            self.modes[stream] = DATED  # about a customer while the rep owned it
            if self._in_range(e):
                self._include(item)

    def _opens_rep_stream(self, e: Any) -> bool:
        if e.originator_id == self.out.rep_id:
            return True
        if getattr(e, "rep_id", None) == self.out.rep_id and type(e).__qualname__.split(".")[0] != "Customer":
            return True
        if type(e).__qualname__ == "Target.Set":
            return bool(e.scope == "rep" and e.scope_id == self.out.rep_id)
        if type(e).__qualname__ in ("DataSubject.Identified", "EarlyWarning.Raised"):
            return bool(e.subject_id == self.out.rep_id)
        return any(str(s.get("rep_id")) == self.rep for s in getattr(e, "splits", None) or [])

    @staticmethod
    def _mode(e: Any) -> str:
        kind = type(e).__qualname__
        if kind.startswith(ALWAYS_KINDS):
            return ALWAYS
        if kind.startswith(PERIOD_KINDS):
            return f"period:{e.period}"
        return DATED

    def _selected(self, mode: str, e: Any) -> bool:
        if mode == ALWAYS:
            return True
        if mode.startswith("period:"):
            period = Period.parse(mode.removeprefix("period:"))
            return period.start <= self.out.end and self.out.start <= period.end
        return self._in_range(e)

    def _in_range(self, e: Any) -> bool:
        occurred = getattr(e, "occurred_at", None)
        return isinstance(occurred, datetime) and self.out.start <= occurred.date() <= self.out.end

    def _include(self, item: Item) -> None:
        if not self.out.items or self.out.items[-1].position != item.position:
            self.out.items.append(item)

    def _rep(self, e: Any) -> None:
        rep_id = str(e.originator_id)
        if isinstance(e, Rep.Left):
            self.out.left_on[rep_id] = e.left_on
            return
        self.out.members[rep_id] = str(e.team_id)
        if rep_id == self.rep and str(e.team_id) not in self.out.rep_teams:
            self.out.rep_teams.append(str(e.team_id))

    def _owned(self, customer_id: UUID | None) -> bool:
        return customer_id is not None and self.owner.get(customer_id) == self.rep

    def _customer(self, item: Item) -> None:
        e, customer_id = item.event, item.event.originator_id
        before = self.owner.get(customer_id)
        if isinstance(e, Customer.Registered):
            self.level[customer_id] = e.level
        elif isinstance(e, (Customer.Claimed, Customer.Assigned)):
            self.owner[customer_id] = str(e.rep_id)
            if self._in_range(e):
                how = "claimed" if isinstance(e, Customer.Claimed) else "assigned"
                self.out.received.setdefault(str(e.rep_id), []).append(
                    {"customer_id": str(customer_id), "level": self.level.get(customer_id, ""), "how": how,
                     "rule": getattr(e, "rule", None), "position": item.position, "on": e.occurred_at.date().isoformat()})
                for candidate in getattr(e, "ranking", None) or []:
                    self.out.candidacies.setdefault(str(candidate.get("rep_id")), []).append(item.position)
        elif isinstance(e, (Customer.Released, Customer.Recycled)):
            self.owner[customer_id] = None
        involved = self.rep in (before, self.owner.get(customer_id), str(getattr(e, "rep_id", "")))
        if involved and self._in_range(e):
            self._include(item)

    def _published(self, item: Item) -> None:
        e, stream = item.event, item.event.originator_id
        if isinstance(e, PublishedScorecard.Published):
            self.published_streams[stream] = (str(e.rep_id), e.period)
        rep_id, period = self.published_streams.get(stream, ("", ""))
        if period and self._selected(f"period:{period}", e):
            self.out.published.setdefault(period, {})[rep_id] = {
                "total": e.total, "team_id": e.figures.get("team_id"), "position": item.position}

    def _rule(self, item: Item) -> None:
        e = item.event
        if type(e).__qualname__ == "Target.Set":
            if e.scope != "team" or not self._selected(f"period:{e.period}", e):
                return
            self.rules[e.originator_id] = ([str(e.scope_id)], e.period)
        else:
            self.rules[e.originator_id] = ([str(t) for t in e.team_ids], None)  # none: the whole company
        self.rule_items[e.originator_id] = [item]

    def done(self) -> Collected:
        out = self.out
        out.team = out.members.get(self.rep)
        for stream, (teams, _) in self.rules.items():
            if not teams or set(teams) & set(out.rep_teams):
                out.items += self.rule_items[stream]
        out.items.sort(key=lambda i: i.position)
        return out


# -- The same collection through the evidence index (projections/evidence/index.py) ----------------------------
#
# `_Scan` only ever changes its state or output on: reps' moves, rules and published scorecards (read in full:
# they grow with reps and periods, not with the log); events that mention the rep (their streams open); the
# further events of those streams and of the customers the rep was given (which includes every event about
# such a customer: the follow-ups, deals and complaints that count while the rep owned it); the further events
# of the streams those open; and the claims and assignments of the rep's team mates with their customers'
# registrations (the team comparison). Every other event leaves `_Scan` as it was, so feeding it only these, in
# ledger order, gives the full scan's result (tests/integration/test_evidence_index.py compares them).

GLOBAL_KINDS = ("Rep.Onboarded", "Rep.Transferred", "Rep.Left", "PublishedScorecard.", "Target.", "KpiScheme.")
OWNED_KINDS = ("Deal.Closed", "FollowUp.Logged", "Complaint.Recorded")
RECEIVED_KINDS = ("Customer.Claimed", "Customer.Assigned")


def _kind(topic: str) -> str:
    return topic.partition(":")[2]


def collect_indexed(app: Application[Any], index: Any, rep_id: UUID, start: date, end: date, position: int) -> Collected:
    """What `collect` returns, reading only the events the index names (the index caught up to `position`)."""
    wanted = set(topics())
    rows: dict[int, Any] = {}

    def read(positions: set[int]) -> list[Any]:
        fresh = [p for p in positions if p not in rows]
        rows.update({r.position: r for r in index.rows(fresh) if r.topic in wanted})
        return [rows[p] for p in sorted(positions) if p in rows]

    items: dict[int, Item] = {}

    def item(row: Any) -> Item:
        if row.position not in items:
            stored = Notification(id=row.position, originator_id=UUID(row.stream_id), originator_version=row.version,
                                  topic=row.topic, state=row.state)
            items[row.position] = Item(row.position, stored, app.mapper.to_domain_event(stored))
        return items[row.position]

    global_rows = read(index.with_topics([t for t in wanted if _kind(t).startswith(GLOBAL_KINDS)], position))
    own = read(index.mentioning([rep_id], position))
    streams = {r.stream_id for r in own}
    about = read(index.mentioning(streams, position))  # the rep's streams, and everything about their customers
    opened = {r.stream_id for r in about if _kind(r.topic) in OWNED_KINDS} - streams
    read(index.mentioning(opened, position))

    moves = [item(r).event for r in global_rows if _kind(r.topic) in ("Rep.Onboarded", "Rep.Transferred")]
    teams = {str(e.team_id) for e in moves if e.originator_id == rep_id}
    peers = {e.originator_id for e in moves if str(e.team_id) in teams} - {rep_id}
    received = read(index.mentioning(peers, position, [t for t in wanted if _kind(t) in RECEIVED_KINDS]))
    registered = [t for t in wanted if _kind(t) == "Customer.Registered"]
    read(index.mentioning({r.stream_id for r in received}, position, registered))

    scan = _Scan(Collected(rep_id, start, end, position))
    for at in sorted(rows):
        if at <= position:
            scan.see(item(rows[at]))
    return scan.done()
