"""The `demo` command of the command line: create the demo township in an empty data folder."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from lsb_desktop.cli.base import Parser, out
from lsb_desktop.errors import ExitCode

if TYPE_CHECKING:
    from lsb_desktop.core import Core


def add_parser(sub: argparse._SubParsersAction[Parser], common: Parser) -> None:
    demo = sub.add_parser("demo", parents=[common], help="在空白数据文件夹中创建示例乡镇")
    demo.set_defaults(run=run_demo)


def run_demo(core: Core, _args: argparse.Namespace) -> int:
    from lsb_desktop.demo import build_demo

    count = build_demo(core)
    settings = core.settings.township()
    out(f"已创建示例乡镇“{settings.township_name}”：{count} 个村（社区），数据文件夹 {core.data_dir}")
    return ExitCode.OK
