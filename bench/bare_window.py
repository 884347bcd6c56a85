"""The benchmark's baseline: a bare PySide6 QMainWindow that reports its first paint."""

import sys

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from lsb_desktop.startclock import elapsed_ms


class BareWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self._painted = False
        self.resize(1280, 800)

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest and not self._painted:
            self._painted = True
            print(f"{elapsed_ms():.0f}", flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
        return handled


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = BareWindow()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
