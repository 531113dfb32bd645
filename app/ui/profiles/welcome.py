"""``welcomeView``: shown on first run (no profile saved, no key in the environment)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.profiles.texts import RESTRICTED_KEY_ADVICE


class WelcomeView(QWidget):
    trySandbox = Signal()
    addKey = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="welcomeView")
        title = QLabel("Welcome to Linkdesk", self, objectName="welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        text = QLabel("Make Stripe Connect onboarding links at the desk. Try it first with the built-in sandbox "
                      "(demo accounts, nothing real), or add your platform's Stripe key.", self)
        text.setWordWrap(True)
        note = QLabel(RESTRICTED_KEY_ADVICE + " The key is kept in your system's keyring, never in a file.",
                      self, objectName="welcomeKeyNote", textFormat=Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        self.sandbox_button = QPushButton("Try the sandbox", self, objectName="trySandboxButton")
        self.add_button = QPushButton("Add a Stripe key", self, objectName="addKeyButton")
        self.add_button.setDefault(True)
        self.sandbox_button.clicked.connect(self.trySandbox)
        self.add_button.clicked.connect(self.addKey)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sandbox_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (title, text, note):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            widget.setMaximumWidth(640)
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self.hide()
