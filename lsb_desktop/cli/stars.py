"""The `stars` commands of the command line: export the 五星创建进度表, print a year's summary
(plain Chinese or JSON), import a year's 创建计划 (previewed, all or nothing)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop.cli.base import Parser, out, township, warn
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


def add_parser(sub: argparse._SubParsersAction[Parser], common: Parser) -> None:
    stars = sub.add_parser("stars", parents=[common], help="五星支部创建：导出进度表、汇总、导入创建计划")
    stars.set_defaults(run=run_stars_command)
    actions = stars.add_subparsers(dest="action", required=True, metavar="操作", parser_class=Parser)
    exporting = actions.add_parser("export", parents=[common], help="导出五星创建进度表（Excel）")
    exporting.add_argument("--year", type=int, required=True)
    exporting.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    exporting.add_argument("--paper", choices=["A4", "A3"], default="A4", help="纸张（默认 A4）")
    summary = actions.add_parser("summary", parents=[common], help="某年的星级分布和目标完成情况")
    summary.add_argument("--year", type=int, required=True)
    summary.add_argument("--json", action="store_true", help="以 JSON 输出")
    importing = actions.add_parser("import-plan", parents=[common], help="从 Excel 导入某年的创建计划")
    importing.add_argument("file", type=Path)
    importing.add_argument("--year", type=int, required=True)
    importing.add_argument("--dry-run", action="store_true", help="只预览，不写入")


def summary_lines(summary: YearSummary, township: str) -> list[str]:
    """The summary as the clerk reads it: distribution, each target, the closest villages."""
    day = year_day(summary.year, date.today())
    levels = summary.levels
    total = len(summary.units)
    lines = [f"{township}{summary.year}年五星支部创建情况（截至{date_text(day)}）", f"村（社区）：{total} 个"]
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
            out(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        else:
            for line in summary_lines(summary, township(core)):
                out(line)
        return ExitCode.OK
    if args.action == "export":
        name = township(core)
        with noting_cut_cells() as cuts:
            summary = core.stars.export_workbook(
                args.output, args.year, township=name, paper=getattr(args, "paper", "A4") or "A4"
            )
        if cuts:
            warn(f"警告：{cut_cells_warning(cuts)}")
        out(f"已导出{args.year}年五星创建进度表（{len(summary.units)} 个村（社区））到 {args.output}")
        return ExitCode.OK
    return _import_plan(core, args)


def _import_plan(core: Core, args: argparse.Namespace) -> int:
    preview = core.stars.preview_plan_import(args.file, args.year)
    if not preview.ok:
        warn(f"错误：创建计划“{args.file.name}”有 {len(preview.problems)} 个问题，未导入任何数据：")
        for line in preview.problems:
            warn(f"  {line}")
        return ExitCode.BAD_INPUT
    for row in preview.rows:
        planned = "、".join(row.stars) or "（不创建）"
        changes = []
        if row.added:
            changes.append("新增 " + "、".join(row.added))
        if row.removed:
            changes.append("取消 " + "、".join(row.removed))
        detail = "；".join(changes) or "无变化"
        out(f"第{row.row}行 {row.unit_name}：{planned}（{detail}）")
    if args.dry_run:
        out("预览完成，未写入任何数据（--dry-run）")
        return ExitCode.OK
    count = core.stars.apply_plan_import(preview)
    out(f"已导入{args.year}年创建计划：{count} 个村（社区）")
    return ExitCode.OK
