"""亮赛比 桌面版: `uv run main.py` opens the window; with a command it works headless."""

import sys

from lsb_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
