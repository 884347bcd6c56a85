"""Holding back a tab's reloads while it is hidden, so start-up only reads what the first
screen shows; the tab reads everything it missed the first time it is shown."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from lsb_desktop.changes import Changes


class LoadWhenShown:
    """`hold(changes)` is True (and remembers the changes) while the widget is hidden and
    deferring is on; `shown()` then runs one reload with everything held back."""

    def __init__(self, widget: QWidget, reload: Callable[[Changes], None], enabled: bool) -> None:
        self._widget = widget
        self._reload = reload
        self.enabled = enabled
        self.pending = Changes.NONE

    def hold(self, changes: Changes) -> bool:
        if not self.enabled or self._widget.isVisible():
            return False
        self.pending |= changes
        return True

    def shown(self) -> None:
        if self.pending:
            changes, self.pending = self.pending, Changes.NONE
            self._reload(changes)
