"""The error banner never shows a key or a link URL, whatever the exception says."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from app.stripe.errors import APIError
from app.ui.shell.error_banner import ErrorBanner, describe_error

KEY = "sk_live_51Hc7aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcd"
URL = "https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/Xy7kPq2mZr9T"
SECRETS = (KEY, URL, "Xy7kPq2mZr9T", "Z0123456789")


@pytest.fixture
def banner(qtbot):
    host = QWidget()  # qtbot holds widgets weakly: the fixture keeps the host alive
    qtbot.addWidget(host)
    banner = ErrorBanner(host)
    host.show()
    yield banner
    host.close()


def shown(banner: ErrorBanner) -> str:
    return "\n".join((banner.message.text(), banner.details.text(), banner.accessibleDescription()))


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_an_unexpected_exception_is_shown_redacted(banner):
    banner.show_error(RuntimeError(f"boom posting {URL} with {KEY}"))
    text = shown(banner)
    assert_no_secret(text)
    assert "RuntimeError: boom posting <account link URL> with sk_live_…abcd" in banner.details.text()
    assert banner.isVisible() and banner.details.isVisible()


def test_a_long_exception_text_is_redacted_before_it_is_cut(banner):
    banner.show_error(ValueError("x" * 255 + URL))  # the URL straddles the 300-character cut
    assert_no_secret(shown(banner))
    assert "https://connect.stripe.com/setup" not in banner.details.text()


def test_stripe_errors_and_plain_messages_are_redacted_too(banner):
    error = APIError(f"echoed {KEY}", http_status=500, request_id="req_123")
    error.explanation = f"Stripe had a problem with {URL}."
    banner.show_error(error)
    assert_no_secret(shown(banner))
    assert "req_123" in banner.details.text() and banner.request_id == "req_123"
    banner.show_message(f"Could not save {URL}", f"OSError: {KEY}")
    assert_no_secret(shown(banner))
    assert banner.message.text() == "Could not save <account link URL>"


def test_describe_error_redacts():
    message, details = describe_error(KeyError(URL))
    assert_no_secret(message + details)
