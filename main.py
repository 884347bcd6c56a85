"""亮赛比 桌面版: `uv run main.py` opens the window; with a command it works headless."""

import sys

from lsb_desktop.cli import parse_args, prepare_streams, run_command


def main(argv: list[str] | None = None) -> int:
    prepare_streams()
    args, config = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command:
        return run_command(args, config)
    from ui.app import run_gui  # Qt is loaded only to open the window

    return run_gui(config)


if __name__ == "__main__":
    sys.exit(main())
