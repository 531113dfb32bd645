"""Seeded mutations of Stripe objects: decoding either succeeds or names the field, never more.

Each field of a real-looking answer is replaced by a hostile value (wrong type, huge number,
NaN, control characters, nesting), dropped, or mutated further, with fixed seeds so a failure is
reproducible. Whatever comes out must also survive the code that shows it.
"""

from __future__ import annotations

import json
import random

import pytest

from app.requirements import describe_controller, requirement_sections
from app.stripe.decode import DecodeError
from app.stripe.errors import StripeError, error_from_response
from app.stripe.models import Account, AccountLink, AccountList
from app.stripe.safety import UnsafeLink
from hostile_server import account_body, link_body

HOSTILE_VALUES = [None, True, False, 0, -1, 2**63, 2**200, 1.5, float("inf"), float("nan"), "", "x" * 5_000,
                  "\x1b[2J", "\u202e", [], [1], {}, {"a": 1}, [[[]]], "acct_1", "https://connect.stripe.com/s/x"]


def mutate(rng: random.Random, value: object) -> object:
    if isinstance(value, dict):
        out = dict(value)
        for key in list(out):
            roll = rng.random()
            if roll < 0.15:
                out[key] = rng.choice(HOSTILE_VALUES)
            elif roll < 0.2:
                del out[key]
            elif roll < 0.5:
                out[key] = mutate(rng, out[key])
        return out
    if isinstance(value, list):
        return [mutate(rng, v) if rng.random() < 0.5 else rng.choice(HOSTILE_VALUES) for v in value]
    return value if rng.random() < 0.7 else rng.choice(HOSTILE_VALUES)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_answers_decode_or_name_the_field(seed):
    rng = random.Random(seed)
    decoded = refused = 0
    for _ in range(500):
        try:
            account = Account.from_api(mutate(rng, account_body()))
            requirement_sections(account.requirements, now_wall=0.0)
            requirement_sections(account.future_requirements, now_wall=0.0)
            assert describe_controller(account) and account.display_name
            assert all(c.isprintable() for c in account.display_name)
            link = AccountLink.from_api(mutate(rng, link_body()))
            assert link.url.startswith("https://connect.stripe.com/") and 0 <= link.ttl <= 86_400
            AccountList.from_api(mutate(rng, {"object": "list", "has_more": False, "data": [account_body()]}))
            decoded += 1
        except (DecodeError, UnsafeLink) as problem:
            assert str(problem)
            refused += 1
    assert decoded and refused  # both paths were exercised


@pytest.mark.parametrize("seed", range(2))
def test_mutated_error_bodies_become_stripe_errors(seed):
    rng = random.Random(seed)
    for _ in range(500):
        body = mutate(rng, {"error": {"type": "invalid_request_error", "message": "m", "code": "c", "param": "p"}})
        error = error_from_response(400, json.dumps(body), "req_1")
        assert isinstance(error, StripeError)
        assert all(c.isprintable() for c in str(error))
