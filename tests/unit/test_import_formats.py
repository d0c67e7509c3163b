"""Import files read row by row: JSON Lines, CSV and JSON arrays, with the line each row starts on."""

import hashlib
from decimal import Decimal

import pytest

from ledger.errors import Invalid
from ledger.imports.formats import Row, Source, format_of


def rows(content: str, file_format: str) -> list[Row]:
    return list(Source.from_bytes(content.encode(), "f", file_format).read())


def test_json_lines_keep_editor_line_numbers_across_blank_lines() -> None:
    found = rows('{"type": "team", "data": {"name": "A"}}\n\n{"type": "team", "data": {"name": "B"}}\n', "jsonl")
    assert [(r.line, r.kind, r.data) for r in found] == [(1, "team", {"name": "A"}), (3, "team", {"name": "B"})]


def test_json_numbers_stay_exact_decimals() -> None:
    (row,) = rows('{"type": "deal", "data": {"amount": 0.1, "count": 3}}', "jsonl")
    assert row.data == {"amount": Decimal("0.1"), "count": 3} and isinstance(row.data["amount"], Decimal)


def test_unreadable_json_lines_are_rows_with_an_error_not_a_failure() -> None:
    found = rows('{"type": "team", "data": {}}\n{not json\n["a list"]\n{"type": "team", "data": [], "x": 1}\n'
                 '{"data": {}}\n', "jsonl")
    assert [r.line for r in found] == [1, 2, 3, 4, 5]
    assert found[0].error == "" and found[1].error.startswith("not valid JSON")
    assert "object" in found[2].error and "unknown keys ['x']" in found[3].error and '"type"' in found[4].error


def test_csv_rows_carry_their_starting_line_json_cells_and_leave_empty_cells_out() -> None:
    content = ('type,name,rep_id,splits,notes\n'
               'team,East,,,\n'
               'deal,,r1,"[{""rep_id"": ""r1"", ""share"": 60.5}]","two\nlines"\n'
               'team,West,,,\n')
    found = rows(content, "csv")
    assert [(r.line, r.kind) for r in found] == [(2, "team"), (3, "deal"), (5, "team")]
    assert found[0].data == {"name": "East"}
    assert found[1].data == {"rep_id": "r1", "splits": [{"rep_id": "r1", "share": Decimal("60.5")}], "notes": "two\nlines"}


def test_csv_rows_with_too_many_cells_or_bad_json_or_no_type_are_reported() -> None:
    found = rows('type,name,splits\nteam,A,,extra\nteam,B,[oops\n,C,\n', "csv")
    assert [r.line for r in found] == [2, 3, 4]
    assert found[0].error == "4 cells for 3 columns" and found[1].error.startswith("column splits: not valid JSON")
    assert found[2].error == '"type" is empty'


def test_a_csv_without_a_type_column_is_refused_as_a_whole() -> None:
    with pytest.raises(Invalid) as info:
        rows("name\nA\n", "csv")
    assert info.value.errors == {"file": ["header row needs a `type` column and unique names"]}


def test_a_json_array_numbers_rows_from_one() -> None:
    found = rows('[{"type": "team", "data": {"name": "A"}}, 7]', "json")
    assert [(r.line, r.kind) for r in found] == [(1, "team"), (2, "")] and found[1].error


def test_source_counts_rows_and_hashes_the_exact_bytes() -> None:
    content = b'{"type": "team", "data": {}}\n\n{"type": "team", "data": {}}\n'
    source = Source.from_bytes(content, "upload", "jsonl")
    assert source.rows == 2 and source.sha256 == hashlib.sha256(content).hexdigest()


def test_the_format_comes_from_the_extension() -> None:
    assert [format_of(n) for n in ("a.jsonl", "b.NDJSON", "c.csv", "d.json")] == ["jsonl", "jsonl", "csv", "json"]
    with pytest.raises(Invalid):
        format_of("history.xlsx")


def test_a_csv_or_json_file_that_is_not_utf8_is_refused_naming_the_line() -> None:
    with pytest.raises(Invalid) as info:
        Source.from_bytes(b"type,name\nteam,ok\nteam,\xff\xfe\n", "x.csv", "csv")
    assert info.value.errors == {"line 3": ["not UTF-8"]}
    (row,) = rows_of(b'{"type": "team", "data": {"name": "\xff"}}\n')
    assert row.error == "not UTF-8"  # in JSON Lines, only that row is bad


def rows_of(content: bytes) -> list[Row]:
    return list(Source.from_bytes(content, "f", "jsonl").read())
