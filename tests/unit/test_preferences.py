"""Preferences: defaults, round trip, tolerance of damage, and what turning URL keeping off does."""

import stat

import pytest

from app.preferences import Preferences
from test_history_store import file_bytes, make_entry, secret_url


def test_defaults_when_there_is_no_file(tmp_path):
    assert Preferences.load(tmp_path / "missing.ini") == Preferences(store_urls=True, retention_days=365)


def test_round_trip_and_private_file(tmp_path):
    path = tmp_path / "config" / "preferences.ini"
    Preferences(store_urls=False, retention_days=30).save(path)
    assert Preferences.load(path) == Preferences(store_urls=False, retention_days=30)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["preferences.ini"]  # no temporary file left


def test_notifications_are_on_by_default_and_can_be_turned_off(tmp_path):
    path = tmp_path / "preferences.ini"
    assert Preferences.load(path).notify is True
    Preferences(notify=False).save(path)
    assert Preferences.load(path) == Preferences(notify=False)
    path.write_text("[notifications]\nenabled = perhaps\n")
    assert Preferences.load(path).notify is True


def test_damaged_values_fall_back_to_defaults(tmp_path):
    path = tmp_path / "preferences.ini"
    path.write_text("[history]\nstore_urls = perhaps\nretention_days = -4\n")
    assert Preferences.load(path) == Preferences()
    path.write_bytes(b"\xff\xfe not an ini file [")
    assert Preferences.load(path) == Preferences()


def test_turning_url_keeping_off_erases_stored_urls_from_the_files(store, clock, tmp_path):
    url = secret_url(7)
    store.record(make_entry(clock, 1, url=url))
    assert url.encode() in file_bytes(store.path.parent)
    store.set_store_urls(False)
    assert store.get(1).url is None
    assert url.encode() not in file_bytes(store.path.parent)
    later = secret_url(8)
    store.record(make_entry(clock, 2, url=later))
    assert later.encode() not in file_bytes(store.path.parent)


def test_saving_where_it_cannot_says_which_file_and_leaves_no_temporary_file(tmp_path):
    from app.paths import StorageError

    squatter = tmp_path / "config"
    squatter.write_text("a file, not a folder")
    with pytest.raises(StorageError, match="is a file"):
        Preferences(store_urls=False).save(squatter / "preferences.ini")
    (tmp_path / "folder" / "preferences.ini").mkdir(parents=True)  # a folder where the file goes
    with pytest.raises(StorageError) as caught:
        Preferences(store_urls=False).save(tmp_path / "folder" / "preferences.ini")
    assert str(tmp_path / "folder" / "preferences.ini") in str(caught.value)
    assert [p.name for p in (tmp_path / "folder").iterdir()] == ["preferences.ini"]
