"""The `export` commands of the command line: a round's 得分汇总表 (Excel), 红旗荣誉证书 and
黑旗通报 (PDF), with the round's tie policy unless --tie-policy says otherwise."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop.cli.base import Parser, out, warn
from lsb_desktop.errors import ExitCode

if TYPE_CHECKING:
    from lsb_desktop.core import Core


def add_parser(sub: argparse._SubParsersAction[Parser], common: Parser) -> None:
    exporting = sub.add_parser("export", parents=[common], help="导出排名表、荣誉证书、通报")
    exporting.set_defaults(run=run_export_command)
    kinds = exporting.add_subparsers(dest="action", required=True, metavar="内容", parser_class=Parser)
    for name, help_text, suffix in (
        ("ranking", "得分汇总表和红黑旗名单（Excel）", "xlsx"),
        ("certificates", "红旗荣誉证书（PDF，一次评比一个文件）", "pdf"),
        ("notices", "黑旗通报和整改通知书（PDF）", "pdf"),
    ):
        kind = kinds.add_parser(name, parents=[common], help=help_text)
        kind.add_argument("round", metavar="ROUND")
        kind.add_argument("-o", "--output", type=Path, required=True, metavar=f"FILE.{suffix}")
        kind.add_argument(
            "--tie-policy",
            choices=["extend", "tiebreak"],
            help="未决定的旗位并列怎样处理（默认按评比自己的设置，未设置时 extend）",
        )


def run_export_command(core: Core, args: argparse.Namespace) -> int:
    from lsb_desktop.domain.scoring import TiePolicy

    warning = core.paper.placeholder_warning()
    if warning:
        warn(f"提示：{warning}")
    round_id = core.rounds.find_round(args.round)
    policy = (
        TiePolicy(args.tie_policy)
        if args.tie_policy
        else (core.rounds.get_round(round_id).rules.tie_policy or TiePolicy.EXTEND)
    )
    if args.action == "ranking":
        from lsb_desktop.domain.text import cut_cells_warning, noting_cut_cells

        with noting_cut_cells() as cuts:
            data = core.paper.export_ranking(round_id, args.output, policy)
        out(f"已导出得分汇总表（{len(data.rows)} 个村（社区））到 {args.output}")
        if cuts:
            warn(f"警告：{cut_cells_warning(cuts)}")
    elif args.action == "certificates":
        pages = core.paper.export_certificates(round_id, args.output, policy)
        out(f"已导出 {pages} 张荣誉证书到 {args.output}")
    else:
        pages = core.paper.export_notices(round_id, args.output, policy)
        out(f"已导出通报和整改通知书（{pages} 页）到 {args.output}")
    return ExitCode.OK
