"""A scoring scheme (评分方案) from .xlsx: one row per criterion with 项目, 权重, 指标, 满分."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lsb_desktop.domain.points import parse_points
from lsb_desktop.domain.commitments import COMPLETION_CRITERION
from lsb_desktop.domain.scoring import Component, ComponentSource, Criterion, Scheme
from lsb_desktop.domain.text import canonical_name, clean
from lsb_desktop.errors import LsbError, ValidationError

_LABELS = {
    "component": ("项目", "评分项目", "类别", "部分"),
    "weight": ("权重", "比重", "占比"),
    "criterion": ("指标", "评分指标", "评分内容", "内容"),
    "max": ("满分", "分值", "最高分"),
}


def _source(criteria: list[Criterion]) -> ComponentSource:
    """A component whose indicator is 承诺完成率 is computed from the commitments, not scored."""
    if any(c.name == COMPLETION_CRITERION for c in criteria):
        return ComponentSource.COMMITMENTS
    return ComponentSource.JUDGES


def read_scheme(path: Path) -> Scheme:
    """Rows may leave 项目 and 权重 empty under the first row of a component (merged cells)."""
    from lsb_desktop.io.xlsx import open_workbook  # the shared opener with Chinese errors

    workbook = open_workbook(Path(path), "评分方案")
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_at, columns = None, {}
    for index, row in enumerate(rows[:20]):
        found = {}
        for position, cell in enumerate(row):
            label = canonical_name(cell) if cell is not None else ""
            for key, labels in _LABELS.items():
                if label in {canonical_name(x) for x in labels}:
                    found[key] = position
        if {"component", "criterion", "max"} <= set(found):
            header_at, columns = index, found
            break
    if header_at is None:
        raise ValidationError("评分方案文件找不到表头：需要“项目”“权重”“指标”“满分”四列")
    problems: list[str] = []
    order: list[str] = []
    weights: dict[str, Decimal] = {}
    criteria: dict[str, list[Criterion]] = {}
    current = ""
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        def cell(key: str) -> str:
            position = columns.get(key)
            return clean(row[position]) if position is not None and position < len(row) and row[position] is not None else ""

        if not any(clean(value) for value in row if value is not None):
            continue
        current = cell("component") or current
        if not current:
            problems.append(f"第{number}行：没有填写项目")
            continue
        if current not in criteria:
            order.append(current)
            criteria[current] = []
        try:
            if cell("weight"):
                weights[current] = parse_points(cell("weight"), "权重")
            name = cell("criterion")
            if not name:
                raise ValidationError("没有填写指标")
            criteria[current].append(Criterion(name, parse_points(cell("max"), f"“{name}”的满分")))
        except LsbError as exc:
            problems.append(f"第{number}行：{exc.message}")
    for name in order:
        if name not in weights:
            problems.append(f"项目“{name}”没有填写权重")
    if problems:
        raise ValidationError("评分方案文件有问题，未使用", problems)
    try:
        return Scheme(tuple(Component(name, weights[name], tuple(criteria[name]), _source(criteria[name]))
                            for name in order))
    except LsbError as exc:
        raise ValidationError(f"评分方案文件有问题：{exc.message}") from exc
