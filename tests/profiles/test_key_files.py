"""Key files never overwrite or delete what is not Linkdesk's (issue 18, point 1): a new file is
created exclusively (no symlink followed), a file the user wrote with only the key is read and
never rewritten, anything else (their data, a symlink, a FIFO, a folder, a device) is refused
unchanged, and ``profile remove`` deletes only a file Linkdesk created that no other profile
uses. Real files, symlinks, FIFOs and device nodes in a temporary folder; the CLI against the
sandbox over loopback."""

from __future__ import annotations

import io
import os
import stat

import pytest

from app.cli.entry import main
from app.profiles.keyfile import read_key_file
from app.profiles.model import KEY_FILE
from app.profiles.registry import ProfileRegistry
from app.profiles.secrets import KeyVault
from app.profiles.store import SettingsStore
from app.sandbox import DEMO_ACCOUNTS
from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey

KEY = "sk_test_" + "51Kf4Tq8Zm2Wx6Rp0Qw7"
OTHER = "sk_test_" + "51Kf9Oy3Vb7Nc5Ls0Zx4"
NOTES = "my notes: call the bank on Monday\n"


class Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def run(monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", Stdin(stdin))
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def add(monkeypatch, sandbox, name: str, path, key: str = KEY) -> tuple[int, str, str]:
    return run(monkeypatch, "profile", "add", name, "--api-base", sandbox.url, "--key-file", str(path), stdin=key + "\n")


def works(monkeypatch, name: str) -> bool:
    status, out, _ = run(monkeypatch, "--profile", name, "account", DEMO_ACCOUNTS["custom_due"])
    return status == 0 and "Harbor Street Bakery" in out


def snapshot(path) -> tuple:
    info = os.lstat(path)
    content = os.readlink(path) if stat.S_ISLNK(info.st_mode) else (
        path.read_bytes() if stat.S_ISREG(info.st_mode) else None)
    return stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), info.st_ino, info.st_mtime_ns, content


def refused(monkeypatch, sandbox, path, words: str) -> None:
    status, out, err = add(monkeypatch, sandbox, "Kf", path)
    assert status == 2 and out == "" and words in err, err
    assert KEY not in err
    assert "Kf" not in run(monkeypatch, "profile", "list")[1]


def test_a_file_holding_the_users_data_is_neither_overwritten_nor_deleted(monkeypatch, fail_keyring, sandbox, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES)
    os.chmod(notes, 0o644)
    before = snapshot(notes)
    refused(monkeypatch, sandbox, notes, "never overwrites a file it did not create")
    assert snapshot(notes) == before


def test_a_symlink_is_refused_and_its_target_untouched(monkeypatch, fail_keyring, sandbox, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text(NOTES)
    link = tmp_path / "kf.key"
    link.symlink_to(target)
    before_target, before_link = snapshot(target), snapshot(link)
    refused(monkeypatch, sandbox, link, "is a symbolic link")
    assert snapshot(target) == before_target and snapshot(link) == before_link
    dangling = tmp_path / "dangling.key"  # a link to nothing: following it would create the target
    dangling.symlink_to(tmp_path / "elsewhere" / "created-through-the-link")
    refused(monkeypatch, sandbox, dangling, "is a symbolic link")
    assert os.path.islink(dangling) and not (tmp_path / "elsewhere").exists()


def test_a_fifo_and_a_folder_are_refused_as_they_are(monkeypatch, fail_keyring, sandbox, tmp_path):
    fifo = tmp_path / "pipe.key"
    os.mkfifo(fifo, 0o600)
    before = snapshot(fifo)
    refused(monkeypatch, sandbox, fifo, "is a named pipe (FIFO)")  # never opened: it would block
    assert snapshot(fifo) == before and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    folder = tmp_path / "folder.key"
    folder.mkdir()
    refused(monkeypatch, sandbox, folder, "is a folder")
    assert folder.is_dir() and list(folder.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_refused_as_root_and_stays_a_device(monkeypatch, fail_keyring, sandbox, tmp_path):
    # A null device of our own in the temporary folder, never the machine's /dev/null.
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    before = snapshot(device)
    refused(monkeypatch, sandbox, device, "is a device")
    assert snapshot(device) == before and stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_file_the_user_wrote_with_only_the_key_is_read_never_rewritten_nor_deleted(monkeypatch, fail_keyring, sandbox, tmp_path):
    mine = tmp_path / "mine.key"
    mine.write_text(KEY + "\n")
    os.chmod(mine, 0o600)
    before = snapshot(mine)
    # The key is read from the file: nothing else is needed on standard input.
    status, out, err = run(monkeypatch, "profile", "add", "Mine", "--api-base", sandbox.url, "--key-file", str(mine))
    assert status == 0, err
    assert "reads and never rewrites" in out
    assert snapshot(mine) == before and works(monkeypatch, "Mine")
    # Another key on standard input is refused rather than written over the user's file.
    status, out, err = add(monkeypatch, sandbox, "Other", mine, key=OTHER)
    assert status == 2 and "already holds another key" in err and snapshot(mine) == before
    status, out, err = run(monkeypatch, "profile", "remove", "Mine")
    assert status == 0 and "left its key file" in out
    assert snapshot(mine) == before


def test_a_file_linkdesk_made_is_deleted_only_when_no_other_profile_uses_it(monkeypatch, fail_keyring, sandbox, tmp_path):
    shared = tmp_path / "keys" / "shared.key"
    status, out, err = add(monkeypatch, sandbox, "First", shared)
    assert status == 0, err
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o600 and shared.read_text() == KEY + "\n"
    status, out, err = add(monkeypatch, sandbox, "Second", shared)
    assert status == 0, err
    status, out, err = run(monkeypatch, "profile", "remove", "First")
    assert status == 0 and "“Second” also uses" in out
    assert shared.exists() and works(monkeypatch, "Second")
    status, out, err = run(monkeypatch, "profile", "remove", "Second")
    assert status == 0 and "deleted its key file" in out
    assert not shared.exists()


def test_a_file_linkdesk_made_then_replaced_by_the_user_is_not_deleted(monkeypatch, fail_keyring, sandbox, tmp_path):
    path = tmp_path / "kf.key"
    assert add(monkeypatch, sandbox, "Kf", path)[0] == 0
    path.unlink()
    path.write_text(NOTES)  # the user reused the name for something of theirs
    status, out, _ = run(monkeypatch, "profile", "remove", "Kf")
    assert status == 0 and "left" in out and path.read_text() == NOTES
    target = tmp_path / "target.txt"
    target.write_text(NOTES)
    assert add(monkeypatch, sandbox, "Kf", path.with_name("k2.key"))[0] == 0
    path.with_name("k2.key").unlink()
    path.with_name("k2.key").symlink_to(target)
    assert run(monkeypatch, "profile", "remove", "Kf")[0] == 0
    assert target.read_text() == NOTES and os.path.islink(path.with_name("k2.key"))


def test_the_registry_creates_exclusively_and_rewrites_only_its_own_file(app_paths, fail_keyring, tmp_path):
    reg = ProfileRegistry(SettingsStore.for_paths(app_paths), KeyVault(), environ={})
    key, other = ApiKey(KEY), ApiKey(OTHER)
    made = reg.add("Made", key, storage=KEY_FILE, key_file=str(tmp_path / "made.key"))
    assert made.key_file_owned is True
    rolled = reg.replace_key(made, other)  # Linkdesk's own file: replaced whole
    assert read_key_file(tmp_path / "made.key") == other and rolled.key_hint == other.redacted
    mine = tmp_path / "mine.key"
    mine.write_text(KEY + "\n")
    os.chmod(mine, 0o600)
    theirs = reg.add("Theirs", key, storage=KEY_FILE, key_file=str(mine))
    assert theirs.key_file_owned is False
    with pytest.raises(ValidationError, match="never rewrites it") as info:
        reg.replace_key(theirs, other)
    assert info.value.field == "key_file" and mine.read_text() == KEY + "\n"
    # What the settings file records survives a restart.
    again = ProfileRegistry(SettingsStore.for_paths(app_paths), KeyVault(), environ={})
    assert (again.get("Made").key_file_owned, again.get("Theirs").key_file_owned) == (True, False)


def test_a_key_file_from_before_ownership_was_recorded_is_never_deleted(app_paths, fail_keyring, tmp_path):
    import json

    reg = ProfileRegistry(SettingsStore.for_paths(app_paths), KeyVault(), environ={})
    path = tmp_path / "old.key"
    reg.add("Old", ApiKey(KEY), storage=KEY_FILE, key_file=str(path))
    settings_file = SettingsStore.for_paths(app_paths).path
    data = json.loads(settings_file.read_text())
    del data["profiles"][0]["key_file_owned"]  # as an earlier Linkdesk wrote it
    settings_file.write_text(json.dumps(data))
    reg = ProfileRegistry(SettingsStore.for_paths(app_paths), KeyVault(), environ={})
    assert reg.key_for(reg.get("Old")) == ApiKey(KEY)
    reg.remove("Old")
    assert path.read_text() == KEY + "\n"


@pytest.mark.parametrize("mode", [0o640, 0o604])
def test_a_key_file_the_group_or_others_can_read_is_refused_on_add_and_on_use(monkeypatch, fail_keyring, sandbox, tmp_path, mode):
    mine = tmp_path / "mine.key"
    mine.write_text(KEY + "\n")
    os.chmod(mine, mode)
    before = snapshot(mine)
    status, out, err = run(monkeypatch, "profile", "add", "Mine", "--api-base", sandbox.url, "--key-file", str(mine))
    assert status == 2 and "chmod 600" in err and KEY not in err and snapshot(mine) == before
    os.chmod(mine, 0o600)
    assert run(monkeypatch, "profile", "add", "Mine", "--api-base", sandbox.url, "--key-file", str(mine))[0] == 0
    os.chmod(mine, mode)  # made readable by others later: the profile stops using it
    status, out, err = run(monkeypatch, "--profile", "Mine", "account", DEMO_ACCOUNTS["custom_due"])
    assert status == 2 and "chmod 600" in err and out == ""
