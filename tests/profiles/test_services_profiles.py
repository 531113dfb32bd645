"""Services built from the chosen profile, and a profile switch that ends the old profile's
request in flight."""

from __future__ import annotations

import pytest

from app.clock import FakeClock
from app.profiles.model import SESSION
from app.profiles.registry import ProfileRegistry
from app.profiles.secrets import KeyMissing, KeyVault
from app.profiles.store import SettingsStore
from app.sandbox import DEMO_ACCOUNTS
from app.services import build_services
from app.stripe.keys import ApiKey

TEST_KEY = ApiKey("sk_test_" + "51ServicesProfile0Key0r5Tb")


def add(app_paths, name, key, api_base, **options):
    registry = ProfileRegistry(SettingsStore.for_paths(app_paths), KeyVault(), environ={})
    return registry.add(name, key, api_base=api_base, **options)


async def test_services_use_the_default_profile_and_its_stripe_version(app_paths, memory_keyring, sandbox):
    acme = add(app_paths, "Acme", TEST_KEY, sandbox.url, stripe_version="2025-12-15.clover")
    ProfileRegistry(SettingsStore.for_paths(app_paths), KeyVault(), environ={}).use("Acme")
    services = build_services(clock=FakeClock(), environ={})
    try:
        assert services.profile == acme and services.connection.profile == "Acme"
        assert services.client.api_key == TEST_KEY and services.client.stripe_version == "2025-12-15.clover"
        assert (await services.client.retrieve_account(DEMO_ACCOUNTS["custom_due"])).id == DEMO_ACCOUNTS["custom_due"]
    finally:
        await services.aclose()


async def test_nothing_set_up_means_the_sandbox_and_first_run(app_paths):
    services = build_services(clock=FakeClock(), environ={})
    try:
        assert services.profile.is_sandbox and services.connection.is_sandbox and services.profiles.first_run
    finally:
        await services.aclose()


async def test_a_missing_session_key_is_a_plain_error_before_any_request(app_paths, fail_keyring, sandbox):
    add(app_paths, "Acme", TEST_KEY, sandbox.url, storage=SESSION)  # that session has ended
    with pytest.raises(KeyMissing, match="one session only"):
        build_services(clock=FakeClock(), environ={}, profile="Acme")


async def test_switching_profile_closes_the_old_client_and_connection(app_paths, memory_keyring, sandbox):
    """The window cancels its own tasks first (tests/profiles/test_window_profiles.py); the
    services then close the old client, so nothing can go out on the old key afterwards."""
    add(app_paths, "Acme", TEST_KEY, sandbox.url)
    services = build_services(clock=FakeClock(), environ={}, profile="Acme")
    try:
        old_client, old_connection = services.client, services.connection
        await services.switch_profile(services.profiles.sandbox)
        assert services.profile.is_sandbox and services.connection is not old_connection
        with pytest.raises(RuntimeError, match="closed"):
            await old_client.retrieve_account(DEMO_ACCOUNTS["custom_due"])
        account = await services.client.retrieve_account(DEMO_ACCOUNTS["custom_due"])
        assert account.business_name == "Harbor Street Bakery"
        sandbox_server = services.connection.sandbox
        await services.switch_profile(services.profiles.get("Acme"))
        assert not sandbox_server.running  # the Sandbox profile's server stopped with it
    finally:
        await services.aclose()


async def test_one_rate_limiter_per_key_is_shared_across_profile_switches(app_paths, memory_keyring, sandbox):
    """Every client the services build takes its key's limiter from the one pool, so a 429's
    slow-down (and the budget) survives switching away and back, and keys never share one."""
    from app.sandbox import DEMO_API_KEY

    add(app_paths, "Acme", TEST_KEY, sandbox.url)
    services = build_services(clock=FakeClock(), environ={}, profile="Acme")
    try:
        acme_limiter = services.client.rate_limiter
        assert acme_limiter is services.rate_limiters.for_key(TEST_KEY)
        acme_limiter.on_rate_limited(None)  # Stripe said 429 on Acme's key: its rate halves
        slowed = acme_limiter.rate
        assert slowed < acme_limiter.limit
        await services.switch_profile(services.profiles.sandbox)
        sandbox_limiter = services.client.rate_limiter
        assert sandbox_limiter is services.rate_limiters.for_key(ApiKey(DEMO_API_KEY))
        assert sandbox_limiter is not acme_limiter and sandbox_limiter.rate == sandbox_limiter.limit
        await services.switch_profile(services.profiles.get("Acme"))
        assert services.client.rate_limiter is acme_limiter  # the same budget, still slowed
        assert acme_limiter.rate < acme_limiter.limit and acme_limiter.rate_limited_count == 1
        account = await services.client.retrieve_account(DEMO_ACCOUNTS["custom_due"])
        assert account.id == DEMO_ACCOUNTS["custom_due"]
    finally:
        await services.aclose()


async def test_the_command_lines_client_takes_its_limiter_from_the_pool(app_paths, memory_keyring, sandbox):
    services = build_services(clock=FakeClock(), environ={}, use_sandbox=True)
    try:
        assert services.client.rate_limiter is services.rate_limiters.for_key(services.connection.api_key)
    finally:
        await services.aclose()


async def test_the_accounts_api_comes_from_the_option_the_environment_or_the_profile(app_paths, memory_keyring,
                                                                                  sandbox):
    from app.stripe.errors import ValidationError

    add(app_paths, "Vee", TEST_KEY, sandbox.url, accounts_api="v2")
    add(app_paths, "Old", TEST_KEY, sandbox.url)
    cases = [({}, None, "Vee", "v2"), ({}, None, "Old", "v1"), ({}, "v1", "Vee", "v1"),
             ({"LINKDESK_ACCOUNTS_API": "v1"}, None, "Vee", "v1"), ({"LINKDESK_ACCOUNTS_API": "v1"}, "v2", "Old", "v2")]
    for environ, flag, name, expected in cases:
        services = build_services(clock=FakeClock(), environ=environ, profile=name, accounts_api=flag)
        try:
            assert services.connection.accounts_api == expected, (environ, flag, name)
        finally:
            await services.aclose()
    with pytest.raises(ValidationError) as refused:
        build_services(clock=FakeClock(), environ={"LINKDESK_ACCOUNTS_API": "v3"}, profile="Vee")
    assert refused.value.field == "LINKDESK_ACCOUNTS_API"
    # a switch takes the new profile's setting, unless the option or the environment chose
    services = build_services(clock=FakeClock(), environ={}, profile="Vee")
    try:
        await services.switch_profile(services.profiles.get("Old"))
        assert services.connection.accounts_api == "v1"
        await services.switch_profile(services.profiles.get("Vee"))
        assert services.connection.accounts_api == "v2"
    finally:
        await services.aclose()
    services = build_services(clock=FakeClock(), environ={}, profile="Old", accounts_api="v2")
    try:
        await services.switch_profile(services.profiles.sandbox)
        assert services.connection.accounts_api == "v2"
    finally:
        await services.aclose()
