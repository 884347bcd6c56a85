"""Where file dialogs start: the folder last used for that kind of file, else 文档 (Documents).
`choose_open_file`, `choose_open_files` and `choose_save_file` are the file dialogs every tab
uses: each starts in the remembered folder of its kind and remembers the clerk's choice;
`browse_save_path` is the 浏览… beside an export dialog's 保存到 field.

Never the data folder or its parent: on Windows that is the hidden AppData\\Roaming, where a
clerk would not find what she saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QLineEdit, QWidget


def documents_folder() -> str:
    """The user's Documents folder (文档), or the home folder where there is none."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return found or str(Path.home())


def last_folder(kind: str) -> str:
    """The folder a file of `kind` (roster, scores, export, charts, …) was last opened from or
    saved to, while it still exists; Documents otherwise."""
    folder = QSettings().value(f"folders/{kind}", "", type=str)
    if folder and Path(folder).is_dir():
        return folder
    return documents_folder()


def remember_folder(kind: str, path: str | Path) -> None:
    """Remember the folder of `path` (a file just opened or saved) for the next dialog of `kind`."""
    QSettings().setValue(f"folders/{kind}", str(Path(path).parent))


def suggested_path(kind: str, name: str) -> str:
    """`name` in the remembered folder of `kind`: what a save dialog or a 保存到 field offers."""
    return str(Path(last_folder(kind)) / name)


def choose_open_file(parent: QWidget | None, kind: str, title: str, file_filter: str) -> str | None:
    """The file the clerk picks to open, starting in the folder of `kind`; None when she cancels."""
    path, _ = QFileDialog.getOpenFileName(parent, title, last_folder(kind), file_filter)
    if not path:
        return None
    remember_folder(kind, path)
    return path


def choose_open_files(parent: QWidget | None, kind: str, title: str, file_filter: str) -> list[str]:
    """The files the clerk picks to open (several allowed), starting in the folder of `kind`;
    empty when she cancels. The folder of the first is remembered."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, last_folder(kind), file_filter)
    if not paths:
        return []
    remember_folder(kind, paths[0])
    return list(paths)


def browse_save_path(parent: QWidget | None, field: QLineEdit, title: str, file_filter: str) -> None:
    """浏览… beside a 保存到 field: the save dialog opens at the field's path (which came from
    `suggested_path`) and puts the clerk's choice into the field; the export that writes it
    remembers the folder."""
    path, _ = QFileDialog.getSaveFileName(parent, title, field.text(), file_filter)
    if path:
        field.setText(path)


def choose_save_file(
    parent: QWidget | None, kind: str, title: str, suggested_name: str, file_filter: str
) -> str | None:
    """Where the clerk saves a file, offering `suggested_name` in the folder of `kind`; None
    when she cancels."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested_path(kind, suggested_name), file_filter)
    if not path:
        return None
    remember_folder(kind, path)
    return path
