# Run by lsb-cli.exe before main.py (pyinstaller.spec adds it to that exe only). The console
# exe's archive leaves out the window's Python modules, but their compiled parts stay in
# _internal, shared with the window exe: there `import numpy` would find a half package (openpyxl
# tries numpy and then reads numpy.short). Marking them absent makes every such import fail
# with ImportError, which openpyxl and the others expect of an optional package.
# pyinstaller.spec reads WINDOW_ONLY from this file (without running it) to build that archive.
import sys

WINDOW_ONLY = ("ui", "PySide6", "shiboken6", "pyqtgraph", "numpy", "pypdfium2", "pypdfium2_raw", "pypdfium2_cfg")

for _name in WINDOW_ONLY:
    sys.modules[_name] = None
