import stat

import pytest

from app.paths import AppPaths, StorageError, ensure_private_dir, private_file
from app.private_log import PrivateFileHandler


def test_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("LINKDESK_DATA_DIR", str(tmp_path / "from-env"))
    assert AppPaths.resolve().data_dir == tmp_path / "from-env"
    assert AppPaths.resolve(tmp_path / "from-flag").data_dir == tmp_path / "from-flag"
    monkeypatch.delenv("LINKDESK_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert AppPaths.resolve().data_dir == tmp_path / "xdg" / "linkdesk"


def test_private_dir_mode(tmp_path):
    made = ensure_private_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path):
    chosen = tmp_path / "shared"
    chosen.mkdir(mode=0o755)
    chosen.chmod(0o755)
    ensure_private_dir(chosen)
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o755


def test_a_chosen_data_folder_holds_the_settings_too(tmp_path, monkeypatch):
    chosen = AppPaths.resolve(tmp_path / "chosen")
    assert chosen.settings_file == tmp_path / "chosen" / "linkdesk.ini"
    assert chosen.preferences_file == tmp_path / "chosen" / "preferences.ini"
    assert chosen.log_file == tmp_path / "chosen" / "linkdesk.log"
    monkeypatch.setenv("LINKDESK_DATA_DIR", str(tmp_path / "env"))
    assert AppPaths.resolve().settings_file == tmp_path / "env" / "linkdesk.ini"
    monkeypatch.delenv("LINKDESK_DATA_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    default = AppPaths.resolve()
    assert default.settings_file == tmp_path / "xdg-config" / "linkdesk" / "linkdesk.ini"
    assert default.data_dir != default.config_dir


def test_private_file_creates_or_tightens_to_0600(tmp_path):
    import os

    old = os.umask(0)
    try:
        made = private_file(tmp_path / "linkdesk.ini")
        loose = tmp_path / "loose.ini"
        loose.write_text("[a]\nb=1\n")
        loose.chmod(0o644)
        private_file(loose)
    finally:
        os.umask(old)
    assert stat.S_IMODE(made.stat().st_mode) == 0o600 and made.read_text() == ""
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600 and loose.read_text() == "[a]\nb=1\n"


def test_private_file_never_follows_a_symlink(tmp_path):
    target = tmp_path / "target.ini"
    (tmp_path / "link.ini").symlink_to(target)
    with pytest.raises(StorageError, match="symbolic link") as caught:
        private_file(tmp_path / "link.ini", "the settings file")
    assert "the settings file" in str(caught.value) and not target.exists()
    (tmp_path / "dir.ini").mkdir()
    with pytest.raises(StorageError, match="is a folder"):
        private_file(tmp_path / "dir.ini")


def test_the_log_handler_writes_a_private_file(tmp_path):
    import logging
    import os

    log = logging.getLogger("linkdesk-test-private-log")
    handler = PrivateFileHandler(tmp_path / "linkdesk.log", delay=True, encoding="utf-8")
    log.addHandler(handler)
    old = os.umask(0)
    try:
        log.error("something happened")
    finally:
        os.umask(old)
        log.removeHandler(handler)
        handler.close()
    written = tmp_path / "linkdesk.log"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600 and "something happened" in written.read_text()


def test_a_data_folder_that_cannot_be_made_is_a_storage_error(tmp_path):
    squatter = tmp_path / "file"
    squatter.write_text("")
    with pytest.raises(StorageError) as caught:
        ensure_private_dir(squatter / "data")
    assert str(squatter / "data") in str(caught.value) and "--data-dir" in str(caught.value)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(StorageError, match="not a folder"):
        ensure_private_dir(dangling)
    assert not (tmp_path / "nowhere").exists()
