"""Helpers for the profile tests (a module name of its own: every test folder has a conftest)."""

from __future__ import annotations

from pathlib import Path

import keyring.backend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps passwords in a dict (what a test can inspect)."""

    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such password") from None


def all_bytes(*roots: Path) -> bytes:
    """Every byte of every file under ``roots`` (file names included)."""
    out = []
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            out.append(str(path).encode())
            if path.is_file():
                out.append(path.read_bytes())
    return b"\n".join(out)
