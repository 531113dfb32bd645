"""profiles.json: versioned, atomic, mode 0600, per-profile recent accounts, and a damaged or
newer file never crashes and is never silently overwritten."""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest

from app.profiles.model import Profile, new_profile_id
from app.profiles.store import FILE_NAME, MAX_RECENT, Settings, SettingsError, SettingsStore


def acme(name: str = "Acme live", **fields) -> Profile:
    return Profile(name=name, id=new_profile_id(), key_hint="rk_live_…abcd", platform_id="acct_1Acme0000000",
                   platform_name="Acme Market", refresh_url="https://acme.example.com/r", **fields)


@pytest.fixture
def store(app_paths) -> SettingsStore:
    return SettingsStore.for_paths(app_paths)


def test_settings_round_trip_in_a_private_versioned_file(store, app_paths):
    assert store.load() == Settings()  # no file yet: defaults, no problem
    profile = acme(collection_fields="eventually_due", store_urls=False)
    store.save(Settings(profiles=(profile,), default="Acme live"))
    assert store.path == app_paths.config_dir / FILE_NAME
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(app_paths.config_dir).st_mode) == 0o700
    data = json.loads(store.path.read_text())
    assert data["version"] == 2 and data["default"] == "Acme live"
    loaded = store.load()
    assert loaded.profiles == (profile,) and loaded.default == "Acme live" and loaded.problems == ()
    assert [p.name for p in app_paths.config_dir.iterdir()] == [FILE_NAME]  # no temporary file left


def test_the_accounts_api_is_saved_and_a_version_1_file_reads_as_v1(store):
    v2 = acme(accounts_api="v2")
    store.save(Settings(profiles=(v2,)))
    assert json.loads(store.path.read_text())["profiles"][0]["accounts_api"] == "v2"
    assert store.load().profiles[0].accounts_api == "v2"
    # written before the setting existed: no field, version 1 -> v1, and the file stays writable
    old = {k: v for k, v in acme(name="Old").to_json().items() if k != "accounts_api"}
    store.path.write_text(json.dumps({"version": 1, "profiles": [old, {**old, "name": "Odd", "id": new_profile_id(),
                                                                      "accounts_api": "v9"}]}))
    settings = store.load()
    assert [p.accounts_api for p in settings.profiles] == ["v1", "v1"] and not settings.read_only
    store.update(lambda s: s.with_profile(s.profiles[0].replace(accounts_api="v2")))
    data = json.loads(store.path.read_text())
    assert data["version"] == 2 and data["profiles"][0]["accounts_api"] == "v2"
    with pytest.raises(ValueError):  # checked() names the field
        acme(accounts_api="v3").checked()


def test_each_profile_keeps_its_own_recent_accounts(store):
    a, b = acme(), acme(name="Beta test")
    settings = store.update(lambda s: s.with_profile(a).with_profile(b))
    for n in range(MAX_RECENT + 3):
        settings = settings.with_recent(a.index_key, f"acct_1Recent{n:06d}")
    settings = settings.with_recent(b.index_key, "acct_1OnlyBeta0001").with_recent(a.index_key, "acct_1Recent000005")
    store.save(settings)
    loaded = store.load()
    assert loaded.recent[a.index_key][0] == "acct_1Recent000005"
    assert len(loaded.recent[a.index_key]) == MAX_RECENT and len(set(loaded.recent[a.index_key])) == MAX_RECENT
    assert loaded.recent[b.index_key] == ("acct_1OnlyBeta0001",)
    assert store.load().without(a.id).recent == {b.index_key: ("acct_1OnlyBeta0001",)}


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe garbage", b"[1, 2]", b'{"profiles": []}', b""])
def test_a_damaged_file_is_set_aside_with_a_message(store, content):
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    settings = store.load()
    assert settings.profiles == () and not settings.read_only
    (message,) = settings.problems
    assert "set aside as profiles.json.damaged-" in message
    aside = [p for p in store.path.parent.iterdir() if p.name.startswith(f"{FILE_NAME}.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == content  # kept, for the user to look at
    assert not store.path.exists()
    store.update(lambda s: s.with_profile(acme()))  # and the app goes on saving
    assert store.load().profiles[0].name == "Acme live"


def test_unusable_profiles_are_skipped_and_named_the_rest_is_kept(store):
    good = acme()
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"version": 1, "profiles": [
        good.to_json(), {"name": "No id"}, "a string", {"name": "Acme LIVE", "id": new_profile_id()},
        {**good.to_json(), "name": "Odd", "id": new_profile_id(), "key_storage": 7, "platform_name": "\x1b[31mRed\x07",
         "platform_id": "not-an-id", "collection_fields": "everything", "store_urls": "yes", "future": {"x": 1}},
    ], "recent": {"x": ["acct_1Fine00000001", "javascript:alert(1)", 3], "y": "nope"}}))
    settings = store.load()
    assert [p.name for p in settings.profiles] == ["Acme live", "Odd"]
    assert len(settings.problems) == 3
    odd = settings.profiles[1]
    assert (odd.key_storage, odd.platform_name, odd.platform_id, odd.collection_fields, odd.store_urls) == (
        "keyring", "[31mRed", None, None, True)
    assert settings.recent == {"x": ("acct_1Fine00000001",), "y": ()}


def test_a_file_from_a_newer_version_is_read_but_never_overwritten(store):
    store.path.parent.mkdir(parents=True)
    newer = {"version": 3, "default": "Acme live", "profiles": [acme().to_json()], "new_thing": True}
    store.path.write_text(json.dumps(newer))
    settings = store.load()
    assert settings.read_only and [p.name for p in settings.profiles] == ["Acme live"]
    assert "newer Linkdesk" in settings.problems[0]
    with pytest.raises(SettingsError, match="read-only"):
        store.update(lambda s: s.with_default(None))
    with pytest.raises(SettingsError):
        store.save(Settings())
    assert json.loads(store.path.read_text()) == newer


def test_an_unreadable_file_makes_settings_read_only_not_a_crash(store):
    store.path.parent.mkdir(parents=True)
    store.path.mkdir()  # reading a folder fails with an OSError, as a file without permission would
    settings = store.load()
    assert settings.read_only and "could not be read" in settings.problems[0]
    with pytest.raises(SettingsError):
        store.save(Settings())


def test_a_failed_write_is_a_plain_settings_error_and_leaves_no_temporary_file(tmp_path):
    blocker = tmp_path / "config-is-a-file"
    blocker.write_text("not a folder")
    store = SettingsStore(blocker / FILE_NAME)
    with pytest.raises(SettingsError, match="could not be saved") as info:
        store.update(lambda s: s.with_default("Sandbox"))
    assert "Not a directory" in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == ["config-is-a-file"]


def test_a_write_replaces_the_file_in_one_step(store):
    """Readers racing a writer see the old or the new settings, never a part of either."""
    store.save(Settings(profiles=(acme(),)))
    seen: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            settings = store.load()
            assert settings.problems == (), settings.problems
            seen.add(len(settings.profiles))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(30):
            store.save(Settings(profiles=tuple(acme(name=f"P{i}") for i in range(1 + n % 2))))
    finally:
        stop.set()
        reader.join()
    assert seen <= {1, 2} and seen


def test_two_instances_changing_settings_at_once_keep_both_changes(app_paths):
    first, second = SettingsStore.for_paths(app_paths), SettingsStore.for_paths(app_paths)
    barrier = threading.Barrier(2)

    def add(store: SettingsStore, name: str) -> None:
        barrier.wait()
        for n in range(10):
            store.update(lambda s: s.with_profile(acme(name=f"{name} {n}")))

    threads = [threading.Thread(target=add, args=(s, n)) for s, n in ((first, "A"), (second, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(SettingsStore.for_paths(app_paths).load().profiles) == 20
