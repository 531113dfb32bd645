"""The window fits the screen it opens on, and what the operator acts on stays in view (issue 17):
the size is clamped to the screen's available area before the first show, the Account Link form
and Create stay visible whatever the account, a refused link moves nothing under the pointer,
and at 800×600 the mode badge and a whole account id are on screen.

The offscreen screen is 800×600; other screen sizes are given to the clamping function directly,
and the window is resized to the size it would have on them (offscreen does not clamp it)."""

from __future__ import annotations

import asyncio

import pytest
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolBar,
    QToolButton,
    QTreeWidget,
    QWidget,
)

from app.stripe.validation import LinkRequest


async def settle() -> None:
    """Let Qt lay out and paint (its events run on the loop; never processEvents() in a coroutine)."""
    for _ in range(5):
        await asyncio.sleep(0.01)


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


async def resized(window, width: int, height: int) -> None:
    window.resize(width, height)
    await wait_until(lambda: window.size() == QSize(width, height))
    await settle()


@pytest.fixture
async def first_start(qtbot, tmp_path, no_quit_on_close):
    """The window as a new user first sees it: services built as the app builds them (built-in
    sandbox, profiles, no profile saved yet), so the welcome and the profile selector show."""
    from app.services import build_services
    from app.ui.shell.main_window import MainWindow

    services = build_services(data_dir=str(tmp_path / "data"), environ={})
    settings = QSettings(str(tmp_path / "config" / "linkdesk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, settings=settings)
    window.show()
    await window.history_ready()
    yield window
    window.close()
    await window.shutdown()
    await services.aclose()
    assert window.unexpected == []
    window.deleteLater()


# -- 3. the first screen ------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(800, 600), (1366, 768), (1280, 720), (1920, 1080)])
async def test_the_welcome_text_is_laid_out_whole(first_start, size):
    window = first_start
    await resized(window, *size)
    welcome = find(window, "welcomeView")
    assert welcome.isVisible()
    labels = [label for label in welcome.findChildren(QLabel) if label.isVisible() and label.text()]
    assert len(labels) >= 3
    for label in labels:
        metrics = label.fontMetrics()
        if label.wordWrap():  # every line whole: as tall as its text needs at its width
            assert label.height() >= label.heightForWidth(label.width()), label.text()
            assert label.width() >= 30 * metrics.averageCharWidth(), label.text()  # not a strip
        else:
            assert label.width() >= metrics.horizontalAdvance(label.text()), label.text()
    rects = [global_rect(label) for label in labels]
    for i, first in enumerate(rects):  # no two paragraphs overlap
        assert not any(first.intersects(other) for other in rects[i + 1:]), labels[i].text()
    view = global_rect(welcome)
    for widget in labels + welcome.findChildren(QPushButton):
        assert view.contains(global_rect(widget)) and window.geometry().contains(global_rect(widget))


async def test_enter_on_the_welcome_tries_the_sandbox(first_start, qtbot):
    window = first_start
    welcome = find(window, "welcomeView")
    sandbox = find(welcome, "trySandboxButton", QPushButton)
    assert sandbox.isDefault() and not find(welcome, "addKeyButton", QPushButton).isDefault()
    assert window.focusWidget() is sandbox
    qtbot.keyClick(sandbox, Qt.Key.Key_Return)
    await wait_until(lambda: not welcome.isVisible())
    assert window.splitter.isVisible() and window.services.profile.is_sandbox


def test_the_welcome_says_where_a_key_is_kept_truly(qtbot):
    """The key dialog offers a file when there is no keyring: "never in a file" was untrue."""
    from app.ui.profiles.welcome import WelcomeView

    view = WelcomeView()
    qtbot.addWidget(view)
    note = find(view, "welcomeKeyNote", QLabel).text()
    assert "never in a file" not in note
    assert "keyring" in note and "file you choose" in note


# -- 4. the window's size and place -------------------------------------------------------------
@pytest.mark.parametrize(
    ("rect", "available"),
    [
        (QRect(0, 0, 1280, 820), QRect(0, 0, 1366, 768)),  # the default on a 1366×768 laptop
        (QRect(0, 0, 1280, 820), QRect(0, 27, 1366, 741)),  # ... with a panel at the top
        (QRect(0, 0, 1920, 1230), QRect(0, 0, 1280, 720)),  # 1920×1080 at QT_SCALE_FACTOR=1.5
        (QRect(2100, 300, 1280, 900), QRect(0, 0, 1366, 768)),  # saved on a larger screen, now gone
        (QRect(-400, -50, 900, 700), QRect(0, 0, 1366, 768)),  # partly off the top left
    ],
)
def test_a_geometry_is_clamped_into_the_available_area(rect, available):
    from app.ui.shell.geometry import fit_to_screen

    fitted = fit_to_screen(rect, available, QSize(720, 480))
    assert available.contains(fitted), (fitted, available)
    assert fitted.width() == min(rect.width(), available.width())
    assert fitted.height() == min(rect.height(), available.height())


def test_a_geometry_that_fits_is_left_alone():
    from app.ui.shell.geometry import fit_to_screen

    rect = QRect(100, 80, 1000, 600)
    assert fit_to_screen(rect, QRect(0, 0, 1366, 768), QSize(720, 480)) == rect


def test_a_screen_smaller_than_the_minimum_size_still_gets_the_whole_window():
    from app.ui.shell.geometry import fit_to_screen

    fitted = fit_to_screen(QRect(0, 0, 1280, 820), QRect(0, 0, 640, 480), QSize(720, 480))
    assert fitted == QRect(0, 0, 640, 480)


def test_the_frame_shown_first_fits_the_screen_by_default(qtbot, tmp_path):
    """run_gui shows the deferred window's frame at once: it must fit before that first show."""
    from app.ui.shell.main_window import MainWindow

    settings = QSettings(str(tmp_path / "linkdesk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, deferred=True)
    qtbot.addWidget(window)
    available = QGuiApplication.primaryScreen().availableGeometry()  # offscreen: 800×600
    assert available.contains(window.geometry()), (window.geometry(), available)
    assert window.minimumWidth() <= available.width() and window.minimumHeight() <= available.height()


def test_a_geometry_saved_on_a_larger_screen_is_clamped_when_restored(qtbot, tmp_path):
    from app.ui.shell.main_window import MainWindow

    settings = QSettings(str(tmp_path / "linkdesk.ini"), QSettings.Format.IniFormat)
    big = MainWindow(settings=settings, deferred=True)
    qtbot.addWidget(big)
    big.setGeometry(0, 0, 1600, 1000)  # as saved on a 1920×1080 screen
    big.save_geometry()
    restored = MainWindow(settings=settings, deferred=True)
    qtbot.addWidget(restored)
    available = QGuiApplication.primaryScreen().availableGeometry()
    assert available.contains(restored.geometry()), (restored.geometry(), available)


# -- 5. the form and Create stay in view --------------------------------------------------------
@pytest.mark.parametrize("size", [(800, 600), (1366, 768)])
async def test_the_form_and_create_stay_in_view_after_a_long_account(window, accounts, size):
    await resized(window, *size)
    await look_up(window, accounts["express_new"])  # 12 items past due, and a long "Have ready"
    await settle()
    tree = find(window, "requirementsTree", QTreeWidget)
    assert sum(tree.topLevelItem(i).childCount() for i in range(tree.topLevelItemCount())) >= 12
    viewport = global_rect(find(window, "leftScroll", QScrollArea).viewport())
    for name in ("linkForm", "createButton", "accountInput", "lookupButton"):
        rect = global_rect(find(window, name))
        assert window.geometry().contains(rect), (name, rect, window.geometry())
        assert viewport.contains(rect), (name, rect, viewport)
    # The lists scroll inside their own box instead, whose content is laid out whole.
    box = find(window, "accountSummaryScroll", QScrollArea)
    summary = find(window, "accountSummary")
    assert box.verticalScrollBar().maximum() > 0
    assert summary.height() >= summary.heightForWidth(summary.width())
    assert viewport.contains(global_rect(box))


# -- 6. a refused link moves nothing under the pointer ------------------------------------------
@pytest.mark.parametrize("size", [(800, 600), (1366, 768)])
async def test_a_refused_link_does_not_move_create(window, size):
    await resized(window, *size)
    # A fresh test-mode profile: no demo accounts and no recent ones, so the picker is hidden.
    window.account_panel.set_demo_accounts([])
    window.account_panel.set_recent_accounts([])
    await settle()
    picker, create = find(window, "accountPicker"), find(window, "createButton")
    assert not picker.isVisible()
    before = create.mapToGlobal(QPoint(0, 0))
    # Sent as History's "Create again" sends it (the form would look an unknown id up first).
    request = LinkRequest(account="acct_1DoesNotExist00", type="account_onboarding",
                          refresh_url="https://example.com/refresh", return_url="https://example.com/return")
    assert await window.flow.create(request) is None  # Stripe: 400, param "account"
    await window.refresh_recent_accounts()  # (what the panel's timer does a moment later)
    await settle()
    assert find(window, "accountError", QLabel).isVisible() and picker.isVisible()
    assert create.mapToGlobal(QPoint(0, 0)) == before


# -- 7. the mode badge and a whole account id at 800×600 ----------------------------------------
async def test_the_mode_badge_stays_on_the_bar_at_800x600(first_start):
    window = first_start
    await resized(window, 800, 600)
    bar = find(window, "connectionBar", QToolBar)
    assert find(window, "profileSelector").isVisible()  # the bar as users have it: selector, badge
    badge = find(window, "sandboxBadge", QLabel)
    assert badge.isVisible()
    assert bar.rect().contains(QRect(badge.mapTo(bar, QPoint(0, 0)), badge.size()))
    extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible()  # nothing went into "»"
    selector = find(window, "profileSelector")
    assert selector.width() >= selector.sizeHint().width()  # the texts give way, not the selector
    assert find(window, "connectionLabel").toolTip() == find(window, "connectionLabel").text()


def _shown_width(field: QLineEdit) -> int:
    """How much of the field's text Qt shows unscrolled: the distance from the cursor at the
    start to the cursor at the end (Qt scrolls the text when it is wider than the field)."""
    field.home(False)
    field.repaint()
    start = field.cursorRect().center().x()
    field.end(False)
    field.repaint()
    return field.cursorRect().center().x() - start


@pytest.mark.parametrize("size", [(800, 600), (720, 480)])
async def test_the_account_field_shows_a_whole_id(window, size):
    await resized(window, *size)
    field = find(window, "accountInput", QLineEdit)
    metrics = field.fontMetrics()
    widest = max("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", key=metrics.horizontalAdvance)
    for account_id in ("acct_1LdExpressNew001", "acct_" + widest * 16):
        field.setText(account_id)
        await settle()
        assert _shown_width(field) >= metrics.horizontalAdvance(account_id), account_id
    # ...and the field is inside the column, not cut off at its right edge.
    viewport = global_rect(find(window, "leftScroll", QScrollArea).viewport())
    assert viewport.contains(global_rect(field)) and viewport.contains(global_rect(find(window, "lookupButton")))
