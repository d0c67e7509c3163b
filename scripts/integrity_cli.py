"""`ledger keys`, `ledger checkpoint`, `ledger verify`: the signing key, signed checkpoints and verification."""

from __future__ import annotations

import json
import sys
from typing import Any

import click


@click.group()
def keys() -> None:
    """The Ed25519 key that signs checkpoints (LEDGER_SIGNING_KEY_FILE)."""


@keys.command("generate")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the new private key (PEM, mode 0600); an existing file is never overwritten.")
def generate(out: str) -> None:
    """Create a new signing key; prints its public key (PEM) and key id. Then set LEDGER_SIGNING_KEY_FILE=OUT."""
    from ledger.signing import generate_key_file, key_id_of, public_pem

    try:
        key = generate_key_file(out)
    except FileExistsError:
        raise click.ClickException(f"{out} exists; refusing to overwrite a signing key") from None
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    public = key.public_key()
    click.echo(public_pem(public), nl=False)
    click.echo(f"key id: {key_id_of(public)}")
    click.echo(f"private key written to {out} (0600); set LEDGER_SIGNING_KEY_FILE={out}", err=True)


@keys.command("public")
def public() -> None:
    """Print the configured signing key's public half (PEM) and key id, to hand to auditors."""
    from ledger.errors import LedgerError
    from ledger.signing import key_id_of, public_pem, signing_key
    from scripts.cli import _settings

    try:
        key = signing_key(_settings()).public_key()
    except LedgerError as error:
        raise click.ClickException(error.detail) from None
    click.echo(public_pem(key), nl=False)
    click.echo(f"key id: {key_id_of(key)}")


@click.command()
def checkpoint() -> None:
    """Catch the hash chain up and sign a checkpoint at its head now; prints position, root and signature."""
    from datetime import datetime, timezone

    from ledger.base import Ctx
    from ledger.errors import LedgerError
    from scripts.readcli import read_side

    with read_side() as (queries, _):
        try:
            signed = queries.integrity.sign(Ctx(actor="cli", idempotency_key=f"cli:checkpoint:{datetime.now(timezone.utc).isoformat()}"))
        except LedgerError as error:
            raise click.ClickException(error.detail) from None
        for name in ("position", "size", "chain_head", "merkle_root", "signature", "key_id", "algorithm"):
            click.echo(f"{name + ':':<12} {getattr(signed, name)}")
        click.echo(f"{'id:':<12} {signed.id}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--no-catch-up", is_flag=True, help="Judge the chain as it stands; do not chain new events first.")
def verify(as_json: bool, no_catch_up: bool) -> None:
    """Recompute the hash chain from the stored events, every checkpoint's root and signature.

    Exit status 0 when everything agrees; 1 with the first position where stored data disagrees.
    """
    from tqdm import tqdm

    from scripts.readcli import read_side

    with read_side() as (queries, _):
        status = queries.integrity.status()
        with tqdm(desc="verify", unit="event", total=status["head"], disable=as_json or None,
                  file=sys.stderr) as bar:
            report = queries.integrity.verify(bar.update, catch_up=not no_catch_up)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _summary(report)
    sys.exit(0 if report["ok"] else 1)


def _summary(report: dict[str, Any]) -> None:
    click.echo(f"checked {report['checked']} events up to position {report['head']} in {report['seconds']}s; "
               f"{report['unchained']} not yet chained")
    click.echo(f"chain head {report['chain_head']}  merkle root {report['merkle_root']}")
    for cp in report["checkpoints"]:
        click.echo(f"checkpoint at {cp['position']} (key {cp.get('key_id', '?')}): "
                   + ("ok" if cp["ok"] else f"FAILED: {cp['reason']}"))
    if report["ok"]:
        click.echo("OK: every stored event and checkpoint agrees")
        return
    click.echo(f"FAILED at position {report['first_bad_position']}: {report['problem']}: {report['detail']}")
    for extra in report["problems"][1:10]:
        click.echo(f"  also position {extra['position']}: {extra['problem']}")
    if report["problem_count"] > 10:
        click.echo(f"  ... {report['problem_count']} problems in all")
