import copy
import logging
import pickle

import pytest

from app.stripe.errors import ValidationError
from app.stripe.keys import ApiKey

SECRET = "sk_test_51Hx9TestKeyNotRealAbCdEfGh4abc"


@pytest.mark.parametrize(
    ("secret", "mode", "kind"),
    [
        ("sk_test_51HxABCDEFGHIJ", "test", "secret"),
        ("sk_live_51HxABCDEFGHIJ", "live", "secret"),
        ("rk_test_51HxABCDEFGHIJ", "test", "restricted"),
        ("rk_live_51HxABCDEFGHIJ", "live", "restricted"),
    ],
)
def test_mode_and_kind_come_from_the_prefix(secret, mode, kind):
    key = ApiKey(secret)
    assert (key.mode, key.kind, key.live) == (mode, kind, mode == "live")


def test_surrounding_whitespace_from_a_paste_is_trimmed():
    assert ApiKey(f"  {SECRET}\n").secret == SECRET


@pytest.mark.parametrize("secret", ["pk_test_51HxABCDEFGHIJ", "pk_live_51HxABCDEFGHIJ"])
def test_publishable_key_is_refused_with_an_explanation(secret):
    with pytest.raises(ValidationError) as caught:
        ApiKey(secret)
    assert caught.value.field == "api_key"
    assert "publishable key" in str(caught.value)
    assert "secret or restricted key" in str(caught.value)
    assert secret not in str(caught.value)


@pytest.mark.parametrize(
    "secret",
    ["", "   ", "sk_test_", "sk_prod_51Hx", "whsec_51HxABCDEF", "sk_test_abc def", "sk_test_abc\r\nX-Evil: 1", None, 42],
)
def test_junk_is_refused_without_echoing_it(secret):
    with pytest.raises(ValidationError) as caught:
        ApiKey(secret)
    assert caught.value.field == "api_key"
    if isinstance(secret, str) and len(secret.strip()) > 8:  # longer than a prefix
        assert secret.strip() not in str(caught.value)


def test_redacted_shows_prefix_and_last_four():
    assert ApiKey(SECRET).redacted == "sk_test_…4abc"
    assert ApiKey("rk_live_51HxABCDEFGHwxyz").redacted == "rk_live_…wxyz"


def test_short_key_shows_no_tail():
    # stripe-mock accepts keys like sk_test_123; four characters of it would be most of it
    assert ApiKey("sk_test_123").redacted == "sk_test_…"


def test_key_never_appears_in_repr_str_format_or_logs(caplog):
    key = ApiKey(SECRET)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("linkdesk.test").info("using %s and %r", key, key)
    texts = [repr(key), str(key), f"{key}", f"{key!r}", repr([key]), repr({"k": key}), caplog.text]
    for text in texts:
        assert SECRET not in text
        assert "4abc" in text
    assert not hasattr(key, "__dict__")


def test_key_cannot_be_pickled_but_copies_are_itself():
    key = ApiKey(SECRET)
    with pytest.raises(TypeError):
        pickle.dumps(key)
    assert copy.copy(key) is key and copy.deepcopy(key) is key


def test_equality_compares_the_secret():
    assert ApiKey(SECRET) == ApiKey(SECRET)
    assert ApiKey(SECRET) != ApiKey(SECRET[:-1] + "d")
    assert len({ApiKey(SECRET), ApiKey(SECRET)}) == 1
