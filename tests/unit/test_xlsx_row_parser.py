"""The row reader the roster and the commitments imports share (io.xlsx.RowParser)."""

from __future__ import annotations

from datetime import date

from lsb_desktop.domain.text import parse_date
from lsb_desktop.io.xlsx import CellError, RowParser


class _Rows(RowParser[tuple[str, str]]):
    TOTAL_KEYS = ("name", "order")

    def problem(self, key: str, message: str) -> None:
        self.problems.append((key, message))


COLUMNS = {"order": 1, "name": 2, "day": 3, "note": 5}


def test_cells_are_read_by_field_and_a_missing_or_short_column_is_empty() -> None:
    row = _Rows("名册", 4, COLUMNS, (1, "甲村", "2024-3-5"))
    assert (row.value("order"), row.value("name"), row.value("note"), row.value("other")) == (1, "甲村", None, None)
    assert row.parsed("day", lambda raw: parse_date(raw)) == date(2024, 3, 5)
    assert row.parsed("note", str) is None and row.parsed("other", str) is None
    assert row.total_word() is None and row.problems == []


def test_a_total_row_is_known_by_any_of_its_total_fields() -> None:
    assert _Rows("名册", 9, COLUMNS, ("合 计", "", "")).total_word() == "合计"
    assert _Rows("名册", 9, COLUMNS, ("", "总计", "")).total_word() == "总计"


def test_a_formula_error_and_a_refused_value_are_problems_of_their_field() -> None:
    row = _Rows("名册", 4, COLUMNS, (1, CellError("#REF!"), "2024-13-40"))
    assert row.formula_error("name", row.value("name"))
    assert row.parsed("day", lambda raw: parse_date(raw, "任职时间")) is None
    assert [key for key, _ in row.problems] == ["name", "day"]
    assert "#REF!" in row.problems[0][1] and "任职时间" in row.problems[1][1]
