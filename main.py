"""亮赛比 桌面版: `uv run main.py` opens the window; with a command it works headless."""

import sys
from pathlib import PureWindowsPath

from lsb_desktop.cli import build_parser, parse_args, prepare_streams, run_command
from lsb_desktop.errors import ExitCode

CONSOLE_EXE = "lsb-cli"  # the Windows bundle's console exe, beside the window exe


def _console_exe() -> bool:
    return bool(getattr(sys, "frozen", False)) and PureWindowsPath(sys.executable).stem.lower() == CONSOLE_EXE


def main(argv: list[str] | None = None) -> int:
    prepare_streams()
    args, config = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command:
        return run_command(args, config)
    if _console_exe():
        # lsb-cli.exe typed alone in cmd: the commands it knows, not a window behind the console.
        # It cannot open the window at all: its archive leaves out Qt (pyinstaller.spec).
        if config.smoke_test or config.screenshot:
            print("错误：lsb-cli.exe 只做命令行的事，窗口请用 亮赛比桌面版.exe 打开", file=sys.stderr)
            return ExitCode.BAD_INPUT
        build_parser().print_help()
        return ExitCode.OK
    from ui.app import run_gui  # Qt is loaded only to open the window

    return run_gui(config)


if __name__ == "__main__":
    sys.exit(main())
