"""The orjson transcoder writes and reads exactly the library's JSON format."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from ledger.application import LedgerApplication
from ledger.transcoder import OrjsonTranscoder

SAMPLE = {
    "id": UUID("12345678-1234-5678-1234-567812345678"), "amount": Decimal("1200.50"), "on": date(2026, 3, 1),
    "at": datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc), "name": "王芳", "n": 3, "ok": True, "none": None,
    "lines": [{"rep_id": UUID(int=7), "share": Decimal("60"), "positions": [1, 2]}, "x"],
    "nested": {"_type_": "plain", "other": {"deep": [Decimal("0.05")]}},
}


@pytest.fixture()
def transcoders() -> tuple[JSONTranscoder, OrjsonTranscoder]:
    app = LedgerApplication()
    library, fast = JSONTranscoder(), OrjsonTranscoder()
    app.register_transcodings(library)
    app.register_transcodings(fast)
    app.close()
    return library, fast


def test_each_reads_what_the_other_wrote(transcoders: tuple[JSONTranscoder, OrjsonTranscoder]) -> None:
    library, fast = transcoders
    assert fast.decode(library.encode(SAMPLE)) == SAMPLE
    assert library.decode(fast.encode(SAMPLE)) == SAMPLE
    assert type(fast.decode(fast.encode(SAMPLE))["amount"]) is Decimal


def test_same_bytes_as_the_library(transcoders: tuple[JSONTranscoder, OrjsonTranscoder]) -> None:
    library, fast = transcoders
    assert fast.encode(SAMPLE) == library.encode(SAMPLE)


def test_unregistered_types_are_refused(transcoders: tuple[JSONTranscoder, OrjsonTranscoder]) -> None:
    _, fast = transcoders
    with pytest.raises(TranscodingNotRegisteredError):
        fast.encode({"x": object()})
    with pytest.raises(TranscodingNotRegisteredError):
        fast.decode(b'{"x":{"_type_":"nope","_data_":1}}')


def test_decoded_ids_behave_exactly_like_parsed_ones(transcoders: tuple[JSONTranscoder, OrjsonTranscoder]) -> None:
    _, fast = transcoders
    ids = [UUID(int=0), UUID(int=2**128 - 1), UUID("0f5e0c0a-0000-4000-8000-00000000abcd")]
    decoded = fast.decode(fast.encode({"ids": ids}))["ids"]
    for original, built in zip(ids, decoded, strict=True):
        assert type(built) is UUID and built == original and hash(built) == hash(original)
        assert str(built) == str(original) and built.version == original.version and built.hex == original.hex
        assert {built: 1}[original] == 1 and built.is_safe == original.is_safe
