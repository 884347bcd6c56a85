"""The `commitments` commands of the command line: import a commitments file (previewed, all or
nothing) and export the 年度承诺事项公示表 with the township 完成情况汇总表."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop.cli.base import Parser, out, warn
from lsb_desktop.domain.commitments import overdue_heading
from lsb_desktop.domain.text import cut_cells_warning
from lsb_desktop.errors import ExitCode, ValidationError

if TYPE_CHECKING:
    from lsb_desktop.core import Core


def add_parser(sub: argparse._SubParsersAction[Parser], common: Parser) -> None:
    commitments = sub.add_parser("commitments", parents=[common], help="承诺事项：导入、导出")
    commitments.set_defaults(run=run_commitments_command)
    actions = commitments.add_subparsers(dest="action", required=True, metavar="操作", parser_class=Parser)
    importing = actions.add_parser("import", parents=[common], help="从 Excel 导入承诺事项（全部成功或全部不导入）")
    importing.add_argument("file", type=Path)
    importing.add_argument("--year", type=int, help="表中没有“年度”列时使用的年度（表中有“年度”列时须与之一致）")
    importing.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    importing.add_argument("--replace", action="store_true", help="确认用文件内容替换列出的已有承诺事项")
    exporting = actions.add_parser(
        "export", parents=[common], help="导出年度承诺事项公示表（每村一页）和完成情况汇总表"
    )
    exporting.add_argument("--year", type=int, required=True)
    exporting.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    exporting.add_argument("--paper", choices=["A4", "A3"], default="A4", help="纸张（默认 A4）")


def run_commitments_command(core: Core, args: argparse.Namespace) -> int:
    if args.action == "import":
        return _import(core, args)
    if args.action == "export":
        return _export(core, args)
    raise ValidationError(f"未知的操作 {args.action}")


def _import(core: Core, args: argparse.Namespace) -> int:
    from lsb_desktop.services.commitments import replaced_line

    preview = core.commitments.preview_import(args.file, args.year)
    replace = bool(getattr(args, "replace", False))
    for note in preview.notes:
        warn(f"提示：{note}")
    if not preview.ok:
        if preview.problems:
            warn(f"错误：承诺事项表“{args.file.name}”有 {len(preview.problems)} 个问题，未导入任何数据：")
            for line in preview.problems:
                warn(f"  {line}")
        else:
            warn(f"错误：承诺事项表“{args.file.name}”中没有可导入的承诺事项")
        return ExitCode.BAD_INPUT
    out(preview.rule)
    for row in preview.rows:
        draft = row.draft
        assert draft is not None
        detail = "；".join(row.changes + row.notes)
        how = f"（按{row.matched_by}对应）" if row.matched_by else ""
        out(
            f"工作表“{row.sheet}”第 {row.row} 行 {row.unit_name} {draft.year}年第{draft.number}项{how}："
            f"{row.action}" + (f"（{detail}）" if detail else "")
        )
    summary = f"新增 {preview.count_new} 项，将替换 {preview.count_replaced} 项，不变 {preview.count_unchanged} 项"
    if preview.replacing:
        out(f"将替换已有的承诺事项 {preview.count_replaced} 项（原来 → 导入后）：")
        for row in preview.replacing:
            out(f"  {replaced_line(row)}")
    if args.dry_run:
        out(f"预览：{summary}；未写入任何数据（--dry-run）")
        return ExitCode.OK
    if preview.replacing and not replace:
        warn(
            f"错误：文件中有 {preview.count_replaced} 项将替换已有的承诺事项，未导入任何数据。"
            "请核对上面列出的原来和导入后的内容，确认后加 --replace 再导入："
        )
        for row in preview.replacing:
            warn(f"  {replaced_line(row)}")
        return ExitCode.BAD_INPUT
    written = core.commitments.apply_import(preview, replace=replace)
    out(f"导入完成：{summary.replace('将替换', '替换')}（写入 {written} 项）")
    return ExitCode.OK


def _export(core: Core, args: argparse.Namespace) -> int:
    settings = core.settings.township()
    done = core.commitments.export_sheets(
        args.output,
        args.year,
        township=settings.township_or_placeholder,
        committee=settings.committee_or_placeholder,
        paper=args.paper,
    )
    if not settings.township_name:  # said once the file is written: it is in the file
        warn("提示：尚未设置乡镇名称，使用“XX镇”代替（在程序的 文件 → 乡镇信息 中设置）")
    if done.cuts:
        warn(f"警告：{cut_cells_warning(list(done.cuts))}")
    out(
        f"已导出 {done.year} 年承诺事项公示表（{done.units} 个村（社区），{done.items} 项）"
        f"和完成情况汇总表到 {args.output.resolve()}；{overdue_heading(done.day)} {done.overdue} 项"
    )
    return ExitCode.OK
