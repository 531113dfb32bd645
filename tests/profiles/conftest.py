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
import keyring.backends.fail
import pytest

from app.clock import FakeClock
from app.paths import AppPaths
from app.sandbox import SandboxServer
from profile_helpers import MemoryKeyring


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
