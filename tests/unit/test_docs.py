"""Docs stay complete: README's event table lists every event class with its fields, and every setting."""

import importlib
import pkgutil
import re
from dataclasses import fields
from pathlib import Path

from eventsourcing.domain import DomainEvent

import ledger
from ledger.base import LedgerAggregate
from ledger.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "occurred_at", "actor", "idempotency_key"}


def all_event_classes() -> dict[str, type]:
    for module in pkgutil.walk_packages(ledger.__path__, "ledger."):
        importlib.import_module(module.name)
    found: dict[str, type] = {}
    stack = list(LedgerAggregate.__subclasses__())
    while stack:
        aggregate = stack.pop()
        stack += aggregate.__subclasses__()
        for name, value in vars(aggregate).items():
            if isinstance(value, type) and issubclass(value, DomainEvent) and value.__qualname__.startswith(aggregate.__name__ + "."):
                own = [f.name for f in fields(value) if f.name not in ENVELOPE]
                if own or name not in ("Created", "Event"):  # skip the library's implicit base events
                    found[value.__qualname__] = value
    return found


def readme_rows() -> dict[str, str]:
    rows = {}
    for line in README.splitlines():
        match = re.match(r"^\|\s*`([A-Za-z_]+\.[A-Za-z_]+)`\s*\|(.*)\|\s*$", line)
        if match:
            rows[match[1]] = match[2]
    return rows


def test_readme_event_table_lists_every_event_and_field() -> None:
    events, rows = all_event_classes(), readme_rows()
    assert len(events) >= 30
    missing = sorted(set(events) - set(rows))
    assert not missing, f"README event table lacks {missing}"
    for name, cls in events.items():
        own = [f.name for f in fields(cls) if f.name not in ENVELOPE]
        absent = [f for f in own if f"`{f}`" not in rows[name]]
        assert not absent, f"README row for {name} does not name fields {absent}"


def test_readme_documents_every_setting() -> None:
    source = Path(ledger.__file__).with_name("settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env\.get\("(LEDGER_[A-Z_]+)"', source))
    assert len(names) == len(fields(Settings))
    undocumented = sorted(n for n in names if f"`{n}`" not in README)
    assert not undocumented, f"README does not document {undocumented}"
