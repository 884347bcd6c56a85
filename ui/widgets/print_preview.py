"""Print preview and printing of the program's PDFs (certificates, notices): each page is
rendered with PDFium at the printer's resolution and printed at 100 %, edge to edge, so
offsets calibrated for pre-printed certificate stock stay where they were measured."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from lsb_desktop.errors import StorageError


def _document(path: Path):
    import pypdfium2  # loaded when a preview is first asked for

    try:
        return pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise StorageError(f"无法打开“{path.name}”：{exc}") from exc


def page_sizes_pt(path: Path) -> list[tuple[float, float]]:
    document = _document(path)
    try:
        return [document[index].get_size() for index in range(len(document))]
    finally:
        document.close()


def render_page(path: Path, index: int, dpi: float) -> QImage:
    """One page as an image at `dpi` (a copy: PDFium's buffer is freed with the page)."""
    document = _document(path)
    try:
        page = document[index]
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True, fill_color=(255, 255, 255, 255))
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        channels = stride // width if width else 3
        fmt = QImage.Format.Format_RGBA8888 if channels >= 4 else QImage.Format.Format_RGB888
        image = QImage(bitmap.buffer, width, height, stride, fmt).copy()
        return image
    finally:
        document.close()


def _layout_for(size_pt: tuple[float, float]) -> QPageLayout:
    width, height = size_pt
    orientation = QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    portrait = QSizeF(min(width, height), max(width, height))
    page_size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    return QPageLayout(page_size, orientation, QMarginsF(0, 0, 0, 0))


def paint_pdf(printer: QPrinter, path: Path) -> int:
    """Draw every page of `path` on `printer`, each at its own size, at 100 %."""
    sizes = page_sizes_pt(path)
    printer.setFullPage(True)  # paint from the paper's corner: the PDF carries its own margins
    painter = QPainter()
    pages = 0
    for index, size in enumerate(sizes):
        if index == 0:
            printer.setPageLayout(_layout_for(size))
            if not painter.begin(printer):
                raise StorageError("无法开始打印，请检查打印机")
        else:
            printer.setPageLayout(_layout_for(size))
            printer.newPage()
        dpi = min(printer.resolution(), 300)
        image = render_page(path, index, dpi)
        target = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
        target.moveTo(0, 0)
        painter.drawImage(target, image)
        pages += 1
    if painter.isActive():
        painter.end()
    return pages


class PdfPrintPreview(QPrintPreviewDialog):
    """Qt's print preview over one of our PDFs; its 打印 button prints to the chosen printer."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setFullPage(True)  # no driver margins: the PDF's own layout and offsets count
        printer.setDocName(Path(path).stem)
        super().__init__(printer, parent)
        self._printer = printer
        self.path = Path(path)
        self.setWindowTitle(f"打印预览 — {self.path.name}")
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        self.paintRequested.connect(lambda target: paint_pdf(target, self.path))


NO_PROGRAM = (
    "这台电脑上没有能打开“{suffix}”文件的程序（或没有设定默认程序）。文件已保存在：\n{path}\n"
    "可以点“在文件夹中显示”找到它，再用 WPS 或 Office（PDF 可用浏览器）打开。"
)


def open_file(path: Path, parent: QWidget | None = None) -> bool:
    """Open an exported file with the program Windows associates with it; when there is none,
    say so (with where the file is) instead of doing nothing."""
    path = Path(path)
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    from ui.widgets.messages import show_info

    show_info(parent, "无法打开文件", NO_PROGRAM.format(suffix=path.suffix or "此类", path=path))
    return False


def show_exported(parent: QWidget | None, text: str, path: Path) -> None:
    """“已导出 …” with 打开 and 在文件夹中显示, for the exports that have no status line of their own."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Information, "导出完成", text, QMessageBox.StandardButton.NoButton, parent)
    opening = box.addButton("打开", QMessageBox.ButtonRole.ActionRole)
    folder = box.addButton("在文件夹中显示", QMessageBox.ButtonRole.ActionRole)
    box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is opening:
        open_file(path, parent)
    elif box.clickedButton() is folder:
        show_in_folder(path)


def show_in_folder(path: Path) -> bool:
    """Open the folder holding `path` (Explorer on Windows selects the file)."""
    import subprocess
    import sys

    path = Path(path)
    if sys.platform == "win32":
        subprocess.Popen(["explorer", "/select,", str(path)])
        return True
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
