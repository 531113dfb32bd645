"""Keys in the keyring: storing, reading, deleting; what happens without a working keyring;
the session-only and file choices; no key in any message."""

from __future__ import annotations

import os
import stat

import keyring
import keyring.backends.null
import pytest
from keyring.errors import KeyringLocked

from app.profiles.model import KEY_FILE, KEYRING, SESSION, Profile, new_profile_id
from app.profiles.secrets import KeyMissing, KeyringUnavailable, KeyStore, KeyVault, read_key_file, write_key_file
from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey
from profile_helpers import MemoryKeyring

KEY = ApiKey("rk_live_" + "51KeystoreTest0Secret0abcd")
OTHER = ApiKey("sk_test_" + "51KeystoreOther0Secret9wxyz")


def profile(storage: str = KEYRING, key_file: str | None = None, owned: bool | None = None) -> Profile:
    return Profile(name="Acme", id=new_profile_id(), key_hint=KEY.redacted, key_storage=storage, key_file=key_file,
                   key_file_owned=owned)


def test_a_key_is_stored_read_and_deleted_in_the_keyring(memory_keyring):
    store = KeyStore()
    assert store.problem() is None
    store.store("p_0000000000000001", KEY)
    assert memory_keyring.passwords == {("linkdesk", "p_0000000000000001"): KEY.secret}
    assert store.read("p_0000000000000001") == KEY
    assert store.read("p_0000000000000002") is None
    store.store("p_0000000000000001", OTHER)  # replacing a key
    assert store.read("p_0000000000000001") == OTHER
    assert store.delete("p_0000000000000001") is True
    assert store.read("p_0000000000000001") is None and memory_keyring.passwords == {}
    assert store.delete("p_0000000000000001") is False


def test_the_fail_backend_is_no_keyring_and_says_so_without_the_key(fail_keyring):
    store = KeyStore()
    assert store.problem() == "No system keyring was found on this computer."
    for call in (lambda: store.store("p_1", KEY), lambda: store.read("p_1"), lambda: store.delete("p_1")):
        with pytest.raises(KeyringUnavailable) as info:
            call()
        assert "session only" in str(info.value) and "file" in str(info.value)
        assert KEY.secret not in str(info.value) and KEY.secret not in repr(info.value)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service, username, *password):
        raise KeyringLocked("Failed to unlock the collection!")

    set_password = get_password


class LeakyFailingKeyring(MemoryKeyring):
    """A backend whose error quotes what it was given (some D-Bus errors do)."""

    def set_password(self, service, username, password):
        raise RuntimeError(f"org.freedesktop.Secret.Error.IsLocked: cannot store {password}")


class DroppingKeyring(MemoryKeyring):
    def set_password(self, service, username, password):
        pass  # accepts, keeps nothing


@pytest.mark.parametrize(("backend", "reason"), [
    (LockedKeyring(), "The keyring is locked (and was not unlocked)."),
    (LeakyFailingKeyring(), "The keyring did not work (RuntimeError)."),
    (DroppingKeyring(), "The keyring accepted the key but did not keep it."),
    (keyring.backends.null.Keyring(), "The keyring is switched off (the null backend)."),
])
def test_a_keyring_that_does_not_keep_the_key_is_reported(backend, reason):
    keyring.set_keyring(backend)
    with pytest.raises(KeyringUnavailable) as info:
        KeyStore().store("p_1", KEY)
    assert info.value.reason == reason
    assert KEY.secret not in str(info.value)
    # no chained backend error that could quote the key in a traceback
    assert info.value.__cause__ is None and (info.value.__context__ is None or info.value.__suppress_context__)


def test_a_chainer_never_falls_back_to_a_plaintext_member(memory_keyring):
    class PlaintextKeyring(MemoryKeyring):
        pass

    PlaintextKeyring.__module__, PlaintextKeyring.__qualname__ = "keyrings.alt.file", "PlaintextKeyring"  # what keyrings.alt's plaintext backend is called

    class Chainer:
        def __init__(self, backends):
            self.backends = backends

    plaintext = PlaintextKeyring()
    store = KeyStore(Chainer([plaintext]))
    assert store.problem() == "No system keyring was found on this computer."
    store = KeyStore(Chainer([memory_keyring, plaintext]))
    store.store("p_1", KEY)
    assert plaintext.passwords == {} and memory_keyring.passwords


def test_without_a_keyring_the_vault_keeps_a_session_key_in_memory_only(fail_keyring, tmp_path):
    vault = KeyVault()
    session_profile = profile(SESSION)
    vault.put(session_profile, KEY)
    assert vault.get(session_profile) == KEY
    with pytest.raises(KeyringUnavailable):  # the keyring choice is refused, not quietly redirected
        vault.put(profile(KEYRING), KEY)
    later = KeyVault()  # the next session
    with pytest.raises(KeyMissing, match="one session only"):
        later.get(session_profile)
    assert not list(tmp_path.rglob("*")) or KEY.secret.encode() not in b"".join(
        p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_the_file_choice_writes_the_key_alone_with_mode_0600(fail_keyring, tmp_path):
    path = tmp_path / "chosen" / "acme.key"
    vault = KeyVault()
    p = profile(KEY_FILE, str(path), owned=True)
    vault.put(p, KEY)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text() == KEY.secret + "\n"
    assert KeyVault().get(p) == KEY  # a later session reads it back
    assert vault.drop(p) is True
    assert not path.exists()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660])
def test_a_key_file_its_group_or_others_can_read_or_change_is_refused(tmp_path, mode):
    path = tmp_path / "k"
    write_key_file(path, KEY)
    os.chmod(path, mode)
    with pytest.raises(KeyMissing, match="chmod 600") as info:
        read_key_file(path)
    assert KEY.secret not in str(info.value)
    os.chmod(path, 0o600)
    assert read_key_file(path) == KEY


def test_a_key_file_that_is_not_a_key_alone_or_missing_is_refused(tmp_path):
    path = tmp_path / "k"
    write_key_file(path, KEY)
    os.chmod(path, 0o600)
    path.write_text("pk_live_notasecret\n")
    with pytest.raises(KeyMissing, match="does not hold a Stripe secret") as info:
        read_key_file(path)
    assert "pk_live_notasecret" not in str(info.value)
    with pytest.raises(KeyMissing, match="is gone"):
        read_key_file(tmp_path / "missing")
    with pytest.raises(ValidationError) as refused:
        write_key_file(tmp_path, KEY)
    assert refused.value.field == "key_file"


def test_a_keyring_entry_that_is_not_a_key_is_reported_not_shown(memory_keyring):
    memory_keyring.passwords[("linkdesk", "p_1")] = "hunter2-not-a-key"
    with pytest.raises(KeyMissing) as info:
        KeyStore().read("p_1")
    assert "hunter2" not in str(info.value)


def test_dropping_a_profile_deletes_its_keyring_entry(memory_keyring):
    vault = KeyVault()
    p = profile(KEYRING)
    vault.put(p, KEY)
    assert vault.get(p) == KEY
    vault.drop(p)
    assert memory_keyring.passwords == {}
    with pytest.raises(KeyMissing, match="Enter the key again"):
        vault.get(p)
