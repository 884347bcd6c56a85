"""The `villages` commands of the command line: import the 花名册 (previewed, all or nothing) and
export it."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop.cli.base import Parser, out, township, warn
from lsb_desktop.errors import ExitCode

if TYPE_CHECKING:
    from lsb_desktop.core import Core


def add_parser(sub: argparse._SubParsersAction[Parser], common: Parser) -> None:
    villages = sub.add_parser("villages", parents=[common], help="村（社区）花名册导入、导出")
    villages.set_defaults(run=run_villages_command)
    actions = villages.add_subparsers(dest="action", required=True, metavar="操作", parser_class=Parser)
    importing = actions.add_parser("import", parents=[common], help="从 Excel 导入花名册（全部成功或全部不导入）")
    importing.add_argument("file", type=Path)
    importing.add_argument(
        "--effective", metavar="日期", help="已有村（社区）变化的生效日期（默认今天），如 2024-01-01"
    )
    importing.add_argument(
        "--start",
        metavar="日期",
        help="新登记的村（社区）的在册起始日期（默认建档起一直在册；表中的“在册起始日期”列优先）",
    )
    importing.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    exporting = actions.add_parser("export", parents=[common], help="导出花名册到 Excel")
    exporting.add_argument("file", type=Path)


def run_villages_command(core: Core, args: argparse.Namespace) -> int:
    if args.action == "export":
        return _export(core, args)
    return _import(core, args)


def _export(core: Core, args: argparse.Namespace) -> int:
    from lsb_desktop.domain.text import cut_cells_warning, noting_cut_cells

    title = f"{township(core)}村（社区）名册"
    with noting_cut_cells() as cuts:
        count = core.roster.export(args.file, title)
    out(f"已导出 {count} 个村（社区）到 {args.file}")
    if cuts:
        warn(f"警告：{cut_cells_warning(cuts)}")
    return ExitCode.OK


def _import(core: Core, args: argparse.Namespace) -> int:
    from lsb_desktop.domain.text import parse_date

    effective = parse_date(args.effective, "生效日期") if args.effective else date.today()
    start = parse_date(args.start, "在册起始日期") if args.start else None
    preview = core.roster.preview(args.file, effective, start)
    for note in preview.read.skipped:
        warn(f"提示：{note}")
    if not preview.ok:
        warn(f"错误：花名册“{args.file.name}”有 {len(preview.problems)} 个问题，未导入任何数据：")
        for line in preview.problem_lines():
            warn(f"  {line}")
        if not preview.plan and not preview.problems:
            warn("  文件中没有可导入的村（社区）")
        return ExitCode.BAD_INPUT
    for row in preview.plan:
        detail = "；".join(row.changes)
        out(f"第{row.row}行 {row.name}：{row.action}" + (f"（{detail}）" if detail else ""))
    if args.dry_run:
        out("预览完成，未写入任何数据（--dry-run）")
        return ExitCode.OK
    result = core.roster.apply(preview).value
    out(f"导入完成：新增 {result.added} 个，更新 {result.updated} 个，无变化 {result.unchanged} 个")
    if result.districts_created:
        out(f"新建管区：{'、'.join(result.districts_created)}")
    return ExitCode.OK
