"""Checks on untrusted text: link URLs, plain text for terminals and labels, request ids."""

from __future__ import annotations

import pytest

from app.stripe.safety import (
    ACCOUNT_LINK_HOSTS,
    ACCOUNTS_V2_LINK_HOSTS,
    UnsafeLink,
    check_link_url,
    link_url_problem,
    plain_text,
    request_id_or_none,
    unprintable_char,
)
from hostile_server import BAD_LINK_URLS, GOOD_LINK_URL

V2_URL = "https://accounts.stripe.com/r/acct_1Nv0FGQ9RKHgCVdK#alu_61SX0lJ2n8jJ0CVJq16SX0lIj0SQWNa2GdS"


@pytest.mark.parametrize("kind", sorted(BAD_LINK_URLS))
def test_every_hostile_link_is_refused_without_quoting_it(kind):
    url = BAD_LINK_URLS[kind]
    with pytest.raises(UnsafeLink) as caught:
        check_link_url(url)
    reason = caught.value.reason
    assert reason and str(caught.value) == reason
    if isinstance(url, str) and len(url) > 10:
        assert url not in reason and "evil" not in reason


@pytest.mark.parametrize(
    "url",
    [
        GOOD_LINK_URL,
        "https://connect.stripe.com/express/onboarding/Zq8bXk2mL0pA",
        "https://connect.stripe.com/setup/e/acct_1/abc?x=1",
        "https://connect.stripe.com/d/setup/s/abc#frag",
    ],
)
def test_stripe_links_pass_unchanged(url):
    assert check_link_url(url) == url and link_url_problem(url) is None


def test_the_host_set_is_a_parameter_for_accounts_v2():
    assert check_link_url(V2_URL, ACCOUNTS_V2_LINK_HOSTS) == V2_URL
    assert link_url_problem(V2_URL) == "the link's host is not connect.stripe.com"  # a v1 link must be v1's
    assert link_url_problem(GOOD_LINK_URL, ACCOUNTS_V2_LINK_HOSTS) == "the link's host is not accounts.stripe.com"
    both = ACCOUNT_LINK_HOSTS | ACCOUNTS_V2_LINK_HOSTS
    assert link_url_problem("https://evil.example/r", both) == (
        "the link's host is not accounts.stripe.com or connect.stripe.com"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "the link is not an https:// address"),
        ("https://connect.stripe.com:443/setup/x", "the link names a port"),
        ("https://u:p@connect.stripe.com/setup/x", "the link carries a user name or password"),
        ("https://connect.stripe.com/setup/\x1b[2J", "the link contains spaces, control or non-ASCII characters"),
        ("https://connect.stripe.com", "the link has no path"),
        (None, "the link is not text"),
    ],
)
def test_each_refusal_says_what_is_wrong(url, reason):
    assert link_url_problem(url) == reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme Ltd", "Acme Ltd"),
        ("Acme\nExpires 2099-01-01", "Acme Expires 2099-01-01"),
        ("\x1b]0;pwned\x07Acme\x1b[2J", "]0;pwned Acme [2J"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("zero\u200bwidth", "zerowidth"),
        ("  spaced   out\t", "spaced out"),
        ("Ünïcödé 株式会社", "Ünïcödé 株式会社"),
        ("\x85next\u2028line", "next line"),
    ],
)
def test_plain_text_removes_what_could_reformat_a_terminal_or_label(text, expected):
    cleaned = plain_text(text)
    assert cleaned == expected
    assert all(c.isprintable() for c in cleaned)


def test_plain_text_cuts_long_text():
    assert plain_text("x" * 50, limit=10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("req_9Hn2ZkQbXc4aR1", True),
        ("req_a", True),
        ("sk_test_51Hx9TestKeyNotRealAbCdEfGh4abc", False),
        ("req_sk_test_51Hx9TestKeyNotReal", False),
        ("req_" + "a" * 65, False),
        ("req_abc\r\nX-Forged: 1", False),
        ("req_", False),
        ("", False),
        (None, False),
    ],
)
def test_only_request_ids_that_look_like_stripes_are_kept(value, kept):
    assert request_id_or_none(value) == (value if kept else None)


def test_unprintable_char_finds_invisible_characters():
    assert unprintable_char("example.com") is None
    assert unprintable_char("exa\u200bmple.com") == "\u200b"
    assert unprintable_char("exa\u00admple.com") == "\u00ad"
    assert unprintable_char("a b") == " "
