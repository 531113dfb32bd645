"""``linkdesk profile add|list|remove|use`` and ``linkdesk --profile NAME link|account|history``,
against the sandbox over loopback, with an in-memory keyring and with keyring's fail backend."""

from __future__ import annotations

import io
import json
import logging
import os
import stat

import pytest

from app.cli.entry import main
from app.sandbox import DEMO_ACCOUNTS
from app.sandbox.seed import MODE_BOUND_ACCOUNTS, PLATFORM
from profile_helpers import all_bytes

LIVE_KEY = "rk_live_" + "51Qv8LmZ3cWn4TgRb0q7Rt"
TEST_KEY = "sk_test_" + "51Tz6KpW2nYh8DsFj0z3Pw"
URLS = ["--type", "account_onboarding", "--refresh-url", "https://example.com/r", "--return-url", "https://example.com/b"]


class Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def run(monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", Stdin(stdin))
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_add_checks_the_key_stores_it_in_the_keyring_and_lists_it_redacted(monkeypatch, memory_keyring, make_sandbox):
    server = make_sandbox(live=True)
    status, out, err = run(monkeypatch, "profile", "add", "Acme live", "--api-base", server.url, stdin=LIVE_KEY + "\n")
    assert (status, err) == (0, "")
    assert f"Added profile “Acme live” (LIVE, Accounts v1): {PLATFORM.name} ({PLATFORM.id}); key rk_live_…q7Rt in the OS keyring." in out
    assert list(memory_keyring.passwords.values()) == [LIVE_KEY]
    assert run(monkeypatch, "profile", "use", "acme live")[0] == 0
    status, out, _ = run(monkeypatch, "profile", "list", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["Acme live"] == {
        "name": "Acme live", "kind": "saved", "mode": "LIVE", "platform_name": PLATFORM.name,
        "platform_id": PLATFORM.id, "api_base": server.url, "accounts_api": "v1", "key": "rk_live_…q7Rt",
        "key_storage": "keyring", "default": True}
    assert rows["Sandbox"]["mode"] == "SANDBOX" and not rows["Sandbox"]["default"]
    status, out, _ = run(monkeypatch, "profile", "list")
    assert status == 0 and LIVE_KEY not in out
    assert any(line.startswith("*") and "Acme live" in line and "LIVE" in line for line in out.splitlines())


def test_the_key_never_comes_from_an_argument(monkeypatch, memory_keyring):
    with pytest.raises(SystemExit) as info:
        run(monkeypatch, "profile", "add", "Acme", TEST_KEY)
    assert info.value.code == 2 and memory_keyring.passwords == {}


@pytest.mark.parametrize(("key", "status", "words"), [
    ("pk_test_51Publishable00000abcd", 2, "publishable key"),
    ("not a key", 2, "not a Stripe secret or restricted key"),
    ("sk_test_51Revoked0000000000_revoked", 1, "expired or was revoked"),
    ("sk_test_51Juniper0000000_notplatform", 1, "is not a Connect platform"),
    ("rk_test_51NoConnect000000_noconnect", 1, "may not work with connected accounts"),
    ("sk_live_51UnknownToThisServer00", 1, "does not know the key"),
])
def test_a_key_that_fails_its_check_is_not_saved(monkeypatch, memory_keyring, sandbox, key, status, words):
    code, out, err = run(monkeypatch, "profile", "add", "Acme", "--api-base", sandbox.url, stdin=key)
    assert code == status and words in err and out == ""
    assert key not in err and memory_keyring.passwords == {}
    assert "Acme" not in run(monkeypatch, "profile", "list")[1]


def test_a_key_longer_than_4096_characters_is_refused_whole_and_nothing_is_saved(monkeypatch, memory_keyring, sandbox):
    long_key = "sk_test_51" + "A" * 5_000
    code, out, err = run(monkeypatch, "profile", "add", "Acme", "--api-base", sandbox.url, stdin=long_key + "\n")
    assert code == 2 and "more than 4,096 characters" in err and "Nothing was saved" in err
    assert long_key[:60] not in err and memory_keyring.passwords == {}
    assert "Acme" not in run(monkeypatch, "profile", "list")[1]
    exactly = "sk_test_51" + "B" * (4_096 - 10)  # at the limit: read whole, then checked by Stripe
    code, out, err = run(monkeypatch, "profile", "add", "Acme", "--api-base", sandbox.url, stdin=exactly + "\n")
    assert code == 0, err
    assert list(memory_keyring.passwords.values()) == [exactly]


def test_a_new_platform_without_accounts_is_added_with_a_note(monkeypatch, memory_keyring, sandbox):
    key = "sk_test_51Fq7Hz2Nw9Lb_newplatform"
    code, out, err = run(monkeypatch, "profile", "add", "Fresh", "--api-base", sandbox.url, stdin=key + "\n")
    assert (code, err) == (0, "")
    assert "Added profile “Fresh”" in out and "no connected accounts yet" in out
    assert list(memory_keyring.passwords.values()) == [key]


def test_without_a_keyring_add_refuses_and_explains_key_file(monkeypatch, fail_keyring, sandbox, tmp_path):
    status, out, err = run(monkeypatch, "profile", "add", "Acme", "--api-base", sandbox.url, stdin=TEST_KEY)
    assert status == 2 and "No system keyring" in err and "--key-file PATH" in err
    key_file = tmp_path / "private" / "acme.key"
    status, out, err = run(monkeypatch, "profile", "add", "Acme", "--api-base", sandbox.url,
                           "--key-file", str(key_file), stdin=TEST_KEY)
    assert status == 0, err
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600 and key_file.read_text().strip() == TEST_KEY
    status, out, err = run(monkeypatch, "--profile", "Acme", "account", DEMO_ACCOUNTS["custom_due"])
    assert status == 0 and "Harbor Street Bakery" in out
    assert run(monkeypatch, "profile", "remove", "Acme")[0] == 0
    assert not key_file.exists()


def test_profile_flag_env_variable_and_stripe_api_key(monkeypatch, memory_keyring, sandbox):
    assert run(monkeypatch, "profile", "add", "Demo", "--api-base", sandbox.url, stdin=TEST_KEY)[0] == 0
    status, out, err = run(monkeypatch, "--profile", "Nope", "account", DEMO_ACCOUNTS["custom_due"])
    assert status == 2 and "no profile named “Nope”" in err and "Demo" in err
    monkeypatch.setenv("LINKDESK_PROFILE", "demo")
    assert run(monkeypatch, "account", DEMO_ACCOUNTS["custom_due"])[0] == 0
    monkeypatch.setenv("STRIPE_API_KEY", "sk_live_51EnvironmentKey000abcd")
    monkeypatch.setenv("LINKDESK_API_BASE", sandbox.url)  # a test server: the live key is unknown there
    status, out, err = run(monkeypatch, "account", DEMO_ACCOUNTS["custom_due"])
    assert status == 1 and "refused the API key" in err  # STRIPE_API_KEY won over LINKDESK_PROFILE
    status, out, err = run(monkeypatch, "--profile", "Demo", "account", DEMO_ACCOUNTS["custom_due"])
    assert status == 2 and "Unset STRIPE_API_KEY" in err


def test_a_profiles_accounts_api_is_used_and_the_option_overrides_it_before_or_after_the_command(
        monkeypatch, memory_keyring, sandbox):
    monkeypatch.delenv("LINKDESK_ACCOUNTS_API", raising=False)
    status, out, err = run(monkeypatch, "profile", "add", "Vee", "--api-base", sandbox.url, "--accounts-api", "v2",
                           stdin=TEST_KEY)
    assert (status, err) == (0, "") and "(TEST, Accounts v2)" in out
    _, out, _ = run(monkeypatch, "profile", "list", "--json")
    assert {r["name"]: r["accounts_api"] for r in json.loads(out)} == {"Sandbox": "v1", "Vee": "v2"}
    _, out, _ = run(monkeypatch, "profile", "list")
    header, *lines = out.splitlines()
    assert "ACCOUNTS" in header and any("Vee" in line and " v2 " in line for line in lines)
    account = DEMO_ACCOUNTS["custom_due"]
    attempts = [
        (["--profile", "Vee", "link", account, *URLS], "v2"),  # the profile's setting
        (["--profile", "Vee", "--accounts-api", "v1", "link", account, *URLS], "v1"),  # global, before
        (["--profile", "Vee", "link", account, *URLS, "--accounts-api", "v1"], "v1"),  # per command, after
        (["--accounts-api", "v2", "link", account, *URLS], "v2"),  # the Sandbox profile, made v2 by the option
    ]
    for argv, api in attempts:
        status, out, err = run(monkeypatch, *argv, "--json")
        assert status == 0, err
        assert (json.loads(out).get("accounts_api") or "v1") == api, argv
    monkeypatch.setenv("LINKDESK_ACCOUNTS_API", "v1")  # the environment overrides the profile too
    status, out, err = run(monkeypatch, "--profile", "Vee", "account", account, "--json")
    assert status == 0 and "accounts_api" not in json.loads(out)
    _, out, _ = run(monkeypatch, "history", "--json")
    assert [e["accounts_api"] for e in json.loads(out)] == ["v2", "v1", "v1", "v2"]


def test_a_mode_mixup_names_the_platform(monkeypatch, memory_keyring, make_sandbox):
    server = make_sandbox(live=True)
    assert run(monkeypatch, "profile", "add", "Acme live", "--api-base", server.url, stdin=LIVE_KEY)[0] == 0
    test_only = MODE_BOUND_ACCOUNTS["test_only"]
    status, out, err = run(monkeypatch, "--profile", "Acme live", "link", test_only, *URLS)
    assert status == 1
    assert (f"Account {test_only} exists in test mode; you are using the live key of {PLATFORM.name} "
            f"({PLATFORM.id})") in err


def test_a_whole_session_leaves_the_key_in_no_file(monkeypatch, memory_keyring, make_sandbox, app_paths, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    server = make_sandbox(live=True)
    base = ["--api-base", server.url]
    assert run(monkeypatch, "profile", "add", "Acme live", *base, stdin=LIVE_KEY)[0] == 0
    assert run(monkeypatch, "profile", "add", "Acme test", *base, stdin=TEST_KEY)[0] == 0
    assert run(monkeypatch, "profile", "use", "Acme live")[0] == 0
    status, link_out, _ = run(monkeypatch, "link", DEMO_ACCOUNTS["custom_due"], "--json", *URLS)
    assert status == 0 and json.loads(link_out)["url"].startswith("https://connect.stripe.com/")
    assert run(monkeypatch, "--profile", "Acme test", "link", DEMO_ACCOUNTS["express_ok"], *URLS)[0] == 0
    assert run(monkeypatch, "link", DEMO_ACCOUNTS["express_ok"], "--type", "account_update",
               "--refresh-url", "https://e.example.com/r", "--return-url", "https://e.example.com/b")[0] == 1
    assert run(monkeypatch, "link", DEMO_ACCOUNTS["custom_due"], "--type", "account_onboarding",  # refused: http
               "--refresh-url", "http://e.example.com/r", "--return-url", "https://e.example.com/b")[0] == 2
    status, out, _ = run(monkeypatch, "--profile", "Acme test", "history", "--json")
    rows = json.loads(out)
    assert status == 0 and [r["profile"] for r in rows] == ["Acme test"]
    status, out, _ = run(monkeypatch, "history", "--json")
    assert {r["profile"] for r in json.loads(out)} == {"Acme live", "Acme test"}
    assert run(monkeypatch, "profile", "list", "--json")[0] == 0

    written = all_bytes(app_paths.config_dir, app_paths.data_dir, tmp_path)
    assert b"profiles.json" in written and b"history" in written  # the check looked at real files
    for key in (LIVE_KEY, TEST_KEY):
        assert key.encode() not in written
        assert key not in caplog.text
    assert sorted(memory_keyring.passwords.values()) == sorted([LIVE_KEY, TEST_KEY])


def test_link_takes_the_profiles_default_urls(monkeypatch, memory_keyring, sandbox, app_paths):
    from app.profiles.registry import ProfileRegistry
    from app.profiles.secrets import KeyVault
    from app.profiles.store import SettingsStore
    from app.stripe.keys import ApiKey

    reg = ProfileRegistry(SettingsStore.for_paths(app_paths), KeyVault(), environ={})
    reg.add("Demo", ApiKey(TEST_KEY), api_base=sandbox.url, refresh_url="https://demo.example.com/r",
            return_url="https://demo.example.com/b")
    reg.add("Bare", ApiKey(TEST_KEY), api_base=sandbox.url)
    status, out, err = run(monkeypatch, "--profile", "Demo", "link", DEMO_ACCOUNTS["custom_due"],
                           "--type", "account_onboarding", "--json")
    assert status == 0, err
    status, out, err = run(monkeypatch, "--profile", "Bare", "link", DEMO_ACCOUNTS["custom_due"],
                           "--type", "account_onboarding")
    assert status == 2 and err == ("linkdesk: invalid refresh_url: give --refresh-url URL and --return-url URL, or "
                                   "save defaults for the profile once: linkdesk profile defaults Bare "
                                   "--refresh-url URL --return-url URL\n")  # the command line's way, not Settings

