"""`ledger import FILE`: bulk-import history (JSON Lines or CSV) with a progress bar and a full report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ledger.settings import Settings


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and list the invalid ones (default: any invalid row imports nothing).")
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(min=1, max=50_000),
              help="Rows saved per transaction; an interrupted import resumes after the last saved batch.")
@click.option("--format", "file_format", type=click.Choice(["jsonl", "csv", "json"]), default=None,
              help="The file's format (default: from its extension: .jsonl/.ndjson, .csv, .json).")
def import_command(file: Path, skip_invalid: bool, batch: int, file_format: str | None) -> None:
    """Import history from FILE: one command per row, each the body of the matching API POST.

    Every row is validated first, through the same schemas and business rules as the API; a file with
    any invalid row imports nothing (exit status 1, every bad line listed with its reason) unless
    --skip-invalid is given. Importing the same file again records nothing. See docs/import.md.
    """
    run_import(file, skip_invalid=skip_invalid, batch=batch, file_format=file_format)


def run_import(path: Path, *, skip_invalid: bool, batch: int, file_format: str | None = None) -> Settings:
    """Import one file into the configured store, printing progress and the report; returns the settings used."""
    from api.schemas.imports import build_command
    from ledger.application import build_application
    from ledger.imports.formats import Source
    from ledger.imports.runner import ImportRejected, import_source
    from scripts.cli import _settings, _store_errors, _where

    settings = _settings()
    with _store_errors(settings):
        source = Source.from_path(path, file_format)
        app = build_application(settings)
        bars = _Bars(source.rows)
        try:
            report = import_source(app, source, build=build_command, actor="cli", skip_invalid=skip_invalid, batch=batch,
                                   progress=bars.update)
        except ImportRejected as rejected:
            bars.close()
            for line, reasons in sorted(rejected.report.bad.items()):
                click.echo(f"line {line}: {'; '.join(reasons)}", err=True)
            raise click.ClickException(f"{path}: {rejected.detail}") from None
        finally:
            bars.close()
            app.close()
    _print(path, report, _where(settings))
    return settings


class _Bars:
    """One tqdm bar per pass (validating, then importing), in rows per second."""

    def __init__(self, total: int) -> None:
        self.total, self.stage, self.bar = total, "", None

    def update(self, stage: str, n: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=self.total, unit="row", unit_scale=True, desc=f"{stage:<8}", mininterval=0.5)
        assert self.bar is not None
        self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _print(path: Path, report: Any, where: str) -> None:
    if report.status == "already imported":
        click.echo(f"{path}: already imported (import {report.id}); nothing recorded")
    else:
        resumed = f", resumed after line {report.resumed_after}" if report.resumed_after else ""
        click.echo(f"{path} ({report.format}, sha256 {report.sha256[:12]}…) into {where}: {report.rows:,} rows, "
                   f"{report.imported_rows:,} imported{resumed}, {len(report.bad):,} skipped")
        click.echo(f"  {report.events:,} events written in {report.seconds:.1f} s ({report.events_per_s:,.0f} events/s); "
                   f"import {report.id}")
    for line, reasons in sorted(report.bad.items()):
        click.echo(f"  skipped line {line}: {'; '.join(reasons)}")
