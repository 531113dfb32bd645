"""The command line's profile rules (issues 17 and 18): one rule for choosing the profile in
every command, link defaults from the profile (a typed URL wins), set on the command line, the
Sandbox's defaults from the start, and ``link --json --qr``. Real HTTP on loopback."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs

import pytest

from app.cli.entry import main
from app.sandbox import DEMO_ACCOUNTS
from app.stripe.keys import ApiKey
from hostile_server import ACCOUNT, HostileServer, json_reply, link_body

TEST_KEY = "sk_test_" + "51CliRulesPlatformKey0z3Pw"
CUSTOM = DEMO_ACCOUNTS["custom_due"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def registry():
    from app.paths import AppPaths
    from app.profiles.registry import ProfileRegistry
    from app.profiles.secrets import KeyVault
    from app.profiles.store import SettingsStore

    return ProfileRegistry(SettingsStore.for_paths(AppPaths.resolve()), KeyVault(), environ={})


def history(*argv: str) -> list[dict]:
    status, out, err = run("history", "--json", *argv)
    assert status == 0, err
    return json.loads(out)


@pytest.mark.parametrize("how", [[], ["--sandbox"], ["--profile", "Sandbox"], ["--accounts-api", "v2"]],
                         ids=["fresh", "--sandbox", "--profile Sandbox", "v2"])
def test_a_sandbox_link_needs_no_typed_url(how):
    """``linkdesk link acct_… --type account_onboarding`` on a fresh machine: the built-in
    Sandbox profile has default refresh and return URLs from the start."""
    status, out, err = run(*how, "link", CUSTOM, "--type", "account_onboarding")
    assert status == 0, err
    assert out.startswith("https://") and CUSTOM in out.splitlines()[0]
    (entry,) = history()
    assert (entry["profile"], entry["refresh_url"]) == ("sandbox", "https://example.com/onboarding/refresh")
    assert entry["return_url"] == "https://example.com/onboarding/return"


def test_a_profile_without_urls_is_told_the_command_line_way_and_profile_defaults_sets_them(
        memory_keyring, sandbox):
    registry().add("Bare shop", ApiKey(TEST_KEY), api_base=sandbox.url)
    status, out, err = run("--profile", "Bare shop", "link", CUSTOM, "--type", "account_onboarding")
    assert status == 2 and out == ""
    assert "Settings" not in err and "linkdesk profile defaults 'Bare shop' --refresh-url URL --return-url URL" in err
    assert run("profile", "defaults", "Bare shop")[1] == "“Bare shop” defaults: refresh URL (none); return URL (none)\n"

    status, out, err = run("profile", "defaults", "bare shop", "--refresh-url", "https://shop.example.com/again",
                           "--return-url", "https://shop.example.com/done")
    assert status == 0, err
    assert out == ("“Bare shop” defaults: refresh URL https://shop.example.com/again; "
                   "return URL https://shop.example.com/done\n")
    status, out, err = run("--profile", "Bare shop", "link", CUSTOM, "--type", "account_onboarding")
    assert status == 0, err
    (entry,) = history()
    assert (entry["refresh_url"], entry["return_url"]) == ("https://shop.example.com/again",
                                                           "https://shop.example.com/done")
    # A bad URL is refused by name and nothing changes; the built-in Sandbox cannot be changed.
    status, _, err = run("profile", "defaults", "Bare shop", "--refresh-url", "ftp://x")
    assert status == 2 and "refresh_url" in err
    assert registry().get("Bare shop").refresh_url == "https://shop.example.com/again"
    status, _, err = run("profile", "defaults", "Sandbox", "--refresh-url", "https://a.example.com/")
    assert status == 2 and "built in" in err


def test_api_base_alone_and_stripe_api_key_say_how_to_give_the_urls(sandbox, monkeypatch):
    status, _, err = run("--api-base", sandbox.url, "link", CUSTOM, "--type", "account_onboarding",
                         "--refresh-url", "https://example.com/r")
    assert status == 2 and "invalid return_url: give --return-url URL" in err and "--sandbox" in err
    monkeypatch.setenv("STRIPE_API_KEY", TEST_KEY)
    status, _, err = run("--api-base", sandbox.url, "link", CUSTOM, "--type", "account_onboarding")
    assert status == 2 and "give --refresh-url URL and --return-url URL" in err and "STRIPE_API_KEY" in err
    assert "Settings" not in err


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_typed_url_wins_over_the_profiles_default(memory_keyring, api):
    """What is sent is what was typed, not the profile's default (issue 18)."""
    server = HostileServer(lambda line, headers, body: json_reply(link_body())).start()
    try:
        registry().add("Shop", ApiKey(TEST_KEY), api_base=server.url, accounts_api=api,
                       refresh_url="https://default.example.com/refresh",
                       return_url="https://default.example.com/return")
        run("--profile", "Shop", "link", ACCOUNT, "--type", "account_onboarding",
            "--refresh-url", "https://typed.example.com/refresh", "--return-url", "https://typed.example.com/return")
        (body,) = [body for line, _, body in server.requests if line.startswith("POST")]
    finally:
        server.stop()
    if api == "v1":
        sent = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        assert (sent["refresh_url"], sent["return_url"]) == ("https://typed.example.com/refresh",
                                                             "https://typed.example.com/return")
    else:
        assert b"https://typed.example.com/refresh" in body and b"https://typed.example.com/return" in body
    assert b"default.example.com" not in body


def test_one_profile_rule_for_every_command(memory_keyring, sandbox, monkeypatch):
    """``--profile``, LINKDESK_PROFILE and STRIPE_API_KEY mean the same for history as for link
    and account (issue 17): the profile asked for filters history; STRIPE_API_KEY with another
    ``--profile`` is refused by all three."""
    registry().add("Demo", ApiKey(TEST_KEY), api_base=sandbox.url)
    assert run("link", CUSTOM, "--type", "account_onboarding")[0] == 0  # the Sandbox
    assert run("--profile", "Demo", "link", CUSTOM, "--type", "account_onboarding",
               "--refresh-url", "https://example.com/r", "--return-url", "https://example.com/b")[0] == 0
    assert {e["profile"] for e in history()} == {"sandbox", "Demo"}
    assert {e["profile"] for e in history("--profile", "demo")} == {"Demo"}
    assert {e["profile"] for e in history("--sandbox")} == {"sandbox"}
    monkeypatch.setenv("LINKDESK_PROFILE", "Demo")
    assert {e["profile"] for e in history()} == {"Demo"}
    assert {e["profile"] for e in history("--profile", "Sandbox")} == {"sandbox"}  # the flag wins
    monkeypatch.setenv("LINKDESK_PROFILE", "Nope")
    status, out, err = run("history")
    assert status == 2 and "no profile named “Nope”" in err and out == ""

    monkeypatch.delenv("LINKDESK_PROFILE")
    monkeypatch.setenv("STRIPE_API_KEY", TEST_KEY)
    monkeypatch.setenv("LINKDESK_API_BASE", sandbox.url)
    refusals = [run("--profile", "Demo", *argv) for argv in (
        ["history"], ["account", CUSTOM], ["link", CUSTOM, "--type", "account_onboarding"])]
    assert [status for status, _, _ in refusals] == [2, 2, 2]
    assert len({err for _, _, err in refusals}) == 1 and "Unset STRIPE_API_KEY" in refusals[0][2]
    assert {e["profile"] for e in history()} == {"sandbox", "Demo"}  # nothing asked: every profile's
    monkeypatch.setenv("LINKDESK_PROFILE", "Demo")  # STRIPE_API_KEY wins over it, as for link
    assert history() == []  # the Environment profile made no link yet


def test_link_json_with_qr_carries_the_qr_code_of_the_printed_url():
    status, out, err = run("link", CUSTOM, "--type", "account_onboarding", "--json", "--qr")
    assert status == 0, err
    printed = json.loads(out)
    assert modules(printed["qr"]) == matrix_of(printed["url"])


def modules(rows: list[str]) -> list[list[int]]:
    """Dark (1) and light (0) modules from half-block rows (the terminal's light-on-dark drawing:
    a block is a light module)."""
    top = {"█": 0, "▀": 0, "▄": 1, " ": 1}
    bottom = {"█": 0, "▀": 1, "▄": 0, " ": 1}
    grid: list[list[int]] = []
    for row in rows:
        grid.append([top[c] for c in row])
        grid.append([bottom[c] for c in row])
    return grid


def matrix_of(url: str) -> list[list[int]]:
    import segno

    code = segno.make(url, error="m", micro=False)
    grid = [[1 if dark else 0 for dark in row] for row in code.matrix_iter(border=4)]
    return grid + ([[1] * len(grid[0])] if len(grid) % 2 else [])  # the last half row, if odd
