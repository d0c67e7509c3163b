"""Projection machinery: pure folds over events into versioned rows, tracked exactly once.

A projection folds events, in ledger order, into small JSON states addressed by (kind, part, key).
Every change of a state is stored as a new row valid from the position of the event that caused it
until the next change (`valid_from <= p < valid_to`), so a query "as of position p" reads the rows
valid at p: one indexed range read, never a replay.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Protocol
from uuid import UUID

import orjson

State = dict[str, Any]
Address = tuple[str, str, str]  # kind, part, key


class View(Protocol):
    """What a fold sees: the current states, readable and replaceable."""

    def get(self, kind: str, part: str, key: str) -> State | None: ...
    def put(self, kind: str, part: str, key: str, state: State) -> None: ...
    def text(self, kind: str, part: str, key: str) -> str | None: ...


class Projection(ABC):
    """A read model: its name, the event types it reads, and a pure fold."""

    name: str = ""
    topics: tuple[str, ...] = ()  # module:qualname of the events it folds; empty means all

    @abstractmethod
    def fold(self, view: View, position: int, event: Any) -> None:
        """Apply one event to the states it concerns; the same events in the same order give the same states."""


Blob = str  # a state as stored: its JSON text


def dump(state: State) -> str:
    # as text at once: orjson's bytes keep their whole output buffer (4 KB each, measured), a str its length
    return orjson.dumps(state, option=orjson.OPT_NON_STR_KEYS).decode()


@dataclass
class MemoryView:
    """States in a dict, with every change kept: for unit tests and for the runner's batches.

    Each state is kept as the JSON it will be stored as, serialised once when it is put: a fold gets a fresh
    copy to change (folds never share state), and the writer stores the text without encoding it again."""

    blobs: dict[Address, Blob] = field(default_factory=dict)
    changes: list[tuple[Address, int, Blob]] = field(default_factory=list)
    position: int = 0

    @property
    def states(self) -> dict[Address, State]:
        """Every current state, decoded (for tests and small folds)."""
        return {address: orjson.loads(blob) for address, blob in self.blobs.items()}

    def get(self, kind: str, part: str, key: str) -> State | None:
        blob = self.blobs.get((kind, part, key))
        return None if blob is None else orjson.loads(blob)

    def text(self, kind: str, part: str, key: str) -> Blob | None:
        """The state as stored (JSON text), for folds that keep what they parse from it."""
        return self.blobs.get((kind, part, key))

    def put(self, kind: str, part: str, key: str, state: State) -> None:
        address, blob = (kind, part, key), dump(state)
        self.blobs[address] = blob
        self.changes.append((address, self.position, blob))


def topic_of(event_class: type) -> str:
    return f"{event_class.__module__}:{event_class.__qualname__}"


def fold_all(projection: Projection, events: Iterable[tuple[int, Any]], view: MemoryView | None = None) -> MemoryView:
    """Fold (position, event) pairs into a MemoryView: the reference a stored projection must equal."""
    view = view or MemoryView()
    wanted = set(projection.topics)
    for position, event in events:
        if not wanted or topic_of(type(event)) in wanted:
            view.position = position
            projection.fold(view, position, event)
    return view


def text(value: Any) -> Any:
    """JSON-safe value: Decimal and UUID as strings, dates ISO."""
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
