"""Which profile a run uses, and adding, changing, using and removing profiles with their keys."""

from __future__ import annotations

import pytest

from app.profiles.check import check_key
from app.profiles.model import ENVIRONMENT_NAME, KEY_FILE, SANDBOX_NAME, SESSION
from app.profiles.model import ProfileError
from app.profiles.registry import ProfileRegistry, UnknownProfile
from app.profiles.secrets import KeyMissing, KeyringUnavailable, KeyVault
from app.profiles.store import SettingsStore
from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey

LIVE = ApiKey("rk_live_" + "51RegistryLive0Secret0k9Zq")
TEST = ApiKey("sk_test_" + "51RegistryTest0Secret0m2Xy")


def registry(app_paths, environ=None, vault=None) -> ProfileRegistry:
    return ProfileRegistry(SettingsStore.for_paths(app_paths), vault or KeyVault(), environ=environ or {})


def test_first_run_has_only_the_sandbox_and_chooses_nothing(app_paths):
    reg = registry(app_paths)
    assert [p.name for p in reg.all()] == [SANDBOX_NAME]
    assert reg.first_run and reg.choose() is None
    assert reg.key_for(reg.sandbox).mode == "test" and reg.sandbox.label == "SANDBOX"


def test_adding_a_profile_stores_the_key_in_the_keyring_and_the_rest_in_the_file(app_paths, memory_keyring):
    reg = registry(app_paths)
    acme = reg.add("Acme live", LIVE, refresh_url="https://acme.example.com/r")
    assert (acme.label, acme.key_hint, acme.index_key) == ("LIVE", "rk_live_…k9Zq", f"{acme.id}:live")
    assert memory_keyring.passwords == {("linkdesk", acme.id): LIVE.secret}
    again = registry(app_paths)  # a later run
    assert [p.name for p in again.all()] == [SANDBOX_NAME, "Acme live"]
    assert again.key_for(again.get("acme LIVE")) == LIVE
    assert not again.first_run


async def test_the_checked_platform_is_recorded(app_paths, memory_keyring, sandbox):
    check = await check_key(TEST, api_base=sandbox.url)
    profile = registry(app_paths).add("Demo", TEST, check, api_base=sandbox.url)
    assert registry(app_paths).get("Demo").platform == check.platform


def test_names_are_checked(app_paths, memory_keyring):
    reg = registry(app_paths)
    reg.add("Acme", TEST)
    for name, words in (("", "give the profile a name"), ("sandbox", "built in"), ("ACME", "already exists"),
                        ("x" * 41, "at most 40"), ("a\x1bb", "control characters"), ("Environment", "built in")):
        with pytest.raises(ValidationError, match=words) as info:
            reg.add(name, TEST)
        assert info.value.field == "name"
    assert memory_keyring.passwords.__len__() == 1  # refused names stored no key


@pytest.mark.parametrize("name", ["ＳＡＮＤＢＯＸ", "Ｅｎｖｉｒｏｎｍｅｎｔ", " ｓａｎｄｂｏｘ ", "SANDBOX"])
def test_a_built_in_name_in_other_letter_forms_is_refused(app_paths, memory_keyring, name):
    with pytest.raises(ValidationError, match="built in"):
        registry(app_paths).add(name, TEST)
    assert memory_keyring.passwords == {}


def test_user_names_are_compared_after_nfkc_and_case_folding(app_paths, memory_keyring):
    reg = registry(app_paths)
    reg.add("Acme", TEST)
    reg.add("ﬁsh", TEST)  # the "ﬁ" ligature
    for twin in ("ＡＣＭＥ", "acme", "FISH", "ｆｉｓｈ"):
        with pytest.raises(ValidationError, match="already exists"):
            reg.add(twin, TEST)
    assert reg.get("ＡＣＭＥ").name == "Acme" and reg.get("fish").name == "ﬁsh"
    assert reg.use("ｓａｎｄｂｏｘ").name == "Sandbox" and reg.default is not None and reg.default.is_sandbox


def test_a_live_profile_refuses_http_redirect_defaults_before_anything_is_stored(app_paths, memory_keyring):
    with pytest.raises(ValidationError) as info:
        registry(app_paths).add("Acme", LIVE, return_url="http://acme.example.com/back")
    assert info.value.field == "return_url" and "https" in info.value.message
    assert memory_keyring.passwords == {} and registry(app_paths).saved == ()


def test_without_a_keyring_adding_refuses_and_the_caller_chooses_session_or_file(app_paths, fail_keyring, tmp_path):
    reg = registry(app_paths)
    with pytest.raises(KeyringUnavailable):
        reg.add("Acme", LIVE)
    assert reg.saved == ()  # nothing half-made
    session = reg.add("Acme", LIVE, storage=SESSION)
    assert reg.key_for(session) == LIVE
    with pytest.raises(KeyMissing, match="one session only"):
        registry(app_paths).key_for(registry(app_paths).get("Acme"))  # the next run
    chosen = tmp_path / "keys" / "beta.key"
    beta = reg.add("Beta", TEST, storage=KEY_FILE, key_file=str(chosen))
    assert registry(app_paths).key_for(registry(app_paths).get("Beta")) == TEST
    reg.remove("Beta")
    assert not chosen.exists() and [p.name for p in reg.saved] == ["Acme"]
    assert beta.key_storage == KEY_FILE


def test_use_remove_and_the_default(app_paths, memory_keyring):
    reg = registry(app_paths)
    acme = reg.add("Acme", LIVE)
    reg.add("Beta", TEST)
    reg.use("acme")
    assert registry(app_paths).choose() == acme
    assert registry(app_paths, {"LINKDESK_PROFILE": "Beta"}).choose().name == "Beta"
    assert registry(app_paths, {"LINKDESK_PROFILE": "Beta"}).choose("Sandbox").name == SANDBOX_NAME
    reg.remove("Acme")
    assert ("linkdesk", acme.id) not in memory_keyring.passwords
    assert registry(app_paths).choose() is None  # the default went with it
    with pytest.raises(UnknownProfile, match="Profiles: Sandbox, Beta"):
        reg.remove("Acme")
    with pytest.raises(ValidationError):
        reg.remove("Sandbox")
    reg.use("Sandbox")
    assert registry(app_paths).choose().is_sandbox


def test_stripe_api_key_gives_the_unsaved_environment_profile_and_wins(app_paths, memory_keyring):
    reg = registry(app_paths)
    reg.add("Acme", LIVE)
    reg.use("Acme")
    env = {"STRIPE_API_KEY": TEST.secret, "LINKDESK_API_BASE": "http://127.0.0.1:9", "LINKDESK_PROFILE": "Acme"}
    with_env = registry(app_paths, env)
    chosen = with_env.choose()
    assert (chosen.name, chosen.label, chosen.api_base, chosen.saved) == (ENVIRONMENT_NAME, "TEST", "http://127.0.0.1:9", False)
    assert with_env.key_for(chosen) == TEST
    assert with_env.choose("environment") == chosen
    with pytest.raises(UnknownProfile, match="Unset STRIPE_API_KEY") as info:
        with_env.choose("Acme")  # an explicit --profile is not silently overridden
    assert TEST.secret not in str(info.value)
    with pytest.raises(ValidationError):
        with_env.use("Environment")
    with_env.remember_account(chosen, "acct_1EnvOnly000001")
    assert with_env.recent(chosen) == ("acct_1EnvOnly000001",)
    assert TEST.secret.encode() not in SettingsStore.for_paths(app_paths).path.read_bytes()
    assert b"acct_1EnvOnly000001" not in SettingsStore.for_paths(app_paths).path.read_bytes()


def test_recent_accounts_follow_the_profile_across_runs_and_renames(app_paths, memory_keyring):
    reg = registry(app_paths)
    acme = reg.add("Acme", LIVE)
    reg.add("Beta", TEST)
    reg.remember_account(acme, "acct_1Acme0000001")
    reg.remember_account(reg.get("Beta"), "acct_1Beta0000001")
    reg.use("Acme")
    renamed = reg.update(acme.replace(name="Acme (live)"))
    later = registry(app_paths)
    assert later.recent(later.get("Acme (live)")) == ("acct_1Acme0000001",)
    assert later.recent(later.get("Beta")) == ("acct_1Beta0000001",)
    assert later.choose() == renamed  # the rename kept it the default


def test_replacing_the_key_updates_hint_and_mode(app_paths, memory_keyring):
    reg = registry(app_paths)
    acme = reg.add("Acme", TEST)
    live = reg.replace_key(acme, LIVE)
    assert (live.label, live.id) == ("LIVE", acme.id) and live.index_key != acme.index_key
    assert registry(app_paths).key_for(registry(app_paths).get("Acme")) == LIVE


def test_a_profile_whose_key_cannot_be_deleted_is_kept(app_paths, memory_keyring, fail_keyring_after):
    reg = registry(app_paths)
    reg.add("Acme", LIVE)
    fail_keyring_after()
    with pytest.raises(ProfileError, match="could not be deleted from the keyring") as info:
        reg.remove("Acme")
    assert LIVE.secret not in str(info.value)
    assert [p.name for p in registry(app_paths).saved] == ["Acme"]


@pytest.fixture
def fail_keyring_after():
    import keyring
    import keyring.backends.fail

    return lambda: keyring.set_keyring(keyring.backends.fail.Keyring())


def test_a_relative_key_file_is_kept_as_an_absolute_path(app_paths, fail_keyring, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    profile = registry(app_paths).add("Acme", TEST, storage=KEY_FILE, key_file="acme.key")
    assert profile.key_file == str(tmp_path / "acme.key")
    monkeypatch.chdir(app_paths.config_dir)  # a later run elsewhere still finds it
    again = registry(app_paths)
    assert again.key_for(again.get("Acme")) == TEST


def test_index_keys_are_stable_and_never_shared_by_two_keys(app_paths, memory_keyring):
    acme = registry(app_paths).add("Acme", TEST)
    assert registry(app_paths).get("Acme").index_key == acme.index_key == f"{acme.id}:test"
    assert registry(app_paths).sandbox.index_key == "sandbox:test"
    one = registry(app_paths, {"STRIPE_API_KEY": TEST.secret}).environment
    same = registry(app_paths, {"STRIPE_API_KEY": TEST.secret}).environment
    other = registry(app_paths, {"STRIPE_API_KEY": LIVE.secret}).environment
    elsewhere = registry(app_paths, {"STRIPE_API_KEY": TEST.secret, "LINKDESK_API_BASE": "http://127.0.0.1:1"}).environment
    assert one.index_key == same.index_key
    assert len({one.index_key, other.index_key, elsewhere.index_key}) == 3
    assert TEST.secret not in one.index_key and TEST.secret[8:] not in one.index_key
