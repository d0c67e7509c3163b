"""The import's lean pieces give exactly what the slow ones give: ids, parsed lines, loaded commands."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from api.schemas.import_lean import Doubt
from api.schemas.imports import KINDS, _lean_loader, build_command, build_with_schemas, lean_follow_up
from ledger.imports.builder import RowInvalid
from ledger.imports.formats import _loads, _quick
from ledger.imports.spill import uuid5_of, uuid_from_int

REP, CUSTOMER = "98adbb1f-702b-5975-9d11-fe92bd0bcd70", "0ff4dbfe-a8a3-5de8-889f-76d56650ec94"
AT = "2026-03-02T09:00:00+08:00"


def test_derived_ids_are_the_uuid5_of_the_namespace_and_line() -> None:
    namespace = uuid.uuid4()
    for line in (1, 2, 99, 10**6, 123456789):
        made = uuid5_of(namespace.bytes, str(line))
        assert made == uuid.uuid5(namespace, str(line)) and made.version == 5 and str(made) == str(uuid.uuid5(namespace, str(line)))
        assert hash(made) == hash(uuid.uuid5(namespace, str(line)))
    assert uuid_from_int(uuid.UUID(REP).int) == uuid.UUID(REP)


@pytest.mark.parametrize("raw", [b'{"a":1,"b":2,"a":3}', b'{"a":1e3}', b'{"a":12345678901234567890123}', b'{"a":"\\ud800"}',
                                 b'{"a":NaN}', b' {"a": [1, {"b": 2.5}]} ', b'{"a":"\xe4\xb8\xad","b":[true,null,-0]}'])
def test_the_quick_parse_gives_the_exact_parse_or_leaves_the_line_to_it(raw: bytes) -> None:
    quick = _quick(raw)
    assert quick is None or (quick == _loads(raw.decode()) and list(quick) == list(_loads(raw.decode())))


def test_a_float_anywhere_leaves_the_line_to_the_exact_parse() -> None:
    assert _quick(b'{"type": "deal", "data": {"amount": 10.5}}') is None
    assert _quick(b'{"type": "deal", "data": {"splits": [{"share": 60.0}]}}') is None


def bodies() -> list[tuple[str, dict[str, Any]]]:
    deal = {"rep_id": REP, "customer_id": CUSTOMER, "amount": "100.50", "currency": "CNY", "product": "P",
            "customer_type": "new", "closed_on": "2026-02-01", "occurred_at": AT}
    return [("deal", deal), ("deal", {**deal, "amount": 100}), ("deal", {**deal, "margin": "3.5"}),
            ("score", {"rep_id": REP, "indicator": "calls", "value": "7", "scale": "10", "period": "2026-02",
                       "occurred_at": AT}),
            ("customer", {"name": "苏州某制造", "level": "A", "occurred_at": AT}),
            ("training", {"rep_id": REP, "course": "C", "hours": "4.5", "completed_on": "2026-02-01", "occurred_at": AT}),
            ("assign", {"customer_id": CUSTOMER, "rep_id": REP, "reason": "r", "seed": 7, "occurred_at": AT}),
            ("release", {"customer_id": CUSTOMER, "occurred_at": AT})]


@pytest.mark.parametrize(("kind", "body"), bodies())
def test_a_lean_load_is_the_schemas_load(kind: str, body: dict[str, Any]) -> None:
    plain = {k: v for k, v in body.items() if k not in KINDS[kind].path}
    loader = _lean_loader(kind)
    assert loader is not None
    assert loader.load(plain) == KINDS[kind].schema.load(plain)
    derived = uuid.uuid4()
    assert build_command(kind, body, derived) == build_with_schemas(kind, body, derived)


@pytest.mark.parametrize("change", [{"amount": "1e2"}, {"amount": "NaN"}, {"amount": None}, {"amount": "100.505"},
                                    {"closed_on": "2026-02-30"}, {"currency": "XXX"}, {"colour": "red"},
                                    {"splits": [{"rep_id": REP, "share": "100"}]}, {"occurred_at": "2026-03-02T09:00:00"}])
def test_anything_but_a_plain_valid_body_is_left_to_the_schema(change: dict[str, Any]) -> None:
    kind, body = bodies()[0]
    loader = _lean_loader(kind)
    assert loader is not None
    with pytest.raises(Doubt):
        loader.load({**{k: v for k, v in body.items()}, **change})
    derived = uuid.uuid4()
    try:
        expected: Any = build_with_schemas(kind, {**body, **change}, derived)
    except RowInvalid as refused:
        expected = refused.reasons
    try:
        got: Any = build_command(kind, {**body, **change}, derived)
    except RowInvalid as refused:
        got = refused.reasons
    assert got == expected


def test_a_lean_follow_up_is_the_schemas_command() -> None:
    derived = uuid.uuid4()
    body = {"rep_id": REP, "customer_id": CUSTOMER, "kind": "visit", "stage": "qualified", "notes": "n",
            "duration_minutes": 45, "occurred_at": AT}
    lean = lean_follow_up(body, derived)
    assert lean is not None and lean == build_with_schemas("follow_up", body, derived)[1]
    assert lean_follow_up({**body, "id": str(uuid.uuid4())}, derived) is None  # named ids: the schema's path
    assert lean_follow_up(json.loads(json.dumps({**body, "duration_minutes": "45"})), derived) is None


def decoded(app: Any) -> list[dict[str, Any]]:
    """Every event but the import's own, decoded through the mapper, without its recording time."""
    notes = app.recorder.select_notifications(start=1, limit=100_000)
    return [{k: v for k, v in vars(app.mapper.to_domain_event(n)).items() if k != "timestamp"}
            for n in notes if "import_run" not in n.topic]


@pytest.mark.parametrize("env", [{}, {"TRANSCODER_TOPIC": "ledger.transcoder:OrjsonTranscoder"},
                                 {"TRANSCODER_TOPIC": "ledger.transcoder:OrjsonTranscoder",
                                  "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"}])
def test_every_transcoder_and_compressor_records_the_same_events_both_ways(env: dict[str, str]) -> None:
    """The library's own JSON transcoder (no direct encoding), and a compressor (no early encoding at all)."""
    from ledger.application import LedgerApplication
    from ledger.imports.formats import Source
    from ledger.imports.runner import import_source
    from ledger.keystore import MemoryKeyStore

    team, rep, customers = str(uuid.uuid4()), str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(3)]
    rows = [("team", {"id": team, "name": "T"}), ("rep", {"id": rep, "name": "R", "team_id": team, "hired_on": "2025-01-01"}),
            *[("customer", {"id": c, "name": f"C{i}"}) for i, c in enumerate(customers)],
            ("contact", {"customer_id": customers[0], "name": "联系人", "phone": "+86 138 0000 0000"}),
            *[("follow_up", {"rep_id": rep, "customer_id": c, "kind": "call", "stage": "lead"}) for c in customers],
            ("deal", {"rep_id": rep, "customer_id": customers[1], "amount": "10.00", "currency": "CNY", "product": "P",
                      "customer_type": "new", "closed_on": "2026-02-01"})]
    content = "".join(json.dumps({"type": kind, "data": {**data, "occurred_at": AT}}) + "\n" for kind, data in rows).encode()
    found = []
    for lean in (True, False):
        app = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo", **env}, keystore=MemoryKeyStore())
        try:
            report = import_source(app, Source.from_bytes(content, "h.jsonl", "jsonl"), actor="t", lean=lean,
                                   build=build_command if lean else build_with_schemas, batch=4)
            assert report.bad == {} and report.events == len(rows)
            found.append(decoded(app))
        finally:
            app.close()
    assert found[0] == found[1] and len(found[0]) == len(rows)
