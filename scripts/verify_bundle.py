#!/usr/bin/env python3
"""Verify an evidence bundle offline: manifest hashes, every inclusion proof, the checkpoint signature.

Standalone on purpose (the standard library plus `cryptography`; no server, no database, nothing of this
project), so a lawyer's expert can read and run it: `python verify_bundle.py BUNDLE.zip --public-key KEY.pem`.
One verdict line per check ("OK ..." or "FAIL ..."), then a summary; exit status 0 only if all pass.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import io
import json
import sys
import zipfile
from typing import Any, Callable

FORMAT = "spl-evidence-bundle-1"
MANIFEST = "manifest.json"
EVENT_TAG = b"SPL-EVENT-1\n"
CHECKPOINT_TAG = b"SPL-CHECKPOINT-1\n"
GENESIS = bytes(32)
RECORD_KEYS = {"position", "ordinal", "stream_id", "version", "topic", "type", "recorded_at", "occurred_at", "actor",
               "idempotency_key", "payload", "state_b64", "prev", "hash", "proof"}
STATE_ENVELOPE = {"timestamp", "occurred_at", "actor", "idempotency_key", "class_version", "originator_topic"}


# -- the ledger's hashing, re-implemented from its published definition (ledger/chain.py) -----------

def frame(position: int, stream_id: str, version: int, topic: str, state: bytes) -> bytes:
    """The canonical bytes of one stored event: a tag, then each field with an 8-byte big-endian length."""
    parts = [str(position).encode(), stream_id.encode(), str(version).encode(), topic.encode(), state]
    return EVENT_TAG + b"".join(len(p).to_bytes(8, "big") + p for p in parts)


def link(prev: bytes, framed: bytes) -> bytes:
    """h(n) = SHA-256(h(n-1) || frame(n)); the chain starts from 32 zero bytes."""
    return hashlib.sha256(prev + framed).digest()


def leaf_hash(h: bytes) -> bytes:  # RFC 6962: leaves and interior nodes are hashed apart
    return hashlib.sha256(b"\x00" + h).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(h: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: does the audit path lead from leaf `index` (chain hash `h`) to `root`?"""
    if index < 0 or index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash(h)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:  # a right edge: climb to where this subtree is a left child
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def checkpoint_message(position: int, size: int, chain_head: bytes, root: bytes) -> bytes:
    """What the ledger's Ed25519 key signs for a checkpoint."""
    return CHECKPOINT_TAG + f"{position}\n{size}\n{chain_head.hex()}\n{root.hex()}\n".encode()


def key_id(raw_public_key: bytes) -> str:
    """A signing key's id: the first 16 hex digits of SHA-256 of the raw 32-byte Ed25519 public key."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def canonical_json(value: Any) -> bytes:
    """The one serialisation the bundle's JSON files use, so that any changed byte is detectable."""
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of the manifest's canonical JSON without its own `digest` field."""
    return hashlib.sha256(canonical_json({k: v for k, v in manifest.items() if k != "digest"})).hexdigest()


ENCRYPTED = object()  # an encrypted personal value: its ciphertext says nothing checkable offline


def stored_value(value: Any) -> Any:
    """A stored (transcoded) value in the form the bundle's payload shows it."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            kind, data = value["_type_"], value["_data_"]
            if kind == "personal":
                return ENCRYPTED
            if kind == "uuid_hex":
                return f"{data[:8]}-{data[8:12]}-{data[12:16]}-{data[16:20]}-{data[20:]}"
            return stored_value(data)
        return {k: stored_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stored_value(v) for v in value]
    return value


def same(stored: Any, shown: Any) -> bool:
    if isinstance(stored, dict):
        return isinstance(shown, dict) and set(stored) <= set(shown) and all(same(v, shown[k]) for k, v in stored.items())
    if isinstance(stored, list):
        return isinstance(shown, list) and len(stored) == len(shown) and all(same(a, b) for a, b in zip(stored, shown, strict=True))
    return stored is ENCRYPTED or (type(stored) is type(shown) and stored == shown)


def content_problem(record: dict[str, Any], state: bytes) -> str | None:
    """Why the record's readable fields disagree with the stored event, or None if they agree."""
    try:
        stored = json.loads(state.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError too
        return "stored state is not JSON"
    for shown, key in (("recorded_at", "timestamp"), ("occurred_at", "occurred_at"), ("actor", "actor"),
                       ("idempotency_key", "idempotency_key")):
        if not same(stored_value(stored.get(key)), record[shown]):
            return f"{shown} differs from the stored event"
    if record["type"] != record["topic"].rpartition(":")[2]:
        return "type differs from the stored topic"
    payload = record["payload"] if isinstance(record["payload"], dict) else {}
    for key, value in stored.items():  # fields an upcaster added later are shown but not stored: not compared
        if key not in STATE_ENVELOPE and (key not in payload or not same(stored_value(value), payload[key])):
            return f"payload field {key!r} differs from the stored event"
    return None


class Report:
    def __init__(self, out: Callable[[str], None], quiet: bool) -> None:
        self.out, self.quiet, self.passed, self.failed = out, quiet, 0, 0

    def check(self, ok: bool, what: str, why: str = "") -> bool:
        self.passed, self.failed = self.passed + ok, self.failed + (not ok)
        if not (ok and self.quiet):
            self.out(f"OK {what}" if ok else f"FAIL {what}: {why}")
        return ok


_hex = binascii.unhexlify  # bad digits raise binascii.Error (a ValueError), anything but text a TypeError


def check_manifest(report: Report, members: dict[str, bytes]) -> dict[str, Any] | None:
    raw = members.get(MANIFEST, b"")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except ValueError as error:  # also a missing manifest, and UnicodeDecodeError
        report.check(False, f"{MANIFEST} readable", f"not valid JSON ({error})")
        return None
    if not report.check(isinstance(manifest, dict) and manifest.get("format") == FORMAT, f"{MANIFEST} format",
                        f"not a {FORMAT} manifest"):
        return None
    report.check(canonical_json(manifest) == raw, f"{MANIFEST} canonical form", "its bytes were altered")
    report.check(manifest_digest(manifest) == manifest.get("digest"), f"{MANIFEST} digest",
                 "the manifest's content does not match its digest (altered)")
    files = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    for name, expected in sorted(files.items()):
        data = members.get(name)
        report.check(data is not None and hashlib.sha256(data).hexdigest() == expected, f"manifest hash {name}",
                     "missing" if data is None else "SHA-256 differs from the manifest (the file was altered)")
    for name in sorted(set(members) - set(files) - {MANIFEST}):
        report.check(False, f"manifest lists {name}", "a file the manifest does not list")
    return manifest


def _raw_ed25519(pem: bytes) -> bytes:
    """The raw 32 bytes of a PEM Ed25519 public key, or b"" when it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        return b""
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    return key.public_bytes(*raw) if isinstance(key, Ed25519PublicKey) else b""


def check_checkpoint(report: Report, manifest: dict[str, Any], public_key_pem: bytes) -> dict[str, Any] | None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    checkpoint, raw = manifest.get("checkpoint"), _raw_ed25519(public_key_pem)
    if not report.check(bool(raw), "public key readable", "not a PEM Ed25519 public key"):
        return None
    if not isinstance(checkpoint, dict):
        report.check(False, "checkpoint present", "the manifest names no checkpoint")
        return None
    named = _raw_ed25519(str(checkpoint.get("public_key", "")).encode())
    report.check(named == raw and key_id(raw) == checkpoint.get("key_id"), f"checkpoint key {key_id(raw)}",
                 f"the checkpoint names key {checkpoint.get('key_id')}, not the public key given")
    try:
        message = checkpoint_message(int(checkpoint["position"]), int(checkpoint["size"]),
                                     _hex(checkpoint["chain_head"]), _hex(checkpoint["merkle_root"]))
        Ed25519PublicKey.from_public_bytes(raw).verify(_hex(checkpoint["signature"]), message)
        valid = True
    except (InvalidSignature, KeyError, ValueError, TypeError):
        valid = False
    report.check(valid, f"checkpoint signature (position {checkpoint.get('position')}, size {checkpoint.get('size')})",
                 "the Ed25519 signature does not match the checkpoint")
    covers = isinstance(manifest.get("position"), int) and isinstance(checkpoint.get("position"), int) \
        and checkpoint["position"] >= manifest["position"]
    report.check(covers, f"checkpoint covers position {manifest.get('position')}",
                 "the checkpoint is older than the bundle's position")
    return checkpoint


def check_events(report: Report, data: bytes | None, manifest: dict[str, Any],
                 checkpoint: dict[str, Any] | None) -> set[int]:
    """Every event: its hash recomputed from the stored bytes, its inclusion proof, its readable payload."""
    seen: set[int] = set()
    try:
        size, root = int(checkpoint["size"]), _hex(checkpoint["merkle_root"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        size, root = 0, b""
    bound: int = manifest["position"] if isinstance(manifest.get("position"), int) else 0
    last = 0
    for number, line in enumerate((data or b"").decode("utf-8", "replace").splitlines(), 1):
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or set(record) != RECORD_KEYS:
                raise ValueError("unexpected or missing fields")
            position, ordinal = int(record["position"]), int(record["ordinal"])
        except (ValueError, TypeError) as error:
            report.check(False, f"events.jsonl line {number}", f"unreadable ({error})")
            continue
        where = f"position {position}"
        report.check(last < position <= bound, f"order {where}",
                     "out of ledger order or beyond the bundle's position")
        last = max(last, position)
        try:
            state = base64.b64decode(record["state_b64"], validate=True)
            h = link(_hex(record["prev"]), frame(position, record["stream_id"], int(record["version"]),
                                                  record["topic"], state))
            proof = [_hex(p) for p in record["proof"]]
        except (ValueError, TypeError, AttributeError) as error:  # binascii.Error is a ValueError
            report.check(False, f"proof {where}", f"malformed ({error})")
            continue
        if not report.check(h.hex() == record["hash"], f"hash {where}", "the event's bytes do not hash to its hash"):
            continue
        if report.check(verify_inclusion(h, ordinal, size, proof, root), f"proof {where}",
                        "the inclusion proof does not lead to the checkpoint's Merkle root"):
            seen.add(position)
        problem = content_problem(record, state)
        report.check(problem is None, f"payload {where}", problem or "")
    return seen


def check_citations(report: Report, data: bytes | None, proven: set[int]) -> None:
    """Every position the readiness checklist cites is an event of the bundle with a valid proof."""
    try:
        readiness = json.loads((data or b"{}").decode("utf-8"))
        cited = {p for item in readiness.get("items", []) for p in item["positions"] + item["supporting"]}
        cited |= set(readiness.get("ranking_only", {}).get("positions", []))
    except (ValueError, TypeError, KeyError, AttributeError):
        report.check(False, "readiness.json readable", "not the expected JSON")
        return
    missing = sorted(p for p in cited if p not in proven)
    report.check(not missing, f"readiness citations ({len(cited)} positions)",
                 f"positions {missing} are not proven events of this bundle")


def verify(bundle: bytes, public_key_pem: bytes, out: Callable[[str], None] = print, quiet: bool = False) -> bool:
    report = Report(out, quiet)
    try:
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, EOFError) as error:  # a corrupt member raises BadZipFile (CRC)
        report.check(False, "bundle readable", f"not an intact ZIP ({error})")
        members = {}
    manifest = check_manifest(report, members)
    if manifest is not None:
        checkpoint = check_checkpoint(report, manifest, public_key_pem)
        proven = check_events(report, members.get("events.jsonl"), manifest, checkpoint)
        check_citations(report, members.get("readiness.json"), proven)
    ok = report.failed == 0 and report.passed > 0
    out(f"VERDICT: {'PASS' if ok else 'FAIL'} ({report.passed} checks passed, {report.failed} failed)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Sales Performance Ledger evidence bundle offline.")
    parser.add_argument("bundle", help="the evidence bundle (.zip)")
    parser.add_argument("--public-key", required=True, help="the ledger's Ed25519 public key (PEM file)")
    parser.add_argument("--quiet", action="store_true", help="print failures and the verdict only")
    args = parser.parse_args(argv)
    with open(args.bundle, "rb") as bundle, open(args.public_key, "rb") as key:
        return 0 if verify(bundle.read(), key.read(), quiet=args.quiet) else 1


if __name__ == "__main__":
    sys.exit(main())
