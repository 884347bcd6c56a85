"""The main window: menus, the tabs, and the fan-out of changes from one tab to the others."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSettings, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from lsb_desktop import APP_NAME, __version__
from lsb_desktop.changes import Changes
from lsb_desktop.config import AppConfig
from lsb_desktop.errors import LsbError
from ui.commitments.tab import CommitmentsTab
from ui.scoring.tab import ScoringTab
from ui.stars.tab import StarsTab
from ui.trends.tab import TrendsTab
from ui.villages.tab import VillagesTab
from ui.widgets.folders import choose_open_file, choose_save_file
from ui.widgets.messages import show_error, show_info

if TYPE_CHECKING:
    from lsb_desktop.core import Core

VILLAGES_TAB = "村（社区）"
COMMITMENTS_TAB = "承诺事项"
SCORING_TAB = "观摩评比"
STARS_TAB = "五星创建"
TRENDS_TAB = "趋势图表"
SCREENSHOT_SIZE = (1280, 800)
BACKUP_WARNING_NOTE = "⚠ 自动备份没有完成，请用 文件 → 立即备份 再试"
BACKUP_WARNING_STYLE = "QLabel { color: #b71c1c; font-weight: bold; padding: 0 6px; }"
# A data folder opened read-only (a CD, a read-only share): said in the title and the status bar.
READ_ONLY_TITLE = "（只读）"
READ_ONLY_NOTE = "只读：只能查看和导出，不能修改"
READ_ONLY_STYLE = "QLabel { color: #e65100; font-weight: bold; padding: 0 6px; }"


class MainWindow(QMainWindow):
    """Holds the tabs; every mutation's Changes go through `broadcast` to every tab."""

    first_painted = Signal()

    def __init__(self, core: Core, config: AppConfig | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.config = config or AppConfig(data_dir=core.data_dir)
        self._painted = False
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.villages_tab = VillagesTab(core, self)
        self.tabs.addTab(self.villages_tab, VILLAGES_TAB)
        self.villages_tab.changed.connect(lambda changes: self.broadcast(changes, source=self.villages_tab))
        self.commitments_tab = CommitmentsTab(core, self, load_when_shown=True)
        self.tabs.addTab(self.commitments_tab, COMMITMENTS_TAB)
        self.commitments_tab.changed.connect(lambda changes: self.broadcast(changes, source=self.commitments_tab))
        self.scoring_tab = ScoringTab(core, self)
        self.tabs.addTab(self.scoring_tab, SCORING_TAB)
        self.scoring_tab.changed.connect(lambda changes: self.broadcast(changes, source=self.scoring_tab))
        self.stars_tab = StarsTab(core, self, load_when_shown=True)
        self.tabs.addTab(self.stars_tab, STARS_TAB)
        self.stars_tab.changed.connect(lambda changes: self.broadcast(changes, source=self.stars_tab))
        self.trends_tab = TrendsTab(core, self)
        self.tabs.addTab(self.trends_tab, TRENDS_TAB)
        self._build_menus()
        self._status = QLabel(self)
        # A backup that could not be written stays in sight until one is taken (立即备份).
        self.backup_warning_label = QLabel(self)
        self.backup_warning_label.setStyleSheet(BACKUP_WARNING_STYLE)
        self.backup_warning_label.hide()
        self._backup_warning_shown = False
        self.read_only_label = QLabel(READ_ONLY_NOTE, self)
        self.read_only_label.setStyleSheet(READ_ONLY_STYLE)
        self.read_only_label.setToolTip(core.read_only or "")
        self.read_only_label.setVisible(bool(core.read_only))
        self._read_only_shown = False
        self.statusBar().addPermanentWidget(self.read_only_label)
        self.statusBar().addPermanentWidget(self.backup_warning_label)
        self.statusBar().addPermanentWidget(self._status)
        self._update_title()
        self._restore_geometry()

    # ----- menus ------------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        self.township_action = self._action("乡镇信息…", self.edit_township)
        self.import_action = self._action("导入村（社区）花名册…", self.import_roster, "Ctrl+I")
        self.export_action = self._action("导出村（社区）花名册…", self.export_roster, "Ctrl+E")
        self.backup_action = self._action("立即备份", self.backup_now, "Ctrl+B")
        self.restore_action = self._action("恢复备份…", self.restore_backup)
        self.check_action = self._action("检查数据", self.check_data)
        self.quit_action = self._action("退出", self.close, QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.township_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addAction(self.check_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        self.about_action = self._action("关于", self.show_about)
        help_menu.addAction(self.about_action)

    # ----- changes ------------------------------------------------------------------------------

    def broadcast(self, changes: Changes, source: QWidget | None = None) -> None:
        """Tell every tab what changed; each reloads only what it shows. The tab that made
        the change (`source`) has already reloaded itself."""
        for index in range(self.tabs.count()):
            tab = self.tabs.widget(index)
            if tab is not source and hasattr(tab, "reload"):
                tab.reload(changes)
        if changes & Changes.SETTINGS:
            self._update_title()
        self._update_status()

    def select_tab(self, title: str) -> bool:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title:
                self.tabs.setCurrentIndex(index)
                return True
        return False

    def unit_count(self) -> int:
        return len(self.core.villages.list_units())

    def _update_title(self) -> None:
        township = self.core.settings.township().township_name
        title = f"{APP_NAME} — {township}" if township else APP_NAME
        self.setWindowTitle(title + (READ_ONLY_TITLE if self.core.read_only else ""))
        self._update_status()

    def _update_status(self) -> None:
        self._status.setText(f"数据文件夹：{self.core.data_dir}")
        warning = self.core.folder.backup_warning
        self.backup_warning_label.setVisible(bool(warning))
        self.backup_warning_label.setText(BACKUP_WARNING_NOTE if warning else "")
        self.backup_warning_label.setToolTip(warning or "")

    def announce_backup_problem(self) -> bool:
        """Say once, in a message, that the backup due at start-up could not be written (the
        status bar keeps a note of it). Returns whether there was anything to say."""
        warning = self.core.folder.backup_warning
        if not warning or self._backup_warning_shown:
            return False
        self._backup_warning_shown = True
        self._notice(QMessageBox.Icon.Warning, "备份没有完成", warning)
        return True

    def announce_location(self) -> bool:
        """Say once for this data folder (remembered on this computer) that it is on a network
        drive or in a sync program's folder, where SQLite's data file is not safe. Returns
        whether it was said now."""
        warning = self.core.folder.location_warning
        key = f"warned/location/{self.core.data_dir}"
        if not warning or QSettings().value(key, False, type=bool):
            return False
        QSettings().setValue(key, True)
        self._notice(QMessageBox.Icon.Warning, "数据文件夹的位置不安全", warning, "我知道了")
        return True

    def announce_read_only(self) -> bool:
        """Say once, in a message, that the data folder opened read-only and why (the title and
        the status bar keep saying so). Returns whether there was anything to say."""
        reason = self.core.read_only
        if not reason or self._read_only_shown:
            return False
        self._read_only_shown = True
        self._notice(QMessageBox.Icon.Information, "只读打开", reason)
        return True

    def _notice(self, icon: QMessageBox.Icon, title: str, text: str, button: str = "确定") -> None:
        """One of the start-up notices: a message with a single button."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, self)
        box.addButton(button, QMessageBox.ButtonRole.AcceptRole)
        box.exec()

    # ----- file menu ----------------------------------------------------------------------------

    def edit_township(self) -> None:
        from ui.township_dialog import TownshipDialog

        dialog = TownshipDialog(self.core, self)
        if dialog.exec():
            self.broadcast(dialog.changes)

    def import_roster(self) -> None:
        path = choose_open_file(self, "roster", "选择村（社区）花名册", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        from ui.villages.roster_dialog import RosterImportDialog

        dialog = RosterImportDialog(self.core, path, self)
        if dialog.preview is not None and dialog.exec():
            self.broadcast(dialog.import_result.changes)
            result = dialog.import_result.value
            self.statusBar().showMessage(
                f"导入完成：新增 {result.added} 个，更新 {result.updated} 个，无变化 {result.unchanged} 个", 10000
            )

    def export_roster(self) -> None:
        township = self.core.settings.township().township_or_placeholder
        path = choose_save_file(
            self, "export", "导出村（社区）花名册", f"{township}村（社区）名册.xlsx", "Excel 工作簿 (*.xlsx)"
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        from lsb_desktop.domain.text import cut_cells_warning, noting_cut_cells

        try:
            with noting_cut_cells() as cuts:
                count = self.core.roster.export(Path(path), f"{township}村（社区）名册")
        except LsbError as exc:
            show_error(self, exc)
            return
        if cuts:
            show_info(self, "部分内容已截断", cut_cells_warning(cuts))
        self.statusBar().showMessage(f"已导出 {count} 个村（社区）到 {path}", 8000)
        from ui.widgets.print_preview import show_exported

        show_exported(self, f"已导出 {count} 个村（社区）的花名册到：\n{path}", Path(path))

    def backup_now(self) -> None:
        try:
            path = self.core.folder.backup("manual")
        except LsbError as exc:
            show_error(self, exc)
            return
        self._update_status()  # a backup that works clears the note of one that did not
        self.statusBar().showMessage(f"已备份到 {path}", 8000)

    def restore_backup(self) -> None:
        from ui.backup_dialog import RestoreDialog

        if RestoreDialog(self.core, self).exec():
            self.broadcast(Changes.ALL)

    def check_data(self) -> None:
        from ui.backup_dialog import CheckReportDialog

        try:
            report = self.core.check()
        except LsbError as exc:
            show_error(self, exc)
            return
        dialog = CheckReportDialog(report, self)
        dialog.exec()
        dialog.deleteLater()

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "关于", "", QMessageBox.StandardButton.NoButton, self)
        box.setText(
            f"<b>{APP_NAME}</b> {__version__}<br>"
            "镇党建办村（社区）党组织书记“亮赛比”（亮承诺、赛实绩、比干劲）评比管理程序。<br><br>"
            f"数据文件夹：{self.core.data_dir}"
        )
        box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
        box.exec()

    # ----- window state -------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        if self.config.screenshot is not None or self.config.smoke_test:
            self.resize(*SCREENSHOT_SIZE)
            return
        geometry = QSettings().value("window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
        self._fit_to_screen()

    def _fit_to_screen(self) -> None:
        """Never larger than the screen's free area (a laptop at 125 % or 175 % scaling has about
        1093 × 583 logical pixels), nor placed off it (a size saved on a bigger monitor)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        # The title bar and borders: the system's, or a usual allowance before the first show.
        frame_w = max(self.frameGeometry().width() - self.width(), 16)
        frame_h = max(self.frameGeometry().height() - self.height(), 40)
        width = max(self.minimumWidth(), min(self.width(), area.width() - frame_w))
        height = max(self.minimumHeight(), min(self.height(), area.height() - frame_h))
        self.resize(width, height)
        x = min(max(self.x(), area.left()), max(area.left(), area.right() - width - frame_w))
        y = min(max(self.y(), area.top()), max(area.top(), area.bottom() - height - frame_h))
        self.move(x, y)

    def closeEvent(self, event) -> None:
        if self.config.screenshot is None and not self.config.smoke_test:
            QSettings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)

    def event(self, event) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest and not self._painted:
            # UpdateRequest is processed right after the window's first paint.
            self._painted = True
            self.first_painted.emit()
        return handled
