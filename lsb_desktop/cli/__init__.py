"""The command line: the global options, the parser built from the command groups (one module
each, owning its subparser and handler) and the dispatch to them; never imports Qt."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lsb_desktop import APP_NAME, __version__
from lsb_desktop.cli import backup, check, commitments, demo, export, rounds, stars, villages
from lsb_desktop.cli.base import Parser, warn
from lsb_desktop.config import AppConfig, default_data_dir
from lsb_desktop.errors import ExitCode, LsbError

if TYPE_CHECKING:
    from lsb_desktop.core import Core

# In the order `main.py --help` lists them; each adds its commands with add_parser(sub, common).
_GROUPS = (demo, villages, rounds, commitments, stars, export, backup, check)


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS, help="数据文件夹（默认在用户的应用数据目录）"
    )
    parser = Parser(prog="main.py", description=f"{APP_NAME}：不带命令时打开程序窗口。", parents=[common])
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--smoke-test", action="store_true", help="打开主窗口，首次绘制后打印启动毫秒数并退出")
    parser.add_argument("--screenshot", type=Path, metavar="PNG", help="把主窗口保存为图片后退出")
    parser.add_argument("--tab", metavar="标签页", help="截图或打开时显示的标签页，如 村（社区）")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    for group in _GROUPS:
        group.add_parser(sub, common)
    return parser


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, AppConfig]:
    args = build_parser().parse_args(argv)
    config = AppConfig(
        data_dir=getattr(args, "data_dir", None) or default_data_dir(),
        smoke_test=args.smoke_test,
        screenshot=args.screenshot,
        tab=args.tab,
    )
    return args, config


def run_command(args: argparse.Namespace, config: AppConfig) -> int:
    """Run one headless command; LsbError → exit 2 with its Chinese message on stderr."""
    run_on_folder: Callable[[Path, argparse.Namespace], int] | None = getattr(args, "run_on_folder", None)
    if run_on_folder is not None:
        # Restore is what a damaged data file needs, so it must not depend on opening it.
        return _guarded(lambda: run_on_folder(config.data_dir, args))
    return _guarded(lambda: _run_in_core(config, args))


def _run_in_core(config: AppConfig, args: argparse.Namespace) -> int:
    from lsb_desktop.core import Core

    with Core.open(config.data_dir) as core:
        if core.read_only:
            # Looking and exporting work; a change is refused with the whole reason.
            warn(f"提示：数据文件夹“{core.data_dir}”是只读的，现在只能查看和导出，不能修改。")
        if core.folder.backup_warning:
            # The command still runs: a backup that could not be written never blocks the work.
            warn(f"警告：{core.folder.backup_warning}")
        if core.folder.location_warning:
            warn(f"警告：{core.folder.location_warning}")
        run: Callable[[Core, argparse.Namespace], int] = args.run  # set by the command's group
        return run(core, args)


def _guarded(command: Callable[[], int]) -> int:
    """LsbError → exit 2 with its Chinese message on stderr; anything else is our bug (exit 1)."""
    try:
        return command()
    except BrokenPipeError:  # the output was piped into `head` or similar: not an error
        return ExitCode.OK
    except LsbError as exc:
        warn(f"错误：{exc.message}")
        for line in exc.details:
            warn(f"  {line}")
        return ExitCode.BAD_INPUT
    except Exception:  # noqa: BLE001 - last resort: say it is our fault, keep the trace
        warn("程序内部错误，请把以下信息发给开发人员：")
        warn(traceback.format_exc())
        return ExitCode.INTERNAL


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
