"""The bundle as bytes: canonical JSON files, a manifest of their SHA-256 and a ZIP with fixed timestamps."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from ledger.commands.evidence import RecordEvidenceExport

FORMAT = "spl-evidence-bundle-1"
MANIFEST = "manifest.json"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can say: no clock in the bytes, so re-exports compare equal
ORDER = ("events.jsonl", "scorecards.json", "allocation.json", "contract.json", "readiness.json", "summary.pdf")


def canonical_json(value: Any) -> bytes:
    """The one serialisation of the bundle's JSON (scripts/verify_bundle.py checks the manifest against it)."""
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                    for r in records)


def manifest(files: dict[str, bytes], head: dict[str, Any]) -> dict[str, Any]:
    """SHA-256 of every file, what the bundle reflects (`head`), and a digest of all that."""
    body = {"format": FORMAT, **head, "files": {name: hashlib.sha256(files[name]).hexdigest() for name in sorted(files)}}
    return {**body, "digest": hashlib.sha256(canonical_json(body)).hexdigest()}


def archive(files: dict[str, bytes]) -> bytes:
    """A ZIP whose bytes depend on the contents only: fixed order, times, permissions and compression."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in [n for n in ORDER if n in files] + sorted(set(files) - set(ORDER)):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
            out.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


@dataclass(frozen=True)
class Bundle:
    """A built bundle: its files, manifest and ZIP bytes, and what the export record needs."""

    rep_id: str
    start: date
    end: date
    position: int
    checkpoint_id: str
    zip_bytes: bytes
    manifest_bytes: bytes

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def filename(self) -> str:
        return f"evidence-{self.rep_id}-{self.position}.zip"

    def export(self, actor: str) -> RecordEvidenceExport:
        """The command recording this export: who, whose, which range, and the manifest's hash."""
        return RecordEvidenceExport(rep_id=UUID(self.rep_id), from_date=self.start, to_date=self.end, exported_by=actor,
                                    position=self.position, manifest_sha256=self.manifest_sha256,
                                    occurred_at=datetime.now(timezone.utc), checkpoint_id=_uuid(self.checkpoint_id))


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def build(files: dict[str, bytes], head: dict[str, Any], checkpoint_id: str) -> Bundle:
    manifest_bytes = canonical_json(manifest(files, head))
    return Bundle(rep_id=head["rep_id"], start=date.fromisoformat(head["from"]), end=date.fromisoformat(head["to"]),
                  position=int(head["position"]), checkpoint_id=checkpoint_id,
                  zip_bytes=archive({**files, MANIFEST: manifest_bytes}), manifest_bytes=manifest_bytes)
