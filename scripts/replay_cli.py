"""`ledger replay`: a projection as it stood at a past position or time, rebuilt in a scratch store."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import click


def bound_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """Click callback: a ledger position or an ISO 8601 timestamp with offset (projections.feed.parse_bound)."""
    from ledger.errors import Invalid
    from projections.feed import parse_bound

    if value is None:
        return None
    hint = param.opts[0] if param.opts else str(param.name)
    try:
        return parse_bound(value, hint)
    except Invalid as error:
        raise click.BadParameter(f"{value!r}: {'; '.join(error.errors[hint])}", param_hint=hint) from None


@click.command()
@click.option("--until", required=True, callback=bound_option,
              help="A ledger position, or an ISO 8601 timestamp with offset: replay the events up to it (inclusive).")
@click.option("--projection", "name", required=True, help="The read model to rebuild (see `ledger projections status`).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of a table.")
@click.option("--scratch", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep the scratch SQLite store in this new file (default: a temporary file, removed afterwards).")
def replay(until: Any, name: str, as_json: bool, scratch: Path | None) -> None:
    """Rebuild one projection as it stood then and print its rows (kind, part, key, state).

    The events from position 1 up to the bound are folded by the same runner as `ledger projections
    rebuild`, into a separate SQLite file: the live read models are neither read nor written.
    Progress goes to stderr.
    """
    from tqdm import tqdm

    from ledger.application import build_application
    from projections.registry import all_projections
    from projections.replay import replay as run_replay
    from scripts.cli import _settings, _store_errors
    from scripts.readcli import _table

    settings = _settings()
    projections = {p.name: p for p in all_projections(settings.base_currency)}
    if name not in projections:
        raise click.BadParameter(f"{name!r} is not one of {', '.join(projections)}", param_hint="--projection")
    if scratch is not None and scratch.exists():
        raise click.BadParameter(f"{scratch} exists; name a new file", param_hint="--scratch")
    with _store_errors(settings), tempfile.TemporaryDirectory(prefix="ledger-replay-") as directory:
        app = build_application(replace(settings, create_tables=False))
        try:
            with tqdm(desc=f"replay {name}", unit="event") as bar:
                result = run_replay(app, projections[name], until, scratch or Path(directory) / "replay.sqlite",
                                    progress=bar.update, batch=settings.projection_batch)
        finally:
            app.close()
    if as_json:
        click.echo(json.dumps({
            "projection": result.projection, "position": result.position, "as_of": result.as_of.isoformat(),
            "events": result.events, "rows": [{"kind": k, "part": p, "key": key, "state": s} for k, p, key, s in result.rows],
        }, ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"{result.projection} as of position {result.position} ({result.as_of.isoformat()}): "
               f"{result.events} events, {len(result.rows)} rows")
    if result.rows:
        _table([[k, p, key, json.dumps(s, ensure_ascii=False, sort_keys=True)] for k, p, key, s in result.rows],
               ["kind", "part", "key", "state"])
