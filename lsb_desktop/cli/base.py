"""What every command group of the command line shares: the parser class, printing and the
township name with its placeholder warning."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, NoReturn

from lsb_desktop.errors import ExitCode

if TYPE_CHECKING:
    from lsb_desktop.core import Core


class Parser(argparse.ArgumentParser):
    """argparse, with its complaints prefixed in Chinese and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.BAD_INPUT, f"命令行参数有误：{message}\n")


def out(text: str = "") -> None:
    print(text, flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def township(core: Core) -> str:
    """The township's name for a file's title, or the placeholder with a warning on stderr."""
    settings = core.settings.township()
    if not settings.township_name:
        warn("提示：尚未设置乡镇名称，使用“XX镇”代替（在程序的 文件 → 乡镇信息 中设置）")
    return settings.township_or_placeholder
