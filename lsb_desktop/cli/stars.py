"""The `stars` commands of the command line: export the 五星创建进度表, print a year's summary
(plain Chinese or JSON), import a year's 创建计划 (previewed, all or nothing)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING

from lsb_desktop.domain.period import year_day
from lsb_desktop.domain.stars import (
    LEVEL_LABELS,
    TARGET_LABELS,
    TARGET_LEVELS,
    YearSummary,
    gaps,
    share_text,
    target_status,
)
from lsb_desktop.domain.text import cut_cells_warning, date_text, noting_cut_cells
from lsb_desktop.errors import ExitCode

if TYPE_CHECKING:
    from lsb_desktop.core import Core



def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _township(core: Core) -> str:
    settings = core.settings.township()
    if not settings.township_name:
        _err("提示：尚未设置乡镇名称，使用“XX镇”代替（在程序的 文件 → 乡镇信息 中设置）")
    return settings.township_or_placeholder


def summary_lines(summary: YearSummary, township: str) -> list[str]:
    """The summary as the clerk reads it: distribution, each target, the closest villages."""
    day = year_day(summary.year, date.today())
    levels = summary.levels
    total = len(summary.units)
    lines = [f"{township}{summary.year}年五星支部创建情况（截至{date_text(day)}）",
             f"村（社区）：{total} 个"]
    lines.append("星级分布：" + "，".join(f"{LEVEL_LABELS[lv]} {levels[lv]} 个" for lv in range(5, -1, -1)))
    for status in target_status(levels, summary.targets):
        have = sum(n for lv, n in levels.items() if lv >= status.level)
        text = f"{TARGET_LABELS[status.level]}：{have} 个，{share_text(status.actual)}"
        if status.target is None:
            text += "（未设目标）"
        elif status.met:
            text += f"（目标 {share_text(status.target / 100)}，已达标）"
        else:
            text += f"（目标 {share_text(status.target / 100)}，还差 {status.units_needed} 个）"
        lines.append(text)
    counts = summary.star_counts()
    held = [f"{star} {n}" for star, n in counts.items() if n]
    if held:
        lines.append("各星持有：" + "，".join(held))
    for level in TARGET_LEVELS:
        below = gaps(summary.units, level)
        if not below:
            continue
        closest = [g for g in below if g.missing == below[0].missing]
        names = "；".join(f"{g.unit_name}（{LEVEL_LABELS[g.level]}，缺{'、'.join(g.lacking)}）" for g in closest)
        lines.append(f"距{TARGET_LABELS[level]}最近（差 {below[0].missing} 星）：{names}")
    return lines


def run_stars_command(core: Core, args: argparse.Namespace) -> int:
    if args.action == "summary":
        summary = core.stars.year_view(args.year)
        if args.json:
            _out(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        else:
            for line in summary_lines(summary, _township(core)):
                _out(line)
        return ExitCode.OK
    if args.action == "export":
        township = _township(core)
        with noting_cut_cells() as cuts:
            summary = core.stars.export_workbook(args.output, args.year, township=township,
                                                 paper=getattr(args, "paper", "A4") or "A4")
        if cuts:
            print(f"警告：{cut_cells_warning(cuts)}", file=sys.stderr)
        _out(f"已导出{args.year}年五星创建进度表（{len(summary.units)} 个村（社区））到 {args.output}")
        return ExitCode.OK
    return _import_plan(core, args)


def _import_plan(core: Core, args: argparse.Namespace) -> int:
    preview = core.stars.preview_plan_import(args.file, args.year)
    if not preview.ok:
        _err(f"错误：创建计划“{args.file.name}”有 {len(preview.problems)} 个问题，未导入任何数据：")
        for line in preview.problems:
            _err(f"  {line}")
        return ExitCode.BAD_INPUT
    for row in preview.rows:
        planned = "、".join(row.stars) or "（不创建）"
        changes = []
        if row.added:
            changes.append("新增 " + "、".join(row.added))
        if row.removed:
            changes.append("取消 " + "、".join(row.removed))
        detail = "；".join(changes) or "无变化"
        _out(f"第{row.row}行 {row.unit_name}：{planned}（{detail}）")
    if args.dry_run:
        _out("预览完成，未写入任何数据（--dry-run）")
        return ExitCode.OK
    count = core.stars.apply_plan_import(preview)
    _out(f"已导入{args.year}年创建计划：{count} 个村（社区）")
    return ExitCode.OK
