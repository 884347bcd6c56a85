"""The `backup` and `restore` commands of the command line. Restore runs on the data folder
itself, not through the core: it is what a damaged data file needs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop.cli.base import Parser, out, warn
from lsb_desktop.errors import ExitCode

if TYPE_CHECKING:
    from lsb_desktop.core import Core


def add_parser(sub: argparse._SubParsersAction[Parser], common: Parser) -> None:
    backup = sub.add_parser("backup", parents=[common], help="立即备份数据")
    backup.set_defaults(run=run_backup)
    restore = sub.add_parser(
        "restore",
        parents=[common],
        help="用备份文件恢复数据（先检查备份；恢复前先备份当前数据，当前数据已损坏时改名保留）",
    )
    restore.set_defaults(run_on_folder=run_restore)
    restore.add_argument("file", type=Path)
    restore.add_argument(
        "--accept-audit-problems", action="store_true", help="备份的审计日志有问题（列出的问题已看过）时仍然恢复"
    )


def run_backup(core: Core, _args: argparse.Namespace) -> int:
    path = core.folder.backup("manual")
    out(f"已备份到 {path}")
    return ExitCode.OK


def run_restore(data_dir: Path, args: argparse.Namespace) -> int:
    from lsb_desktop.services.storage import DataFolder

    folder = DataFolder(data_dir)
    try:
        damage = folder.open_for_restore()
        if damage is not None:
            warn(f"提示：当前数据文件已损坏，恢复时会把它改名保留。（{damage.message.split('。')[0]}）")
        result = folder.restore(args.file, accept_audit_problems=args.accept_audit_problems)
    finally:
        folder.close()
    for line in result.lines():
        out(line)
    return ExitCode.OK
