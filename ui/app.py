"""Start-up of the window: QApplication, Chinese translations, the data folder, first run,
the crash dialog, and the --smoke-test / --screenshot modes."""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from lsb_desktop import APP_ID, APP_NAME, __version__
from lsb_desktop.config import AppConfig, DataPaths
from lsb_desktop.errors import ExitCode, LockedError, LsbError
from lsb_desktop.startclock import elapsed_ms

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_ID)
    app.setWindowIcon(QIcon(str(RESOURCES / "app.png")))
    install_translations(app)
    return app


def install_translations(app: QApplication) -> None:
    """Qt's own dialogs (file chooser, colour buttons, context menus) in Chinese."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN",):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)


def _message(kind: QMessageBox.Icon, title: str, text: str, details: str = "") -> None:
    box = QMessageBox(kind, title, text, QMessageBox.StandardButton.NoButton)
    if details:
        box.setDetailedText(details)
    box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def install_crash_handler(log_folder: Path) -> None:
    """Anything that is not an LsbError is our bug: log it and show one crash dialog."""

    def handle(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log_path = log_folder / "crash.log"
        try:
            log_folder.mkdir(parents=True, exist_ok=True)
            with open(log_path, "a", encoding="utf-8") as handle_file:
                handle_file.write(f"===== {datetime.now():%Y-%m-%d %H:%M:%S} {APP_NAME} {__version__}\n{text}\n")
        except OSError:
            log_path = None
        # The window exe has no console: sys.stderr is None there, and the dialog must still show.
        if sys.stderr is not None:
            try:
                sys.stderr.write(text)
            except (OSError, ValueError):
                pass
        if isinstance(exc, LsbError):
            _message(QMessageBox.Icon.Warning, "操作未完成", exc.message, "\n".join(exc.details))
            return
        where = f"详细信息已记录在 {log_path}。" if log_path else ""
        _message(
            QMessageBox.Icon.Critical,
            "程序出错",
            f"程序遇到了意外错误，刚才的操作可能没有完成，已保存的数据不受影响。{where}\n"
            "请把这个文件发给技术支持人员。",
            text,
        )

    sys.excepthook = handle


def run_gui(config: AppConfig) -> int:
    headless = config.smoke_test or config.screenshot is not None
    if (
        headless
        and sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        # A smoke test or screenshot on a machine without a screen (CI) draws offscreen.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_application()
    from lsb_desktop.core import Core
    from lsb_desktop.services.storage import DamagedDataError

    try:
        try:
            core = Core.open(config.data_dir)
        except DamagedDataError as exc:
            if headless:
                raise
            core = offer_restore(config.data_dir, exc.message)
            if core is None:
                return ExitCode.BAD_INPUT
    except LsbError as exc:
        title = "程序已在运行" if isinstance(exc, LockedError) else "无法打开数据"
        if headless:
            print(exc.message, file=sys.stderr)
        else:
            _message(QMessageBox.Icon.Warning, title, exc.message)
        return ExitCode.BAD_INPUT
    install_crash_handler(DataPaths(config.data_dir).logs)
    try:
        if not headless and core.read_only is None and core.is_empty():
            from ui.first_run import FirstRunDialog

            FirstRunDialog(core).exec()
        from ui.main_window import MainWindow

        try:
            window = MainWindow(core, config)
        except DamagedDataError as exc:
            # The file opened, but its pages are damaged where the window first reads them.
            core.close()
            if headless:
                print(exc.message, file=sys.stderr)
                return ExitCode.BAD_INPUT
            core = offer_restore(config.data_dir, exc.message)
            if core is None:
                return ExitCode.BAD_INPUT
            window = MainWindow(core, config)
        if config.tab and not window.select_tab(config.tab):
            print(f"没有名为“{config.tab}”的标签页", file=sys.stderr)
            return ExitCode.BAD_INPUT
        if headless:
            if core.read_only:
                print(f"提示：{core.read_only}", file=sys.stderr)
            if core.folder.backup_warning:
                print(f"警告：{core.folder.backup_warning}", file=sys.stderr)
            window.first_painted.connect(lambda: QTimer.singleShot(0, lambda: _finish_headless(app, window, config)))
        else:
            # Once the window is up: a failed backup is said, never a reason not to open.
            window.first_painted.connect(lambda: QTimer.singleShot(0, window.announce_backup_problem))
            # A data folder opened read-only (a CD, a read-only share) says why, once.
            window.first_painted.connect(lambda: QTimer.singleShot(0, window.announce_read_only))
            # One on a network drive or in a OneDrive folder: said once for that folder.
            window.first_painted.connect(lambda: QTimer.singleShot(0, window.announce_location))
        window.show()
        return app.exec()
    finally:
        core.close()


def offer_restore(data_dir: Path, damage: str):
    """The data file cannot be opened because it is damaged: offer to restore a backup over it
    (the damaged file is kept aside). Returns the opened Core, or None when the clerk quits."""
    from lsb_desktop.core import Core
    from lsb_desktop.services.storage import DataFolder
    from ui.backup_dialog import RestoreDialog

    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "无法打开数据",
        f"{damage}\n\n现在用一份备份恢复数据吗？",
        QMessageBox.StandardButton.NoButton,
    )
    restore_button = box.addButton("从备份恢复…", QMessageBox.ButtonRole.AcceptRole)
    quit_button = box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore_button)
    box.setEscapeButton(quit_button)
    box.exec()
    if box.clickedButton() is not restore_button:
        return None
    folder = DataFolder(data_dir)
    try:
        still_damaged = folder.open_for_restore()
        if still_damaged is not None or folder.live_damage() is not None:
            dialog = RestoreDialog.for_folder(folder, still_damaged.message if still_damaged else damage)
            dialog.exec()
            if dialog.result_of_restore is None:  # cancelled, or no backup could be used
                folder.close()
                return None
        return Core(folder)
    except BaseException:
        folder.close()
        raise


def _wait_for_data(app: QApplication, tab, seconds: float = 20.0) -> None:
    """A tab that reads its data off the UI thread (趋势图表) is pictured once it has it."""
    if not getattr(tab, "loading", False):
        return
    loop = QEventLoop()
    tab.loaded.connect(loop.quit)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    if tab.loading:
        loop.exec()
    app.processEvents()


def _finish_headless(app: QApplication, window, config: AppConfig) -> None:
    code = ExitCode.OK
    if config.screenshot is not None:
        _wait_for_data(app, window.tabs.currentWidget())
        config.screenshot.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(config.screenshot)):
            print(f"无法保存截图到 {config.screenshot}", file=sys.stderr)
            code = ExitCode.INTERNAL
    if config.smoke_test:
        print(f"主窗口已显示，共 {window.unit_count()} 个村（社区）")
        print(f"{elapsed_ms():.0f}")
    window.close()
    app.exit(code)
