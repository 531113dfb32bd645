"""Which server and key the app uses: the sandbox when no key is set up, else STRIPE_API_KEY."""

import pytest

from app.clock import FakeClock
from app.services import DEFAULT_API_BASE, build_services, open_connection
from app.stripe.errors import ValidationError


def test_no_key_falls_back_to_the_built_in_sandbox():
    connection = open_connection(environ={})
    try:
        assert connection.is_sandbox and connection.profile == "sandbox"
        assert connection.api_base.startswith("http://127.0.0.1:")
        assert connection.mode == "test"
    finally:
        connection.close()
    assert connection.sandbox is None  # closed, and closing again is harmless
    connection.close()


def test_key_from_environment_talks_to_stripe():
    connection = open_connection(environ={"STRIPE_API_KEY": "sk_live_abcdefghijklmnop1234"})
    assert not connection.is_sandbox
    assert connection.api_base == DEFAULT_API_BASE
    assert connection.mode == "live"
    assert "abcdefghijklmnop" not in repr(connection)


def test_sandbox_flag_wins_over_a_key():
    connection = open_connection(use_sandbox=True, environ={"STRIPE_API_KEY": "sk_live_abcdefghijklmnop1234"})
    try:
        assert connection.is_sandbox and connection.mode == "test"
    finally:
        connection.close()


def test_api_base_without_a_key_is_for_stripe_mock():
    connection = open_connection(api_base="http://localhost:12111", environ={})
    assert not connection.is_sandbox
    assert connection.api_base == "http://localhost:12111"
    assert connection.mode == "test"


def test_publishable_key_is_refused_without_echoing_it():
    with pytest.raises(ValidationError) as info:
        open_connection(environ={"STRIPE_API_KEY": "pk_test_abcdefghijklmnop1234"})
    assert info.value.field == "api_key"
    assert "abcdefghijklmnop" not in str(info.value)


async def test_build_services_and_close_twice(tmp_path):
    services = build_services(data_dir=str(tmp_path / "d"), use_sandbox=True, clock=FakeClock())
    assert services.paths.data_dir == tmp_path / "d"
    assert services.history.path.parent == tmp_path / "d"  # opened lazily, on first use
    await services.aclose()
    await services.aclose()
    assert services.connection.sandbox is None
