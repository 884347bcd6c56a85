"""Reading a scoring scheme (评分方案) from .xlsx for `round create --scheme`."""

from __future__ import annotations

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
    path = _book(tmp_path / "方案.xlsx", [
        ["2025年第一季度评分方案"],
        ["项目", "权重", "指标", "满分", "说明"],
        ["实地观摩", "0.6", "基层党建", 30, "看台账"],
        [None, None, "人居环境", "２０", ""],
        ["擂台比武", 0.4, "述职内容", 50, ""],
        [None, None, "现场表现", 50.0, ""],
    ])
    scheme = read_scheme(path)
    assert [(c.name, c.weight) for c in scheme.components] == [("实地观摩", Decimal("0.6")), ("擂台比武", Decimal("0.4"))]
    assert [(k.name, k.max_points) for k in scheme.components[0].criteria] == [
        ("基层党建", Decimal(30)), ("人居环境", Decimal(20))]
    assert scheme.components[1].max_total == Decimal(100)


def test_problems_are_listed_by_row(tmp_path: Path) -> None:
    path = _book(tmp_path / "坏方案.xlsx", [
        ["项目", "权重", "指标", "满分"],
        ["实地观摩", "0.7", "基层党建", "二十五"],
        [None, None, None, 20],
        ["擂台比武", None, "述职内容", 40],
    ])
    with pytest.raises(ValidationError) as caught:
        read_scheme(path)
    details = "\n".join(caught.value.details)
    assert "第2行" in details and "二十五" in details
    assert "第3行：没有填写指标" in details
    assert "项目“擂台比武”没有填写权重" in details


def test_a_sheet_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = _book(tmp_path / "无表头.xlsx", [["名称", "分数"], ["甲", 1]])
    with pytest.raises(ValidationError, match="找不到表头"):
        read_scheme(path)
