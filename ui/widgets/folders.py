"""Where file dialogs start: the folder last used for that kind of file, else 文档 (Documents).

Never the data folder or its parent: on Windows that is the hidden AppData\\Roaming, where a
clerk would not find what she saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths


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
