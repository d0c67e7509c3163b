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


class Projection(ABC):
    """A read model: its name, the event types it reads, and a pure fold."""

    name: str = ""
    topics: tuple[str, ...] = ()  # module:qualname of the events it folds; empty means all

    @abstractmethod
    def fold(self, view: View, position: int, event: Any) -> None:
        """Apply one event to the states it concerns; the same events in the same order give the same states."""


@dataclass
class MemoryView:
    """States in a dict, with every change kept: for unit tests and for the runner's batches."""

    states: dict[Address, State] = field(default_factory=dict)
    changes: list[tuple[Address, int, State]] = field(default_factory=list)
    position: int = 0

    def get(self, kind: str, part: str, key: str) -> State | None:
        state = self.states.get((kind, part, key))
        return None if state is None else orjson.loads(orjson.dumps(state, option=orjson.OPT_NON_STR_KEYS))  # folds never share state

    def put(self, kind: str, part: str, key: str, state: State) -> None:
        address = (kind, part, key)
        self.states[address] = state
        self.changes.append((address, self.position, state))


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
