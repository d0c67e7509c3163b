"""A fresh store holding a generated history (`ledger generate` imported with `ledger import`), for module fixtures."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from api.schemas.imports import build_command
from ledger.application import LedgerApplication, build_application
from ledger.imports.runner import import_file
from ledger.settings import Settings
from projections.registry import Queries
from scripts.generate import generate
from tests.conftest import fresh_store


@contextmanager
def generated_store(settings: Settings, tmp: Path, *, events: int, seed: int) -> Iterator[tuple[LedgerApplication, Queries]]:
    with fresh_store(settings, tmp) as fresh:
        generate(tmp / "history.jsonl", events=events, seed=seed)
        app = build_application(fresh)
        queries = Queries(app, fresh)
        try:
            import_file(app, tmp / "history.jsonl", build=build_command, actor="test")
            yield app, queries
        finally:
            queries.close()
            app.close()
