"""``profileSelector``: the profile combo in the header (Ctrl+Alt+1..9 pick the first nine)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QWidget

if TYPE_CHECKING:
    from app.profiles.model import Profile


class ProfileSelector(QComboBox):
    """Each item: "Name — LABEL", its data the profile's id. ``profileChosen(id)`` when the
    operator picks another one (not when the list is set from code)."""

    profileChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="profileSelector")
        self.setAccessibleName("Profile")
        self.setToolTip("Which platform and key to use (Ctrl+Alt+1…9)")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setMinimumContentsLength(14)
        self._quiet = False
        self.activated.connect(self._activated)

    def set_profiles(self, profiles: Iterable["Profile"], current: "Profile | None") -> None:
        self._quiet = True
        try:
            self.clear()
            for n, profile in enumerate(profiles):
                self.addItem(f"{profile.name} — {profile.label}", profile.id)
                shortcut = f"  (Ctrl+Alt+{n + 1})" if n < 9 else ""
                self.setItemData(n, f"{profile.platform}{shortcut}", role=3)  # Qt.ToolTipRole
            self.select(current)
        finally:
            self._quiet = False

    def select(self, profile: "Profile | None") -> None:
        index = self.findData(profile.id) if profile is not None else -1
        self._quiet = True
        try:
            self.setCurrentIndex(index)
        finally:
            self._quiet = False

    def current_id(self) -> str | None:
        return self.currentData()

    def choose_index(self, index: int) -> None:
        """What Ctrl+Alt+N does: pick item N-1 as if the operator chose it."""
        if 0 <= index < self.count() and index != self.currentIndex():
            self.setCurrentIndex(index)
            self._activated(index)

    def _activated(self, index: int) -> None:
        if not self._quiet and index >= 0:
            self.profileChosen.emit(self.itemData(index))

    def install_shortcuts(self, window: QWidget) -> list[QShortcut]:
        shortcuts = []
        for n in range(1, 10):
            shortcut = QShortcut(QKeySequence(f"Ctrl+Alt+{n}"), window)
            shortcut.setObjectName(f"profileShortcut{n}")
            shortcut.setWhatsThis(f"Use profile {n} of the profile list")  # (the F1 list says this)
            shortcut.activated.connect(lambda index=n - 1: self.choose_index(index))
            shortcuts.append(shortcut)
        return shortcuts
