"""Bulk import: every row validated through the real handlers first, then written in resumable batches."""

from __future__ import annotations

import pickle
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Mapping
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic, resolve_topic

from ledger.base import Ctx
from ledger.errors import ConcurrentUpdate, Conflict, Invalid, LedgerError
from ledger.import_run import Import, import_id
from ledger.imports.formats import Row, Source
from ledger.imports.session import ImportSession
from ledger.services.base import ServiceBase

# kind, data, derived id -> (handler name, command, id the row names itself or None)
Builder = Callable[[str, Mapping[str, Any], UUID], tuple[str, Any, UUID | None]]
Progress = Callable[[str, int], None]
DEFAULT_BATCH = 2000


@dataclass
class ImportReport:
    """What an import did: rows, events written by this run, every skipped line with its reasons."""

    id: UUID
    sha256: str
    name: str
    format: str
    rows: int
    status: str = "imported"  # imported, resumed, already imported, rejected
    imported_rows: int = 0
    events: int = 0
    resumed_after: int = 0
    bad: dict[int, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def skipped(self) -> list[dict[str, Any]]:
        return [{"line": line, "reasons": reasons} for line, reasons in sorted(self.bad.items())]

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


class ImportRejected(Invalid):
    """A file with bad rows, imported without `skip_invalid`: nothing was written; `errors` has every bad line."""

    title = "Import rejected"
    code = "import-rejected"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.bad)} of {report.rows} rows are invalid; nothing was imported "
                         "(fix them, or import with skip_invalid to leave them out)",
                         errors={f"line {line}": reasons for line, reasons in sorted(report.bad.items())})
        self.report = report


def default_builder() -> Builder:
    """Rows are the bodies of the API's POSTs, so the API's schemas are the one definition of a valid row
    (marshmallow only; imported here, late, so that the domain package does not load the web adapter)."""
    from api.schemas.imports import build_command

    return build_command


def import_file(app: ServiceBase, path: Path | str, *, actor: str = "cli", skip_invalid: bool = False,
                batch: int = DEFAULT_BATCH, progress: Progress | None = None, build: Builder | None = None) -> ImportReport:
    """Import a .jsonl, .ndjson, .csv or .json file (see docs/import.md)."""
    return import_source(app, Source.from_path(Path(path)), actor=actor, skip_invalid=skip_invalid, batch=batch,
                         progress=progress, build=build)


def import_source(app: ServiceBase, source: Source, *, actor: str, skip_invalid: bool = False,
                  batch: int = DEFAULT_BATCH, progress: Progress | None = None,
                  build: Builder | None = None) -> ImportReport:
    """Validate every row (nothing written), then write the valid ones in batches of `batch` rows, each batch
    in one transaction with the import's own progress record. Raises ImportRejected when rows are bad and
    `skip_invalid` is not set. A completed file records nothing again; an interrupted one resumes."""
    if batch < 1:
        raise Invalid("batch must be at least 1", errors={"batch": ["at least 1"]})
    if source.rows == 0:
        raise Invalid(f"{source.name} has no rows", errors={"file": ["no rows"]})
    job = _Job(app, source, actor, build or default_builder(), progress or (lambda stage, n: None))
    run = job.existing()
    report = ImportReport(import_id(source.sha256), source.sha256, source.name, source.format, source.rows)
    started = time.perf_counter()
    if run is not None and run.completed:
        report.status = "already imported"
        report.bad = {int(s["line"]): [str(s["reason"])] for s in run.skipped}
        return report
    report.resumed_after = run.through_line if run is not None else 0
    with tempfile.TemporaryFile(prefix="ledger-import-") as spill:
        report.bad, batches = job.validate(report.resumed_after, batch, spill)
        if report.bad and not skip_invalid:
            report.status = "rejected"
            raise ImportRejected(report)
        spill.seek(0)
        job.write(run, report, spill, batches, skip_invalid)
    if run is not None:
        report.status = "resumed"
        report.bad = {**{int(s["line"]): [str(s["reason"])] for s in run.skipped}, **report.bad}
    report.seconds = time.perf_counter() - started
    return report


class _Job:
    """The two passes over one file: the rows through the handlers (their events spilled to a temporary file,
    batch by batch), then the spilled batches saved, each in one transaction."""

    def __init__(self, app: ServiceBase, source: Source, actor: str, build: Builder, progress: Progress) -> None:
        self.app, self.source, self.actor, self.build, self.progress = app, source, actor, build, progress
        self.namespace = uuid5(import_id(source.sha256), "rows")
        self.key = f"import-{source.sha256[:16]}"

    def existing(self) -> Import | None:
        try:
            found: object = self.app.repository.get(import_id(self.source.sha256))
        except AggregateNotFoundError:
            return None
        if not isinstance(found, Import):
            raise Conflict("the import's id is taken by another record", errors={"file": ["id collision"]})
        return found

    def apply(self, session: ImportSession, row: Row) -> list[str]:
        """Run one row through its handler; the reasons it was refused (empty when it was accepted)."""
        from marshmallow import ValidationError

        if row.error:
            return [row.error]
        try:
            handler, command, named = self.build(row.kind, row.data or {}, uuid5(self.namespace, str(row.line)))
            if named is not None and session.exists(named):
                raise Conflict(f"a record with id {named} exists already", code="id-exists",
                               errors={"id": ["already exists"]})
            getattr(session.app_view, handler)(command, Ctx(self.actor, f"{self.key}-{row.line}"))
        except ValidationError as error:
            return _messages(error.normalized_messages())
        except LedgerError as error:
            return [_reason(error)]
        if named is not None:
            session.note_created(named)
        return []

    def validate(self, after: int, batch: int, spill: IO[bytes]) -> tuple[dict[int, list[str]], int]:
        """Pass 1: every row after line `after`, against the ledger plus the rows before it. Nothing is saved:
        each batch's events go to `spill` with the batch's last line and the rows it skipped. Returns the bad
        rows' reasons by line and the number of batches spilled."""
        session, bad, batches = ImportSession(self.app), {}, 0
        rows, skipped, line = 0, [], after
        for row in self.source.read():
            self.progress("validate", 1)
            if row.line <= after:
                continue
            reasons = self.apply(session, row)
            if reasons:
                bad[row.line] = reasons
                skipped.append({"line": row.line, "reason": "; ".join(reasons)})
            rows, line = rows + 1, row.line
            if rows == batch:
                _spill(spill, (rows, line, skipped, _frozen(session.take_events())))
                rows, skipped, batches = 0, [], batches + 1
        if rows or not batches:
            _spill(spill, (rows, line, skipped, _frozen(session.take_events())))
            batches += 1
        return bad, batches

    def write(self, run: Import | None, report: ImportReport, spill: IO[bytes], batches: int,
              skip_invalid: bool) -> None:
        """Pass 2: each spilled batch saved in one transaction with the import's BatchCommitted (and, with the
        last, Completed), so the ledger holds whole batches only and knows which line it reached."""
        for index in range(batches):
            rows, line, skipped, frozen = pickle.load(spill)
            stamp = Ctx(self.actor, self.key).stamp(datetime.now(timezone.utc))
            events = _thawed(frozen, stamp["occurred_at"])
            if run is None:
                run = Import.start(sha256=self.source.sha256, rows=self.source.rows, name=self.source.name,
                                   format=self.source.format, skip_invalid=skip_invalid, **stamp)
            if line > run.through_line:
                run.commit_batch(through_line=line, events=len(events), skipped=skipped, **stamp)
            if index == batches - 1:
                run.complete(**stamp)
            _save(self.app, events, run)
            report.events += len(events)
            report.imported_rows += rows - len(skipped)
            self.progress("import", rows)


def _spill(spill: IO[bytes], batch: tuple[int, int, list[dict[str, Any]], list[Any]]) -> None:
    """One batch as a self-contained pickle: memory stays bounded by one batch, in both passes."""
    pickle.dump(batch, spill, protocol=pickle.HIGHEST_PROTOCOL)


def _frozen(events: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Events as topic and state, the way the library's mapper takes them apart (before transcoding: personal
    values are encrypted when saved, not here)."""
    return [(get_topic(type(event)), dict(event.__dict__)) for event in events]


def _thawed(frozen: list[tuple[str, dict[str, Any]]], recorded_at: datetime) -> list[Any]:
    """The events again, as the mapper rebuilds them; stamped with the time they are recorded now (their
    `timestamp`, the recording time, is the save's, not validation's)."""
    events = []
    for topic, state in frozen:
        event = object.__new__(resolve_topic(topic))
        event.__dict__.update(state, timestamp=recorded_at)
        events.append(event)
    return events


class _Batch:
    """A batch's events handed to `save` as one object: the library checks every object it is given against
    runtime protocols (~15 µs apiece), which for a million events is a quarter of a minute."""

    def __init__(self, run: Import, events: list[Any]) -> None:
        self.id, self.events = uuid5(run.id, "batch"), events

    def collect_events(self) -> list[Any]:
        return self.events


def _save(app: ServiceBase, events: list[Any], run: Import) -> None:
    try:
        app.save(_Batch(run, events), run)  # type: ignore[arg-type]
    except IntegrityError:
        raise ConcurrentUpdate("another writer changed records this import touches (or is importing the same file); "
                               "run the import again: it resumes after the last saved batch") from None


def _reason(error: LedgerError) -> str:
    fields = "; ".join(f"{name}: {', '.join(map(str, reasons))}" for name, reasons in error.errors.items())
    return f"{error.code}: {error.detail}" + (f" ({fields})" if fields else "")


def _messages(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested messages as flat `field.path: reason` lines."""
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            out += _messages(value, name)
        return out
    if isinstance(messages, list):
        return [line for item in messages for line in _messages(item, prefix)]
    return [f"{prefix}: {messages}" if prefix else str(messages)]
