"""Reading a scoring scheme (评分方案) from .xlsx for `round create --scheme`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from lsb_desktop.errors import ValidationError
from lsb_desktop.io.scheme import read_scheme


def _book(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_scheme_with_components_written_once_per_block(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "方案.xlsx",
        [
            ["2025年第一季度评分方案"],
            ["项目", "权重", "指标", "满分", "说明"],
            ["实地观摩", "0.6", "基层党建", 30, "看台账"],
            [None, None, "人居环境", "２０", ""],
            ["擂台比武", 0.4, "述职内容", 50, ""],
            [None, None, "现场表现", 50.0, ""],
        ],
    )
    scheme = read_scheme(path)
    assert [(c.name, c.weight) for c in scheme.components] == [
        ("实地观摩", Decimal("0.6")),
        ("擂台比武", Decimal("0.4")),
    ]
    assert [(k.name, k.max_points) for k in scheme.components[0].criteria] == [
        ("基层党建", Decimal(30)),
        ("人居环境", Decimal(20)),
    ]
    assert scheme.components[1].max_total == Decimal(100)


def test_problems_are_listed_by_row(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "坏方案.xlsx",
        [
            ["项目", "权重", "指标", "满分"],
            ["实地观摩", "0.7", "基层党建", "二十五"],
            [None, None, None, 20],
            ["擂台比武", None, "述职内容", 40],
        ],
    )
    with pytest.raises(ValidationError) as caught:
        read_scheme(path)
    details = "\n".join(caught.value.details)
    assert "第2行" in details and "二十五" in details
    assert "工作表“Sheet”第3行 C列（指标）：没有填写指标" in details
    assert "项目“擂台比武”没有填写权重" in details


def test_a_sheet_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = _book(tmp_path / "无表头.xlsx", [["名称", "分数"], ["甲", 1]])
    with pytest.raises(ValidationError, match="找不到表头"):
        read_scheme(path)


@pytest.mark.parametrize(
    ("component", "criterion", "column", "fragment"),
    [
        # openpyxl stores these as error cells; typed as text they are refused by name (test_text).
        ("实地观摩", "#REF!", "C", "“#REF!”"),
        ("实地观摩", "#N/A", "C", "“#N/A”"),
        ("#VALUE!", "基层党建", "A", "“#VALUE!”"),
        ("实地观摩", date(2025, 1, 1), "C", "是一个日期（2025-01-01）"),
        ("实地观摩", "2025年1月1日", "C", "是一个日期"),
        ("实地观摩", 25, "C", "“25”只有数字"),
        ("实地观摩", "基层_x0007_党建", "C", "转义文字“_x0007_”"),
        # A cell holds at most 32,767 characters (longer ones the guard refuses: tests/integration).
        ("实地观摩", "党" * 32_767, "C", "太长（32767 个字，最多 32 个字）"),
        ("观" * 33, "基层党建", "A", "太长（33 个字"),
    ],
)
def test_garbage_names_are_refused_at_their_cell(
    tmp_path: Path, component: object, criterion: object, column: str, fragment: str
) -> None:
    path = _book(tmp_path / "方案.xlsx", [["项目", "权重", "指标", "满分"], [component, "1", criterion, 25]])
    with pytest.raises(ValidationError) as caught:
        read_scheme(path)
    [line] = caught.value.details
    assert line.startswith(f"工作表“Sheet”第2行 {column}列（{'项目' if column == 'A' else '指标'}）："), line
    assert fragment in line, line
    assert len(line) < 160, line  # a 100,000-character name is quoted as a short excerpt


def test_an_invisible_character_in_a_criterion_name_is_dropped(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "方案.xlsx", [["项目", "权重", "指标", "满分"], ["实地\u200b观摩", "1", "\ufeff基层\u202e党建", 25]]
    )
    scheme = read_scheme(path)
    assert [(c.name, [k.name for k in c.criteria]) for c in scheme.components] == [("实地观摩", ["基层党建"])]


def test_a_hidden_first_sheet_is_not_used(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["项目", "权重", "指标", "满分"])
    book.active.append(["实地观摩", 1, "基层党建", 25])
    book.active.sheet_state = "hidden"
    book.create_sheet("说明")
    book.save(tmp_path / "方案.xlsx")
    with pytest.raises(ValidationError, match="隐藏"):
        read_scheme(tmp_path / "方案.xlsx")
