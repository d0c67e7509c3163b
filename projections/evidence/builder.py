"""Build a rep's evidence bundle as the ledger stood at one position, proven against a signed checkpoint."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application

from ledger.base import Ctx
from ledger.errors import Invalid, NotFound
from ledger.readiness import checklist
from ledger.rep import Rep
from projections.evidence import bundle, pdf
from projections.evidence.bundle import Bundle, canonical_json, jsonl
from projections.evidence.collect import Collected, collect, collect_indexed
from projections.evidence.facts import facts
from projections.evidence.index import EvidenceIndex
from projections.evidence.records import event_record
from projections.evidence.sections import allocation, contracts, scorecards
from projections.feed import plain
from projections.readside import ReadSide

EARLIEST = date(1950, 1, 1)
CHECKPOINT_FIELDS = ("id", "position", "size", "chain_head", "merkle_root", "signature", "key_id", "public_key",
                     "signed_at")
LAW = ("Labour Contract Law of the PRC, art. 40(2): the employee is incompetent and, after training or an "
       "adjustment of post, remains incompetent; 30 days' written notice or one month's pay in lieu (art. 40); "
       "not while art. 42 applies. 《劳动合同法》第四十条第（二）项、第四十二条。")


class Chain(Protocol):
    """What the bundle needs of the integrity read model (projections/integrity.py)."""

    def checkpoint_covering(self, position: int, ctx: Ctx) -> dict[str, Any]: ...
    def proven(self, positions: list[int], checkpoint: dict[str, Any]) -> dict[int, dict[str, Any]]: ...


class Evidence:
    """Same position and checkpoint, same bytes: a re-export can be compared with the first."""

    def __init__(self, app: Application[Any], read_side: ReadSide, integrity: Chain, *, create: bool = True,
                 indexed: bool = True) -> None:
        self.app, self.read_side, self.integrity = app, read_side, integrity
        # the index names the few events a bundle needs; `indexed=False` decodes the whole log (the reference)
        self.index, self.indexed = EvidenceIndex(app, read_side.db, create=create), indexed
        pdf.prepare()  # one-time library set-up here, not in the first bundle of the process

    def build(self, rep_id: UUID, start: date | None, end: date | None, ctx: Ctx,
              as_of: str | int | None = None) -> Bundle:
        name = self._rep(rep_id).name
        latest = self.app.recorder.max_notification_id() or 0
        position = self.read_side.moment(as_of if as_of not in (None, "") else latest).position
        moment = self.read_side.moment(position)  # the recording time of that position, never "now"
        start, end = start or EARLIEST, end or moment.at.date()
        if end < start:
            raise Invalid("the range ends before it starts", errors={"to": ["before from"]})
        checkpoint = self.integrity.checkpoint_covering(moment.position, ctx)
        if self.indexed:
            self.index.catch_up()
            collected = collect_indexed(self.app, self.index, rep_id, start, end, moment.position)
        else:
            collected = collect(self.app, rep_id, start, end, moment.position)
        proven = self.integrity.proven([i.position for i in collected.items], checkpoint)
        records = [event_record(i, proven[i.position], proven[i.position]["proof"], rep_id) for i in collected.items]
        head = {"rep_id": str(rep_id), "from": start.isoformat(), "to": end.isoformat(), "position": moment.position,
                "recorded_at": moment.at.isoformat(), "events": len(records),
                "checkpoint": {k: plain(checkpoint.get(k)) for k in CHECKPOINT_FIELDS}}
        files = self._files(collected, records, head, name)
        return bundle.build(files, head, str(checkpoint.get("id")))

    def _rep(self, rep_id: UUID) -> Rep:
        """The rep, or 404: a bundle about nobody is not built."""
        try:
            found: object = self.app.repository.get(rep_id)
        except AggregateNotFoundError:
            found = None
        if not isinstance(found, Rep):
            raise NotFound(f"no rep with id {rep_id}")
        return found

    @staticmethod
    def _files(c: Collected, records: list[dict[str, Any]], head: dict[str, Any], name: str) -> dict[str, bytes]:
        readiness = {"rep_id": head["rep_id"], "position": head["position"], "law": LAW,
                     **checklist(facts(c, date.fromisoformat(head["recorded_at"][:10])))}
        sections = {"scorecards": scorecards(c), "allocation": allocation(c), "contract": contracts(c)}
        checkpoint = head["checkpoint"]
        meta = {**head, "name": name, "checkpoint_position": checkpoint["position"],
                "merkle_root": checkpoint["merkle_root"], "key_id": checkpoint["key_id"]}
        return {
            "events.jsonl": jsonl(records),
            "scorecards.json": canonical_json(sections["scorecards"]),
            "allocation.json": canonical_json(sections["allocation"]),
            "contract.json": canonical_json(sections["contract"]),
            "readiness.json": canonical_json(readiness),
            "summary.pdf": pdf.render(meta, readiness, sections["scorecards"], sections["allocation"],
                                      sections["contract"]),
        }
