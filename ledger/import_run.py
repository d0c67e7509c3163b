"""Import: one bulk import of a file, keyed by the file's SHA-256, so a file is never imported twice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:import")
FORMATS = ("jsonl", "csv", "json")


def import_id(sha256: str) -> UUID:
    """One stream per file content: a second import of the same bytes finds the first."""
    return uuid5(_NAMESPACE, sha256)


class Import(LedgerAggregate):
    """Started with the first batch, then one BatchCommitted saved in the same transaction as each batch's
    events (so an interrupted import resumes after the last batch that is really in the ledger), then
    Completed."""

    KIND = "import"
    if TYPE_CHECKING:
        sha256: str
        rows: int
        name: str
        format: str
        through_line: int
        events: int
        skipped: list[dict[str, Any]]
        completed: bool

    class Started(LedgerCreated):
        sha256: str
        rows: int
        name: str
        format: str
        skip_invalid: bool

        def apply(self, i: Any) -> None:
            i.sha256, i.rows, i.name, i.format = self.sha256, self.rows, self.name, self.format
            i.through_line, i.events, i.skipped, i.completed = 0, 0, [], False

    class BatchCommitted(LedgerEvent):
        through_line: int
        events: int
        skipped: list[dict[str, Any]]

        def apply(self, i: Any) -> None:
            i.through_line, i.events = self.through_line, i.events + self.events
            i.skipped = [*i.skipped, *self.skipped]

    class Completed(LedgerEvent):
        events: int
        skipped_lines: list[int]

        def apply(self, i: Any) -> None:
            i.completed = True

    @classmethod
    def start(cls, *, sha256: str, rows: int, name: str, format: str, skip_invalid: bool, **stamp: Any) -> Import:
        if len(sha256) != 64 or format not in FORMATS or rows < 0:
            raise Invalid("an import needs the file's SHA-256, its format and its row count",
                          errors={"sha256": ["64 hex digits"], "format": [f"one of {', '.join(FORMATS)}"]})
        return cls._start(cls.Started, import_id(sha256), sha256=sha256, rows=rows, name=name[:200], format=format,
                          skip_invalid=skip_invalid, **stamp)

    def check_open(self) -> None:
        if self.completed:
            raise RuleViolation(f"the file {self.sha256[:12]}… was imported already", code="already-imported",
                                errors={"file": ["already imported"]})

    def commit_batch(self, *, through_line: int, events: int, skipped: list[dict[str, Any]], **stamp: Any) -> None:
        """Record that every row up to `through_line` is in the ledger (or was skipped, with its reason)."""
        self.check_open()
        if through_line <= self.through_line:
            raise RuleViolation(f"rows up to line {self.through_line} are committed already", code="batch-order",
                                errors={"through_line": [f"must be after line {self.through_line}"]})
        self._record(self.BatchCommitted, through_line=through_line, events=events, skipped=skipped, **stamp)

    def complete(self, **stamp: Any) -> None:
        self.check_open()
        self._record(self.Completed, events=self.events, skipped_lines=[int(s["line"]) for s in self.skipped], **stamp)
