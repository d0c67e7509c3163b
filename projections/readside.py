"""The read side as one object: its database, a runner per projection, and as-of resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from eventsourcing.application import Application

from ledger.errors import Invalid
from projections.base import Projection, State
from projections.db import Database
from projections.feed import position_at, recorded_at
from projections.runner import BATCH, Runner
from projections.store import create_schema, read_rows


@dataclass(frozen=True)
class Moment:
    """A point in the ledger's history: a position and the time it was recorded."""

    position: int
    at: datetime


class ReadSide:
    """Queries catch their projection up first, so answers reflect every event up to the moment asked."""

    def __init__(self, app: Application[Any], db: Database, projections: list[Projection], *, create: bool = True,
                 batch: int = BATCH) -> None:
        self.app, self.db = app, db
        if create:
            create_schema(db)
        self.runners = {p.name: Runner(app, db, p, batch=batch) for p in projections}

    def runner(self, name: str) -> Runner:
        try:
            return self.runners[name]
        except KeyError:
            raise Invalid(f"no projection named {name!r}", errors={"name": [f"one of {', '.join(self.runners)}"]}) from None

    def moment(self, as_of: str | int | None = None) -> Moment:
        """Resolve `as_of` (a position, an ISO timestamp, or None for now) to a position and a time."""
        head = self.app.recorder.max_notification_id() or 0
        if as_of is None or as_of == "":
            return Moment(head, datetime.now(timezone.utc))
        if isinstance(as_of, int) or str(as_of).isdigit():
            position = min(int(as_of), head)
            return Moment(position, self._recorded_at(position) or datetime.now(timezone.utc))
        try:
            at = datetime.fromisoformat(str(as_of).replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"as_of {as_of!r} is neither a position nor an ISO timestamp",
                          errors={"as_of": ["a ledger position or an ISO 8601 timestamp"]}) from None
        if at.tzinfo is None:
            raise Invalid("as_of timestamps need an offset", errors={"as_of": ["timezone required"]})
        return Moment(position_at(self.app, at, head), at)

    def _recorded_at(self, position: int) -> datetime | None:
        """Recording time of the last event at or before a position (positions may have gaps)."""
        for window in (16, 1000):  # positions have gaps only where a transaction rolled back: look near first
            found = self.app.recorder.select_notifications(start=max(1, position - window + 1), limit=window,
                                                           stop=position)
            if found:
                return recorded_at(self.app.mapper.to_domain_event(found[-1]))
            if position - window < 1:
                break
        return None

    def rows(self, name: str, kind: str, moment: Moment, *, part: str | None = None,
             key: str | None = None) -> list[tuple[str, str, State]]:
        """Rows of one projection as they stood at the moment, after catching the projection up to it."""
        runner = self.runner(name)
        if runner.position() < moment.position:
            runner.catch_up()
        as_of = None if moment.position >= runner.position() else moment.position
        with self.db.transaction(write=False) as cur:
            return list(read_rows(cur, name, kind, part=part, key=key, as_of=as_of))

    def status(self) -> list[dict[str, Any]]:
        head = self.app.recorder.max_notification_id() or 0
        return [{"name": name, "position": r.position(), "head": head, "behind": max(0, head - r.position())}
                for name, r in self.runners.items()]
