"""Which screen present mode uses, decided on fake screen lists (offscreen Qt has only one)."""

from __future__ import annotations

from PySide6.QtCore import QRect

from app.ui.links.screens import (
    AUTOMATIC,
    AUTOMATIC_LABEL,
    choose_present_screen,
    screen_choices,
    screen_key,
    screen_label,
)


class FakeScreen:
    def __init__(self, name: str, x: int = 0, y: int = 0, width: int = 1920, height: int = 1080) -> None:
        self._name, self._geometry = name, QRect(x, y, width, height)

    def name(self) -> str:
        return self._name

    def geometry(self) -> QRect:
        return self._geometry


LAPTOP = FakeScreen("eDP-1", 0, 0, 2560, 1600)
CUSTOMER = FakeScreen("HDMI-1", 2560, 0)
PROJECTOR = FakeScreen("DP-2", 4480, 0, 1280, 720)


def test_automatic_takes_the_first_screen_that_is_not_the_primary():
    assert choose_present_screen([LAPTOP, CUSTOMER, PROJECTOR], LAPTOP) is CUSTOMER
    assert choose_present_screen([CUSTOMER, LAPTOP], LAPTOP, AUTOMATIC) is CUSTOMER
    assert choose_present_screen([LAPTOP], LAPTOP) is LAPTOP
    assert choose_present_screen([], None) is None
    assert choose_present_screen([LAPTOP], None) is LAPTOP


def test_the_operators_choice_wins_while_it_is_connected():
    screens = [LAPTOP, CUSTOMER, PROJECTOR]
    assert choose_present_screen(screens, LAPTOP, "DP-2") is PROJECTOR
    assert choose_present_screen(screens, LAPTOP, "eDP-1") is LAPTOP  # even the primary
    assert choose_present_screen([LAPTOP, CUSTOMER], LAPTOP, "DP-2") is CUSTOMER  # gone: automatic
    assert choose_present_screen([LAPTOP], LAPTOP, "DP-2") is LAPTOP


def test_labels_name_the_screen_its_size_and_place():
    assert screen_label(PROJECTOR) == "DP-2 — 1280×720 at 4480, 0"
    assert screen_label(LAPTOP, primary=True) == "eDP-1 — 2560×1600 at 0, 0 (primary)"
    assert screen_label(FakeScreen("")).startswith("Screen — ")


def test_menu_rows_automatic_first_and_the_saved_choice_checked():
    rows = screen_choices([LAPTOP, CUSTOMER], LAPTOP, "")
    assert rows == [
        (AUTOMATIC_LABEL, AUTOMATIC, True, True),
        ("eDP-1 — 2560×1600 at 0, 0 (primary)", "eDP-1", False, True),
        ("HDMI-1 — 1920×1080 at 2560, 0", "HDMI-1", False, True),
    ]
    checked = [value for _label, value, is_checked, _enabled in screen_choices([LAPTOP, CUSTOMER], LAPTOP, "HDMI-1")
               if is_checked]
    assert checked == ["HDMI-1"]


def test_a_saved_screen_that_is_unplugged_stays_listed_but_disabled():
    rows = screen_choices([LAPTOP], LAPTOP, "HDMI-1")
    assert rows[-1] == ("HDMI-1 (not connected: automatic is used)", "HDMI-1", True, False)
    assert [checked for *_rest, checked, _enabled in rows[:-1]] == [False, False]


def test_a_screen_without_a_name_is_known_by_its_geometry():
    unnamed = FakeScreen("", 1920, 0, 1280, 1024)
    assert screen_key(unnamed) == "@1920,0 1280x1024" and screen_key(CUSTOMER) == "HDMI-1"
    assert choose_present_screen([LAPTOP, CUSTOMER, unnamed], LAPTOP, "@1920,0 1280x1024") is unnamed
    assert [row[1] for row in screen_choices([LAPTOP, unnamed], LAPTOP, "")] == ["", "eDP-1", "@1920,0 1280x1024"]
