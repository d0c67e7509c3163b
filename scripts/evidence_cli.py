"""`ledger evidence`: a rep's dismissal-evidence bundle written to a file, the export recorded like any other."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from uuid import uuid4

import click

from scripts.readcli import read_side


@click.command()
@click.argument("rep")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First business day covered (default: all).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last business day covered (default: the as-of day).")
@click.option("--as-of", "as_of", help="A ledger position or ISO timestamp: the bundle as the ledger stood then.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Write the ZIP here.")
def evidence(rep: str, start: datetime | None, end: datetime | None, as_of: str | None, out: Path) -> None:
    """Write a rep's evidence bundle (REP is the rep's id or exact name) and record the export.

    Verify it offline with: python scripts/verify_bundle.py FILE --public-key KEY.pem
    """
    from ledger.base import Ctx
    from scripts.tokens import REP_TOPIC, _find

    with read_side() as (queries, _):
        rep_id = _find(queries.read_side.app, REP_TOPIC, rep, "rep")
        ctx = Ctx(actor="cli", idempotency_key=f"evidence-{uuid4()}")
        bundle = queries.evidence.build(rep_id, start.date() if start else None, end.date() if end else None, ctx,
                                        as_of=as_of)
        queries.read_side.app.record_evidence_export(bundle.export(ctx.actor), ctx)
        out.write_bytes(bundle.zip_bytes)
        click.echo(f"wrote {out}: position {bundle.position}, manifest sha256 {bundle.manifest_sha256}")
