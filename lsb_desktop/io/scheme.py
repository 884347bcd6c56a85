"""A scoring scheme (评分方案) from .xlsx: one row per criterion with 项目, 权重, 指标, 满分."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lsb_desktop.domain.commitments import COMPLETION_CRITERION
from lsb_desktop.domain.points import parse_points
from lsb_desktop.domain.scoring import Component, ComponentSource, Criterion, Scheme
from lsb_desktop.domain.text import canonical_name, clean, validate_item_name
from lsb_desktop.errors import LsbError, ValidationError

_LABELS = {
    "component": ("项目", "评分项目", "类别", "部分"),
    "weight": ("权重", "比重", "占比"),
    "criterion": ("指标", "评分指标", "评分内容", "内容"),
    "max": ("满分", "分值", "最高分"),
}
_FIELD_NAMES = {"component": "项目", "weight": "权重", "criterion": "指标", "max": "满分"}


def _source(criteria: list[Criterion]) -> ComponentSource:
    """A component whose indicator is 承诺完成率 is computed from the commitments, not scored."""
    if any(c.name == COMPLETION_CRITERION for c in criteria):
        return ComponentSource.COMMITMENTS
    return ComponentSource.JUDGES


def read_scheme(path: Path) -> Scheme:
    """Rows may leave 项目 and 权重 empty under the first row of a component (merged cells).

    Every problem names the sheet, the row and the column; names of components and criteria
    go through the shared name check (validate_item_name), and a refused value is quoted as
    a short excerpt."""
    from openpyxl.utils import get_column_letter

    from lsb_desktop.io.xlsx import CellError, cell_value, hidden_label, is_hidden, open_workbook

    workbook = open_workbook(Path(path), "评分方案")
    try:
        sheet = workbook.worksheets[0]
        if is_hidden(sheet):
            # The scheme is read from the first sheet; one the clerk cannot see is never used.
            raise ValidationError(
                f"评分方案文件的第一个工作表不能是隐藏的：{hidden_label(sheet)}。请取消隐藏、核对后再使用"
            )
        rows = [tuple(cell_value(cell) for cell in row) for row in sheet.iter_rows()]
        title = sheet.title
    finally:
        workbook.close()
    header_at, columns = None, {}
    for index, row in enumerate(rows[:20]):
        found = {}
        for position, value in enumerate(row):
            label = canonical_name(value) if isinstance(value, str) else ""
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
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def raw(key: str) -> object:
            position = columns.get(key)
            # Called only within this row's iteration, so the loop variables are the current ones.
            return row[position] if position is not None and position < len(row) else None  # noqa: B023

        def where(key: str) -> str:
            letter = get_column_letter(columns[key] + 1) if key in columns else ""
            place = f"工作表“{title}”第{number}行"  # noqa: B023 - as in raw()
            return f"{place} {letter}列（{_FIELD_NAMES[key]}）" if letter else f"{place}（{_FIELD_NAMES[key]}）"

        def text(key: str) -> str:
            value = raw(key)
            return "" if value is None else (value.code if isinstance(value, CellError) else clean(value))

        if not any(text(key) for key in columns) and not any(
            clean(value) for value in row if value is not None and not isinstance(value, CellError)
        ):
            continue
        bad = False
        for key in columns:
            value = raw(key)
            if isinstance(value, CellError):
                problems.append(f"{where(key)}：单元格是公式错误“{value.code}”，请在 Excel 中改正后再导入")
                bad = True
        if bad:
            continue
        if text("component"):
            try:
                current = validate_item_name(raw("component"), "项目名称")
            except ValidationError as exc:
                problems.append(f"{where('component')}：{exc.message}")
                current = ""
                continue
        if not current:
            problems.append(f"{where('component')}：没有填写项目")
            continue
        if current not in criteria:
            order.append(current)
            criteria[current] = []
        if text("weight"):
            try:
                weights[current] = parse_points(raw("weight"), "权重")
            except LsbError as exc:
                problems.append(f"{where('weight')}：{exc.message}")
                weights.setdefault(current, Decimal(0))  # refused above; not "没有填写权重" too
        if not text("criterion"):
            problems.append(f"{where('criterion')}：没有填写指标")
            continue
        try:
            name = validate_item_name(raw("criterion"), "指标名称")
        except ValidationError as exc:
            problems.append(f"{where('criterion')}：{exc.message}")
            continue
        try:
            criteria[current].append(Criterion(name, parse_points(raw("max"), f"“{name}”的满分")))
        except LsbError as exc:
            problems.append(f"{where('max')}：{exc.message}")
    for name in order:
        if name not in weights:
            problems.append(f"项目“{name}”没有填写权重")
    if problems:
        raise ValidationError("评分方案文件有问题，未使用", problems)
    try:
        return Scheme(
            tuple(Component(name, weights[name], tuple(criteria[name]), _source(criteria[name])) for name in order)
        )
    except LsbError as exc:
        raise ValidationError(f"评分方案文件有问题：{exc.message}") from exc
