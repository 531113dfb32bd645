"""``welcomeView``: shown on first run (no profile saved, no key in the environment).

The text is a column of word-wrapped labels that fill the column's width; the column is as
wide as the window allows up to about 70 characters (a readable line), centred, and the
labels take the height their text needs at that width (the layout honours heightForWidth).
On a very short window the view scrolls rather than squeeze the text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.profiles.texts import RESTRICTED_KEY_ADVICE

LINE_CHARS = 70  # the column's widest: a readable line of text
# True to the key dialog: without a keyring it offers this session only, or a file.
KEY_STORAGE = ("The key is kept in your system's keyring or, where there is none, for this session only "
               "or in a file you choose.")


class WelcomeView(QScrollArea):
    trySandbox = Signal()
    addKey = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="welcomeView", widgetResizable=True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its buttons take focus, not the area
        page = QWidget(self, objectName="welcomePage")
        column = QWidget(page, objectName="welcomeColumn")
        column.setMaximumWidth(LINE_CHARS * column.fontMetrics().averageCharWidth())
        column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        title = QLabel("Welcome to Linkdesk", column, objectName="welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        text = QLabel("Make Stripe Connect onboarding links at the desk. Try it first with the built-in sandbox "
                      "(demo accounts, nothing real), or add your platform's Stripe key.", column,
                      objectName="welcomeText", textFormat=Qt.TextFormat.PlainText)
        note = QLabel(f"{RESTRICTED_KEY_ADVICE} {KEY_STORAGE}", column, objectName="welcomeKeyNote",
                      textFormat=Qt.TextFormat.PlainText)
        self.sandbox_button = QPushButton("Try the sandbox", column, objectName="trySandboxButton")
        self.add_button = QPushButton("Add a Stripe key", column, objectName="addKeyButton")
        # The safe first step is the default: Enter tries the sandbox (it has the focus).
        self.sandbox_button.setDefault(True)
        self.add_button.setAutoDefault(False)
        self.sandbox_button.clicked.connect(self.trySandbox)
        self.add_button.clicked.connect(self.addKey)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sandbox_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        # No alignment flags on the labels: an aligned item gets its size hint's width, not the
        # column's, and its height for that width (the text was cut and overlapped).
        texts = QVBoxLayout(column)
        texts.setContentsMargins(0, 0, 0, 0)
        texts.setSpacing(12)
        for label in (title, text, note):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            texts.addWidget(label)
        texts.addSpacing(4)
        texts.addLayout(buttons)
        # Centred across: the margins share what the column does not take.
        across = QHBoxLayout()
        across.addStretch(1)
        across.addWidget(column, 100)
        across.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addStretch(1)
        layout.addLayout(across)
        layout.addStretch(2)
        self.setWidget(page)
        self.hide()
