"""Auditors' pages: the events feed up to the moment shown, and the integrity verification."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request

from api.console.access import permit
from api.console.blueprint import bp
from api.ext import ledger
from api.resources.reads import queries
from projections.feed import parse_bound, read_feed

PAGE = 50


@bp.get("/events")
def events() -> Any:
    """Events after a position, oldest first, never past ?as_of= (the ledger as it stood then)."""
    permit("events.feed")
    after = max(request.args.get("after", type=int) or 0, 0)
    until = parse_bound(g.as_of, "as_of") if g.as_of else None
    feed = read_feed(ledger(), after, PAGE, until=until)
    return render_template("console/events.html", feed=feed, after=after)


@bp.get("/integrity")
def integrity() -> Any:
    """Recompute the hash chain, Merkle roots and signatures now; list the signed checkpoints."""
    permit("integrity.verify")
    q = queries()
    return render_template("console/integrity.html", report=q.integrity.verify(), checkpoints=q.integrity.checkpoints(20))
