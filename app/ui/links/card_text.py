"""Words and looks of a link card that are not its layout: the primary button's style and what a
screen reader hears for the countdown."""

from __future__ import annotations

from app.countdown import LinkState

# The primary action: the palette's accent, so it reads on light and dark themes alike.
PRIMARY_BUTTON_STYLE = (
    "QPushButton { background-color: palette(highlight); color: palette(highlighted-text); "
    "border: 1px solid palette(highlight); border-radius: 4px; padding: 4px 14px; font-weight: bold; }"
    "QPushButton:focus { border: 2px solid palette(window-text); }"
    "QPushButton:pressed { background-color: palette(dark); }"
)


def spoken_countdown(account_name: str, state: LinkState, minutes: int) -> str:
    """What a screen reader hears for the countdown; the card changes it (and so has it
    announced) once a minute and on each change of state, not every second."""
    if state is LinkState.EXPIRED:
        return f"The link for {account_name} has expired"
    if state is LinkState.WARNING:
        return f"The link for {account_name} expires within a minute"
    return f"About {minutes} minute{'s' if minutes != 1 else ''} left on the link for {account_name}"
