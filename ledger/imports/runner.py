"""Bulk import: every row validated through the real handlers first, then written in resumable batches."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from ledger.base import Ctx
from ledger.errors import ConcurrentUpdate, Conflict, Invalid, LedgerError
from ledger.import_run import Import, import_id
from ledger.imports import bulk, spill
from ledger.imports import lean as lean_handlers
from ledger.imports.builder import Builder, RowInvalid
from ledger.imports.formats import Row, Source
from ledger.imports.session import ImportSession
from ledger.services.base import ServiceBase

Progress = Callable[[str, int], None]
DEFAULT_BATCH = 2000
PROGRESS_EVERY = 500  # rows between progress calls (a call per row cost more than a lean row's checks)


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


def import_file(app: ServiceBase, path: Path | str, *, build: Builder, actor: str = "cli", skip_invalid: bool = False,
                batch: int = DEFAULT_BATCH, progress: Progress | None = None, lean: bool = True) -> ImportReport:
    """Import a .jsonl, .ndjson, .csv or .json file (see docs/import.md)."""
    return import_source(app, Source.from_path(Path(path)), build=build, actor=actor, skip_invalid=skip_invalid,
                         batch=batch, progress=progress, lean=lean)


def import_source(app: ServiceBase, source: Source, *, build: Builder, actor: str, skip_invalid: bool = False,
                  batch: int = DEFAULT_BATCH, progress: Progress | None = None, lean: bool = True) -> ImportReport:
    """Validate every row (nothing written), then write the valid ones in batches of `batch` rows, each batch
    in one transaction with the import's own progress record. Raises ImportRejected when rows are bad and
    `skip_invalid` is not set. A completed file records nothing again; an interrupted one resumes.

    `build` turns a row into a command: the callers pass the API's (`api.schemas.imports.build_command`), so
    the API's schemas stay the one definition of a valid row and the domain imports no adapter. `lean=False`
    runs every row through its real handler and encodes every event when it is saved: the reference the lean
    handlers and the early encoding are tested against (same rows stored, same bytes)."""
    if batch < 1:
        raise Invalid("batch must be at least 1", errors={"batch": ["at least 1"]})
    if source.rows == 0:
        raise Invalid(f"{source.name} has no rows", errors={"file": ["no rows"]})
    job = _Job(app, source, actor, build, progress or (lambda stage, n: None), lean)
    run = job.existing()
    report = ImportReport(import_id(source.sha256), source.sha256, source.name, source.format, source.rows)
    started = time.perf_counter()
    if run is not None and run.completed:
        report.status = "already imported"
        report.bad = {int(s["line"]): [str(s["reason"])] for s in run.skipped}
        return report
    report.resumed_after = run.through_line if run is not None else 0
    with tempfile.TemporaryFile(prefix="ledger-import-") as spilled:
        report.bad, batches = job.validate(report.resumed_after, batch, spilled)
        if report.bad and not skip_invalid:
            report.status = "rejected"
            raise ImportRejected(report)
        spilled.seek(0)
        job.write(run, report, spilled, batches, skip_invalid)
    if run is not None:
        report.status = "resumed"
        report.bad = {**{int(s["line"]): [str(s["reason"])] for s in run.skipped}, **report.bad}
    report.seconds = time.perf_counter() - started
    return report


class _Job:
    """The two passes over one file: the rows through the handlers (their events spilled to a temporary file,
    batch by batch), then the spilled batches saved, each in one transaction."""

    def __init__(self, app: ServiceBase, source: Source, actor: str, build: Builder, progress: Progress,
                 lean: bool) -> None:
        self.app, self.source, self.actor, self.build, self.progress = app, source, actor, build, progress
        self.namespace = uuid5(import_id(source.sha256), "rows").bytes
        self.key = f"import-{source.sha256[:16]}"
        self.encoder = spill.Encoder(app.mapper, early=lean)
        self.lean = lean_handlers.HANDLERS if lean else {}

    def existing(self) -> Import | None:
        try:
            found: object = self.app.repository.get(import_id(self.source.sha256))
        except AggregateNotFoundError:
            return None
        if not isinstance(found, Import):
            raise Conflict("the import's id is taken by another record", errors={"file": ["id collision"]})
        return found

    def apply(self, session: ImportSession, row: Row) -> list[str]:
        """Run one row through its handler (its lean twin first, if it has one); the reasons it was refused
        (empty when it was accepted)."""
        if row.error:
            return [row.error]
        try:
            handler, command, named = self.build(row.kind, row.data or {}, spill.uuid5_of(self.namespace, str(row.line)))
            if named is not None and session.exists(named):
                raise Conflict(f"a record with id {named} exists already", code="id-exists",
                               errors={"id": ["already exists"]})
            ctx = Ctx(self.actor, f"{self.key}-{row.line}")
            quick = self.lean.get(handler)
            if quick is None or not quick(session, command, ctx):
                getattr(session.app_view, handler)(command, ctx)
        except RowInvalid as error:
            return error.reasons
        except LedgerError as error:
            return [_reason(error)]
        if named is not None:
            session.note_created(named)
        return []

    def validate(self, after: int, batch: int, spilled: IO[bytes]) -> tuple[dict[int, list[str]], int]:
        """Pass 1: every row after line `after`, against the ledger plus the rows before it. Nothing is saved:
        each batch's events go to `spilled`, encoded, with the batch's last line and the rows it skipped.
        Returns the bad rows' reasons by line and the number of batches spilled."""
        session, bad, batches = ImportSession(self.app, self.encoder), {}, 0
        rows, skipped, line, count = 0, [], after, 0
        for count, row in enumerate(self.source.read(), start=1):
            if count % PROGRESS_EVERY == 0:
                self.progress("validate", PROGRESS_EVERY)
            if row.line <= after:
                continue
            reasons = self.apply(session, row)
            if reasons:
                bad[row.line] = reasons
                skipped.append({"line": row.line, "reason": "; ".join(reasons)})
            rows, line = rows + 1, row.line
            if rows == batch:
                spill.dump(spilled, rows, line, skipped, self.encoder.freeze(session.take_events()))
                rows, skipped, batches = 0, [], batches + 1
        if rows or not batches:
            spill.dump(spilled, rows, line, skipped, self.encoder.freeze(session.take_events()))
            batches += 1
        self.progress("validate", count % PROGRESS_EVERY)
        return bad, batches

    def write(self, run: Import | None, report: ImportReport, spilled: IO[bytes], batches: int,
              skip_invalid: bool) -> None:
        """Pass 2: each spilled batch saved in one transaction with the import's BatchCommitted (and, with the
        last, Completed), so the ledger holds whole batches only and knows which line it reached."""
        for index in range(batches):
            rows, line, skipped, frozen = spill.load(spilled)
            stamp = Ctx(self.actor, self.key).stamp(datetime.now(timezone.utc))
            stored = self.encoder.stored(frozen, stamp["occurred_at"])
            if run is None:
                run = Import.start(sha256=self.source.sha256, rows=self.source.rows, name=self.source.name,
                                   format=self.source.format, skip_invalid=skip_invalid, **stamp)
            if line > run.through_line:
                run.commit_batch(through_line=line, events=len(stored), skipped=skipped, **stamp)
            if index == batches - 1:
                run.complete(**stamp)
            _save(self.app, stored, run)
            report.events += len(stored)
            report.imported_rows += rows - len(skipped)
            self.progress("import", rows)


def _save(app: ServiceBase, stored: list[spill.Stored], run: Import) -> None:
    """One batch and the import's own events in one transaction (ledger/imports/bulk.py). What `app.save` would
    do, less building the events again from their bytes: no snapshots, no repository cache, no policies are
    configured for this ledger."""
    own = [app.mapper.to_stored_event(event) for event in run.collect_events()]
    rows = stored + [(UUID(str(e.originator_id)), e.originator_version, e.topic, e.state) for e in own]
    try:
        bulk.insert_rows(app.recorder, rows)
    except IntegrityError:
        raise ConcurrentUpdate("another writer changed records this import touches (or is importing the same file); "
                               "run the import again: it resumes after the last saved batch") from None


def _reason(error: LedgerError) -> str:
    fields = "; ".join(f"{name}: {', '.join(map(str, reasons))}" for name, reasons in error.errors.items())
    return f"{error.code}: {error.detail}" + (f" ({fields})" if fields else "")
