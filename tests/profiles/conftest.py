"""Fixtures for the profile tests: keyrings (in memory, and keyring's own fail backend), a
sandbox on loopback, and the folders a session writes to.

``keyring.set_keyring`` swaps the process-wide backend; every fixture here puts the previous one
back, so no test can reach the developer's real keyring.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterator

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

from app.clock import FakeClock
from app.paths import AppPaths
from app.sandbox import SandboxServer


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


@pytest.fixture(autouse=True)
def _restore_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # never the developer's own keyring
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def fail_keyring() -> keyring.backends.fail.Keyring:
    backend = keyring.backends.fail.Keyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def app_paths(tmp_path: Path) -> AppPaths:
    """The folders of the isolated home (tests/conftest.py points XDG and the data dir there)."""
    return AppPaths.resolve()


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., SandboxServer]]:
    servers: list[SandboxServer] = []
    clock = FakeClock(wall=1_767_225_600.0)

    def make(**options) -> SandboxServer:
        options.setdefault("clock", clock.time)
        server = SandboxServer(**options).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
    assert not [t.name for t in threading.enumerate() if t.name.startswith("sandbox")]


@pytest.fixture
def sandbox(make_sandbox) -> SandboxServer:
    return make_sandbox()


def all_bytes(*roots: Path) -> bytes:
    """Every byte of every file under ``roots`` (file names included)."""
    out = []
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            out.append(str(path).encode())
            if path.is_file():
                out.append(path.read_bytes())
    return b"\n".join(out)
