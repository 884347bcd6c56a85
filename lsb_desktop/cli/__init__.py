"""The command line: parses arguments and runs the headless commands (never imports Qt)."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from lsb_desktop import APP_NAME, __version__
from lsb_desktop.config import AppConfig, default_data_dir
from lsb_desktop.errors import ExitCode, LsbError

if TYPE_CHECKING:
    from lsb_desktop.core import Core



class _Parser(argparse.ArgumentParser):
    """argparse, with its complaints prefixed in Chinese and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.BAD_INPUT, f"命令行参数有误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="数据文件夹（默认在用户的应用数据目录）")
    parser = _Parser(prog="main.py", description=f"{APP_NAME}：不带命令时打开程序窗口。", parents=[common])
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--smoke-test", action="store_true", help="打开主窗口，首次绘制后打印启动毫秒数并退出")
    parser.add_argument("--screenshot", type=Path, metavar="PNG", help="把主窗口保存为图片后退出")
    parser.add_argument("--tab", metavar="标签页", help="截图或打开时显示的标签页，如 村（社区）")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    sub.add_parser("demo", parents=[common], help="在空白数据文件夹中创建示例乡镇")

    villages = sub.add_parser("villages", parents=[common], help="村（社区）花名册导入、导出")
    actions = villages.add_subparsers(dest="action", required=True, metavar="操作", parser_class=_Parser)
    importing = actions.add_parser("import", parents=[common], help="从 Excel 导入花名册（全部成功或全部不导入）")
    importing.add_argument("file", type=Path)
    importing.add_argument("--effective", metavar="日期", help="已有村（社区）变化的生效日期（默认今天），如 2024-01-01")
    importing.add_argument("--start", metavar="日期",
                           help="新登记的村（社区）的在册起始日期（默认建档起一直在册；表中的“在册起始日期”列优先）")
    importing.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    exporting = actions.add_parser("export", parents=[common], help="导出花名册到 Excel")
    exporting.add_argument("file", type=Path)

    _round_parsers(sub, common)
    _commitment_parsers(sub, common)
    _star_parsers(sub, common)

    exporting = sub.add_parser("export", parents=[common], help="导出排名表、荣誉证书、通报")
    kinds = exporting.add_subparsers(dest="action", required=True, metavar="内容", parser_class=_Parser)
    for name, help_text, suffix in (("ranking", "得分汇总表和红黑旗名单（Excel）", "xlsx"),
                                    ("certificates", "红旗荣誉证书（PDF，一次评比一个文件）", "pdf"),
                                    ("notices", "黑旗通报和整改通知书（PDF）", "pdf")):
        kind = kinds.add_parser(name, parents=[common], help=help_text)
        kind.add_argument("round", metavar="ROUND")
        kind.add_argument("-o", "--output", type=Path, required=True, metavar=f"FILE.{suffix}")
        kind.add_argument("--tie-policy", choices=["extend", "tiebreak"],
                          help="未决定的旗位并列怎样处理（默认按评比自己的设置，未设置时 extend）")

    sub.add_parser("backup", parents=[common], help="立即备份数据")
    restore = sub.add_parser("restore", parents=[common],
                             help="用备份文件恢复数据（先检查备份；恢复前先备份当前数据，当前数据已损坏时改名保留）")
    restore.add_argument("file", type=Path)
    restore.add_argument("--accept-audit-problems", action="store_true",
                         help="备份的审计日志有问题（列出的问题已看过）时仍然恢复")
    check = sub.add_parser("check", parents=[common], help="检查数据文件完整性和数据版本")
    check.add_argument("--json", action="store_true", help="以 JSON 输出")
    return parser


def _round_parsers(sub: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
    rounds = sub.add_parser("round", parents=[common], help="观摩评比：建立、导入评分、排名、定稿")
    actions = rounds.add_subparsers(dest="action", required=True, metavar="操作", parser_class=_Parser)
    create = actions.add_parser("create", parents=[common], help="建立评比活动，最后一行打印编号")
    create.add_argument("--year", type=int, required=True)
    create.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
    create.add_argument("--title", default="")
    create.add_argument("--date", metavar="YYYY-MM-DD", help="观摩（活动）日期，可在下一季度")
    create.add_argument("--judges", default="", help="评委，用逗号或顿号分隔")
    create.add_argument("--red", type=int, default=0, help="红旗面数")
    create.add_argument("--black", type=int, default=0, help="黑旗面数")
    create.add_argument("--scheme", type=Path, metavar="FILE.xlsx", help="评分方案（默认用内置模板）")
    actions.add_parser("list", parents=[common], help="列出评比活动")
    show = actions.add_parser("show", parents=[common], help="显示评比活动")
    show.add_argument("round", metavar="ROUND")
    show.add_argument("--json", action="store_true")
    sheets = actions.add_parser("sheets", parents=[common], help="导出每位评委一张的空白评分表")
    sheets.add_argument("round", metavar="ROUND")
    sheets.add_argument("-o", "--output", type=Path, required=True)
    importing = actions.add_parser("import", parents=[common], help="导入评分（评委评分表或一行一分的表格）")
    importing.add_argument("round", metavar="ROUND")
    importing.add_argument("files", type=Path, nargs="+")
    importing.add_argument("--reason", default="", help="已定稿的评比需写明更正原因")
    ranking = actions.add_parser("rank", parents=[common], help="计算综合排名和红黑旗")
    ranking.add_argument("round", metavar="ROUND")
    ranking.add_argument("--json", action="store_true")
    ranking.add_argument("--tie-policy", choices=["extend", "tiebreak"],
                         help="未决定的旗位并列怎样处理（默认按评比自己的设置，未设置时 extend）")
    adjust = actions.add_parser("adjust", parents=[common], help="加分、扣分或一票否决")
    adjust.add_argument("round", metavar="ROUND")
    adjust.add_argument("--unit", required=True)
    adjust.add_argument("--kind", required=True, choices=["加分", "扣分", "一票否决"])
    adjust.add_argument("--amount")
    adjust.add_argument("--reason", required=True)
    adjust.add_argument("--correction", default="", help="已定稿的评比需写明更正原因")
    correct = actions.add_parser("correct", parents=[common], help="更正一个评分（已定稿的评比需写明原因）")
    correct.add_argument("round", metavar="ROUND")
    correct.add_argument("--judge", required=True)
    correct.add_argument("--unit", required=True)
    correct.add_argument("--criterion", required=True)
    correct.add_argument("--score", required=True, help="新分数；空字符串表示清除")
    correct.add_argument("--reason", default="")
    finalize = actions.add_parser("finalize", parents=[common], help="定稿：冻结结果")
    finalize.add_argument("round", metavar="ROUND")
    finalize.add_argument("--tie-policy", choices=["extend", "tiebreak"],
                          help="旗位上有未决定的并列时怎样决定（不写则拒绝定稿并列出并列的单位）")


def _commitment_parsers(sub: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
    commitments = sub.add_parser("commitments", parents=[common], help="承诺事项：导入、导出")
    actions = commitments.add_subparsers(dest="action", required=True, metavar="操作", parser_class=_Parser)
    importing = actions.add_parser("import", parents=[common], help="从 Excel 导入承诺事项（全部成功或全部不导入）")
    importing.add_argument("file", type=Path)
    importing.add_argument("--year", type=int, help="表中没有“年度”列时使用的年度（表中有“年度”列时须与之一致）")
    importing.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    importing.add_argument("--replace", action="store_true", help="确认用文件内容替换列出的已有承诺事项")
    exporting = actions.add_parser("export", parents=[common],
                                   help="导出年度承诺事项公示表（每村一页）和完成情况汇总表")
    exporting.add_argument("--year", type=int, required=True)
    exporting.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    exporting.add_argument("--paper", choices=["A4", "A3"], default="A4", help="纸张（默认 A4）")


def _star_parsers(sub: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
    stars = sub.add_parser("stars", parents=[common], help="五星支部创建：导出进度表、汇总、导入创建计划")
    actions = stars.add_subparsers(dest="action", required=True, metavar="操作", parser_class=_Parser)
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


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, AppConfig]:
    args = build_parser().parse_args(argv)
    config = AppConfig(
        data_dir=getattr(args, "data_dir", None) or default_data_dir(),
        smoke_test=args.smoke_test,
        screenshot=args.screenshot,
        tab=args.tab,
    )
    return args, config


def _print(text: str = "") -> None:
    print(text, flush=True)


def _warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_command(args: argparse.Namespace, config: AppConfig) -> int:
    """Run one headless command; LsbError → exit 2 with its Chinese message on stderr."""
    if args.command == "restore":
        # Restore is what a damaged data file needs, so it must not depend on opening it.
        return _guarded(lambda: _restore(config.data_dir, args))
    return _guarded(lambda: _run_in_core(config, args))


def _run_in_core(config: AppConfig, args: argparse.Namespace) -> int:
    from lsb_desktop.core import Core

    with Core.open(config.data_dir) as core:
        if core.read_only:
            # Looking and exporting work; a change is refused with the whole reason.
            _warn(f"提示：数据文件夹“{core.data_dir}”是只读的，现在只能查看和导出，不能修改。")
        if core.folder.backup_warning:
            # The command still runs: a backup that could not be written never blocks the work.
            _warn(f"警告：{core.folder.backup_warning}")
        if core.folder.location_warning:
            _warn(f"警告：{core.folder.location_warning}")
        return _COMMANDS[args.command](core, args)


def _guarded(command: Callable[[], int]) -> int:
    """LsbError → exit 2 with its Chinese message on stderr; anything else is our bug (exit 1)."""
    try:
        return command()
    except BrokenPipeError:  # the output was piped into `head` or similar: not an error
        return ExitCode.OK
    except LsbError as exc:
        _warn(f"错误：{exc.message}")
        for line in exc.details:
            _warn(f"  {line}")
        return ExitCode.BAD_INPUT
    except Exception:  # noqa: BLE001 - last resort: say it is our fault, keep the trace
        _warn("程序内部错误，请把以下信息发给开发人员：")
        _warn(traceback.format_exc())
        return ExitCode.INTERNAL


def _demo(core: Core, _args: argparse.Namespace) -> int:
    from lsb_desktop.demo import build_demo

    count = build_demo(core)
    settings = core.settings.township()
    _print(f"已创建示例乡镇“{settings.township_name}”：{count} 个村（社区），数据文件夹 {core.data_dir}")
    return ExitCode.OK


def _villages(core: Core, args: argparse.Namespace) -> int:
    if args.action == "export":
        from lsb_desktop.domain.text import cut_cells_warning, noting_cut_cells

        title = f"{_township(core)}村（社区）名册"
        with noting_cut_cells() as cuts:
            count = core.roster.export(args.file, title)
        _print(f"已导出 {count} 个村（社区）到 {args.file}")
        if cuts:
            _warn(f"警告：{cut_cells_warning(cuts)}")
        return ExitCode.OK
    from lsb_desktop.domain.text import parse_date

    effective = parse_date(args.effective, "生效日期") if args.effective else date.today()
    start = parse_date(args.start, "在册起始日期") if args.start else None
    preview = core.roster.preview(args.file, effective, start)
    for note in preview.read.skipped:
        _warn(f"提示：{note}")
    if not preview.ok:
        _warn(f"错误：花名册“{args.file.name}”有 {len(preview.problems)} 个问题，未导入任何数据：")
        for line in preview.problem_lines():
            _warn(f"  {line}")
        if not preview.plan and not preview.problems:
            _warn("  文件中没有可导入的村（社区）")
        return ExitCode.BAD_INPUT
    for row in preview.plan:
        detail = "；".join(row.changes)
        _print(f"第{row.row}行 {row.name}：{row.action}" + (f"（{detail}）" if detail else ""))
    if args.dry_run:
        _print("预览完成，未写入任何数据（--dry-run）")
        return ExitCode.OK
    result = core.roster.apply(preview).value
    _print(f"导入完成：新增 {result.added} 个，更新 {result.updated} 个，无变化 {result.unchanged} 个")
    if result.districts_created:
        _print(f"新建管区：{'、'.join(result.districts_created)}")
    return ExitCode.OK


def _township(core: Core) -> str:
    settings = core.settings.township()
    if not settings.township_name:
        _warn("提示：尚未设置乡镇名称，使用“XX镇”代替（在程序的 文件 → 乡镇信息 中设置）")
    return settings.township_or_placeholder


def _backup(core: Core, _args: argparse.Namespace) -> int:
    path = core.folder.backup("manual")
    _print(f"已备份到 {path}")
    return ExitCode.OK


def _restore(data_dir: Path, args: argparse.Namespace) -> int:
    from lsb_desktop.services.storage import DataFolder

    folder = DataFolder(data_dir)
    try:
        damage = folder.open_for_restore()
        if damage is not None:
            _warn(f"提示：当前数据文件已损坏，恢复时会把它改名保留。（{damage.message.split('。')[0]}）")
        result = folder.restore(args.file, accept_audit_problems=args.accept_audit_problems)
    finally:
        folder.close()
    for line in result.lines():
        _print(line)
    return ExitCode.OK


def _check(core: Core, args: argparse.Namespace) -> int:
    report = core.check()
    if args.json:
        _print(json.dumps({
            "ok": report.ok,
            "database": str(report.database),
            "integrity": "ok" if not report.problems else list(report.problems),
            "revision": report.revision,
            "head": report.head,
            "version": report.version,
            "problems": report.problem_objects(),
            "finalised_rounds": [
                {"round_id": seal.round_id, "round": seal.round_name, "version": seal.version,
                 "code": seal.code, "sealed_at": seal.at} for seal in report.seals],
            "checked": {
                "integrity": not report.integrity,
                "audit_entries": report.audit_entries,
                "audit_ok": not report.audit,
                "data_rows": report.data_rows,
                "data_ok": not report.data,
                "evidence_files": report.evidence_files,
                "evidence_ok": not report.evidence,
            },
            "summary": report.checked(),
            "technical": list(report.technical),
        }, ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            _print(line)
    return ExitCode.OK if report.ok else ExitCode.BAD_INPUT


def _round(core: Core, args: argparse.Namespace) -> int:
    from lsb_desktop.cli.rounds import run_round_command

    return run_round_command(core, args, _township(core) if args.action == "sheets" else "")


def _commitments(core: Core, args: argparse.Namespace) -> int:
    from lsb_desktop.cli.commitments import run_commitments_command

    return run_commitments_command(core, args)


def _stars(core: Core, args: argparse.Namespace) -> int:
    from lsb_desktop.cli.stars import run_stars_command

    return run_stars_command(core, args)


def _export(core: Core, args: argparse.Namespace) -> int:
    from lsb_desktop.domain.scoring import TiePolicy

    warning = core.paper.placeholder_warning()
    if warning:
        _warn(f"提示：{warning}")
    round_id = core.rounds.find_round(args.round)
    policy = TiePolicy(args.tie_policy) if args.tie_policy else (
        core.rounds.get_round(round_id).rules.tie_policy or TiePolicy.EXTEND)
    if args.action == "ranking":
        from lsb_desktop.domain.text import cut_cells_warning, noting_cut_cells

        with noting_cut_cells() as cuts:
            data = core.paper.export_ranking(round_id, args.output, policy)
        _print(f"已导出得分汇总表（{len(data.rows)} 个村（社区））到 {args.output}")
        if cuts:
            _warn(f"警告：{cut_cells_warning(cuts)}")
    elif args.action == "certificates":
        pages = core.paper.export_certificates(round_id, args.output, policy)
        _print(f"已导出 {pages} 张荣誉证书到 {args.output}")
    else:
        pages = core.paper.export_notices(round_id, args.output, policy)
        _print(f"已导出通报和整改通知书（{pages} 页）到 {args.output}")
    return ExitCode.OK


_COMMANDS = {"demo": _demo, "villages": _villages, "round": _round, "commitments": _commitments, "stars": _stars,
             "export": _export, "backup": _backup, "check": _check}


def prepare_streams() -> None:
    """Output redirected to a file or a pipe (`lsb-cli.exe check > 报告.txt`) is UTF-8 whatever
    the system's code page (936 on Chinese Windows); a console keeps its own, and a rare
    character it cannot show never crashes a command. The window exe has no streams at all."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "reconfigure"):
            continue
        try:
            redirected = not stream.isatty()
        except (OSError, ValueError):
            redirected = True
        if redirected:
            stream.reconfigure(encoding="utf-8", errors="replace")
        else:
            stream.reconfigure(errors="replace")
