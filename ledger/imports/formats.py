"""Import files read row by row with their line numbers: JSON Lines, CSV, or a JSON array of rows."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import orjson

from ledger.errors import Invalid

EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".json": "json"}


@dataclass(frozen=True)
class Row:
    """One command of the file: `line` is where it starts (JSON arrays: its 1-based index); `error` is set
    when the row could not even be read, and then `kind` and `data` are empty."""

    line: int
    kind: str = ""
    data: dict[str, Any] | None = None
    error: str = ""


def _loads(text: str) -> Any:
    """JSON with every number exact: amounts never pass through float."""
    return json.loads(text, parse_float=Decimal)


def _has_float(value: Any) -> bool:
    kind = type(value)
    if kind is float:
        return True
    if kind is dict:
        items: Iterable[Any] = value.values()
    elif kind is list:
        items = value
    else:
        return False
    for item in items:
        if type(item) not in (str, int, bool, type(None)) and _has_float(item):
            return True
    return False


def _quick(raw: bytes) -> Any:
    """orjson's parse of a line (~5x faster), or None where `_loads` must decide: a number with a fraction or an
    exponent (orjson makes it a float; `_loads` a Decimal), and anything orjson refuses (its messages differ,
    and `json` accepts a few things it does not: NaN, huge integers, lone surrogates)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return None if _has_float(value) else value


def _row(line: int, value: Any) -> Row:
    if not isinstance(value, dict):
        return Row(line, error='a row is an object {"type": ..., "data": {...}}')
    extra = sorted(set(value) - {"type", "data"})
    if extra:
        return Row(line, error=f"unknown keys {extra}; a row has only \"type\" and \"data\"")
    kind, data = value.get("type"), value.get("data", {})
    if not isinstance(kind, str) or not kind:
        return Row(line, error='"type" is missing or not a string')
    if not isinstance(data, dict):
        return Row(line, error='"data" must be an object')
    return Row(line, kind, data)


def _jsonl(stream: IO[bytes]) -> Iterator[Row]:
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue  # blank lines are allowed (and still counted, so line numbers match an editor's)
        value = _quick(raw)
        if type(value) is dict:
            yield _row(number, value)
            continue
        try:
            value = _loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield Row(number, error="not UTF-8")
            continue
        except ValueError as error:
            yield Row(number, error=f"not valid JSON: {error}")
            continue
        yield _row(number, value)


def _cell(value: str) -> Any:
    """Cells are text; a cell holding a list or an object is JSON text (e.g. `[{"rep_id": ..., "share": 60}]`)."""
    stripped = value.strip()
    return _loads(stripped) if stripped[:1] in ("[", "{") else value


def _csv(stream: IO[bytes]) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (csv.Error, UnicodeDecodeError) as error:
        raise Invalid(f"the CSV header cannot be read: {error}", errors={"file": ["unreadable CSV header"]}) from None
    if "type" not in header or len(set(header)) != len(header):
        raise Invalid("a CSV import needs a header row with a `type` column and unique column names",
                      errors={"file": ["header row needs a `type` column and unique names"]})
    names = [name.strip() for name in header]
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as error:
            yield Row(start, error=f"not valid CSV: {error}")
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names):
            yield Row(line, error=f"{len(cells)} cells for {len(names)} columns")
            continue
        data: dict[str, Any] = {}
        try:
            for name, cell in zip(names, cells, strict=True):
                if name != "type" and cell != "":  # an empty cell leaves the field out (its default applies)
                    data[name] = _cell(cell)
        except ValueError as error:
            yield Row(line, error=f"column {name}: not valid JSON: {error}")
            continue
        kind = cells[names.index("type")].strip()
        yield Row(line, kind, data) if kind else Row(line, error='"type" is empty')


def _json(stream: IO[bytes]) -> Iterator[Row]:
    try:
        value = _loads(stream.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise Invalid(f"the body is not valid JSON: {error}", errors={"file": ["not valid JSON"]}) from None
    if not isinstance(value, list):
        raise Invalid("a JSON import is an array of rows", errors={"file": ['an array of {"type", "data"} rows']})
    for index, item in enumerate(value, start=1):
        yield _row(index, item)


READERS = {"jsonl": _jsonl, "csv": _csv, "json": _json}


@dataclass(frozen=True)
class Source:
    """An import file: its bytes (on disk or in memory), format, SHA-256 and row count, readable again and
    again (validation and writing are two passes over it)."""

    name: str
    format: str
    sha256: str
    rows: int
    path: Path | None = None
    content: bytes | None = None

    @classmethod
    def from_path(cls, path: Path, format: str | None = None) -> Source:
        kind = format or format_of(path.name)
        digest, lines = hashlib.sha256(), 0
        with path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                digest.update(raw)
                lines += bool(raw.strip())
                if kind != "jsonl":  # a JSON Lines row that is not UTF-8 is one bad row; elsewhere the file is bad
                    _check_utf8(raw, number)
        probe = cls(path.name, kind, digest.hexdigest(), lines, path=path)
        if kind == "jsonl":  # one row per non-blank line: counted without parsing
            return probe
        return cls(path.name, kind, probe.sha256, sum(1 for _ in probe.read()), path=path)

    @classmethod
    def from_bytes(cls, content: bytes, name: str, format: str) -> Source:
        if format not in READERS:
            raise Invalid(f"unknown import format {format!r}", errors={"format": [f"one of {', '.join(READERS)}"]})
        if format != "jsonl":
            for number, raw in enumerate(content.splitlines(), start=1):
                _check_utf8(raw, number)
        probe = cls(name, format, hashlib.sha256(content).hexdigest(), 0, content=content)
        return cls(name, format, probe.sha256, sum(1 for _ in probe.read()), content=content)

    def read(self) -> Iterator[Row]:
        """The rows in file order; a row that cannot be read comes with its `error`."""
        stream: IO[bytes] = self.path.open("rb") if self.path is not None else io.BytesIO(self.content or b"")
        with stream:
            yield from READERS[self.format](stream)


def format_of(name: str) -> str:
    """The format a file name implies: .jsonl/.ndjson, .csv or .json."""
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise Invalid(f"cannot tell the format of {name!r} from its extension",
                      errors={"file": ["use .jsonl (or .ndjson), .csv or .json"]})
    return EXTENSIONS[suffix]


def _check_utf8(raw: bytes, line: int) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"line {line} is not UTF-8: an import file must be UTF-8",
                      errors={f"line {line}": ["not UTF-8"]}) from None
