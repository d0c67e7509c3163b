"""Contracts by rep, and a rep's contract as in force on a day, as the ledger stood at a moment.

The projection keeps only an index (which contracts a rep has, and the position, version and type of
each of their events); the terms themselves are read from the contract's own events, loaded up to the
version the ledger held at the moment asked, so that pay stays encrypted under the rep's key.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.application import LedgerApplication
from ledger.contract import Contract
from ledger.errors import NotFound
from projections.base import Projection, View, text, topic_of
from projections.readside import Moment, ReadSide

NAME = "contracts"
CONTRACT = "contract"  # part: rep id, key: contract id
OWNER = "owner"  # part: "", key: contract id -> its rep (later events do not name the rep)
EVENTS = (Contract.Signed, Contract.AmendmentProposed, Contract.AmendmentSigned, Contract.Renewed, Contract.Terminated)
IN_FORCE = ("active", "renewed")


class ContractIndexProjection(Projection):
    name = NAME
    topics = tuple(topic_of(cls) for cls in EVENTS)

    def fold(self, view: View, position: int, event: Any) -> None:
        contract_id = str(event.originator_id)
        if isinstance(event, Contract.Signed):
            rep_id = str(event.rep_id)
            view.put(OWNER, "", contract_id, {"rep_id": rep_id})
            state: dict[str, Any] = {"contract_id": contract_id, "rep_id": rep_id, "kind": event.kind,
                                     "starts_on": text(event.starts_on), "events": []}
        else:
            owner = view.get(OWNER, "", contract_id)
            if owner is None:
                return  # a stream this projection never saw begin cannot be indexed
            rep_id = owner["rep_id"]
            state = view.get(CONTRACT, rep_id, contract_id) or {}
        state["events"] = [*state["events"], {"position": position, "version": event.originator_version,
                                              "type": type(event).__qualname__}]
        view.put(CONTRACT, rep_id, contract_id, state)


def _chosen(contracts: list[Contract], on: date) -> Contract:
    """The contract in force on the day; else the latest one begun by then; else the next to begin."""
    by_start = sorted(contracts, key=lambda c: c.starts_on)
    in_force = [c for c in by_start if c.status_on(on) in IN_FORCE]
    begun = [c for c in by_start if c.starts_on <= on]
    return (in_force or begun)[-1] if in_force or begun else by_start[0]


def rep_contract(read_side: ReadSide, app: LedgerApplication, rep_id: UUID, on: date, moment: Moment) -> dict[str, Any]:
    """The rep's contract as in force on `on`, from the events recorded up to `moment`."""
    rows = read_side.rows(NAME, CONTRACT, moment, part=str(rep_id))
    if not rows:
        raise NotFound(f"rep {rep_id} has no contract at position {moment.position}")
    loaded = {UUID(key): (app.load(Contract, UUID(key), version=state["events"][-1]["version"]), state["events"])
              for _, key, state in rows}
    contract = _chosen([c for c, _ in loaded.values()], on)
    events = loaded[contract.id][1]
    where = {e["version"]: e["position"] for e in events}
    amendments = [{**a, "signed": a["effective"], "in_force": a["effective"] and a["effective_on"] <= on,
                   "positions": {k: where.get(v) for k, v in a.get("versions", {}).items()}}
                  for a in contract.amendments]
    renewals = [{**r, "in_force": r["renewed_on"] <= on, "position": where.get(r["version"])} for r in contract.renewals]
    termination = None if contract.terminated_on is None else {
        "terminated_on": contract.terminated_on, "ground": contract.termination_ground,
        "notice": contract.termination_notice, "notice_given_on": contract.termination_notice_given_on,
        "reason": contract.termination_reason, "position": where.get(contract.termination_version or 0)}
    return {
        "rep_id": rep_id, "on": on, "position": moment.position, "as_of": moment.at, "contract_id": contract.id,
        "status": contract.status_on(on), "kind": contract.kind, "starts_on": contract.starts_on,
        "probation_months": contract.probation_months, "currency": contract.currency, "pay_period": contract.pay_period,
        "clauses": contract.terms_on(on), "amendments": amendments, "renewals": renewals, "termination": termination,
        "events": events, "other_contract_ids": sorted(str(c) for c in loaded if c != contract.id),
    }
