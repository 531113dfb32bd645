"""The API key, wrapped so that it cannot leak by accident.

An :class:`ApiKey` knows its mode (test/live) and kind (secret/restricted) from its prefix and
shows itself only in redacted form (``sk_test_…4abc``) in ``repr``, ``str``, f-strings and logs.
Only the HTTP layer reads :attr:`ApiKey.secret`.
"""

from __future__ import annotations

import hmac
import re

from app.stripe.errors import ValidationError

_PREFIXES = {
    "sk_test_": ("secret", "test"),
    "sk_live_": ("secret", "live"),
    "rk_test_": ("restricted", "test"),
    "rk_live_": ("restricted", "live"),
}
# Stripe keys are letters, digits and underscores; anything else (spaces, newlines) could
# corrupt the Authorization header, so it is refused rather than sent.
_BODY = re.compile(r"[A-Za-z0-9_]+")
_SHOWN_TAIL = 4
_MIN_BODY_FOR_TAIL = 12  # below this, showing 4 characters would reveal too much of the key


class ApiKey:
    """A Stripe secret (``sk_``) or restricted (``rk_``) key. Publishable keys are refused."""

    __slots__ = ("_secret", "kind", "mode", "prefix")

    def __init__(self, secret: str) -> None:
        text = secret.strip() if isinstance(secret, str) else ""
        if text.startswith("pk_"):
            raise ValidationError(
                "api_key",
                "that is a publishable key; Linkdesk needs a secret or restricted key "
                "(sk_test_…, sk_live_…, rk_test_… or rk_live_…) from Dashboard → Developers → API keys.",
            )
        prefix = text[:8]
        if prefix not in _PREFIXES or not _BODY.fullmatch(text[8:]):
            raise ValidationError(
                "api_key",
                "not a Stripe secret key: it should start with sk_test_, sk_live_, rk_test_ or "
                "rk_live_ followed by letters and digits.",
            )
        self._secret = text
        self.prefix = prefix
        self.kind, self.mode = _PREFIXES[prefix]

    @property
    def secret(self) -> str:
        """The raw key. Read it only to build the Authorization header."""
        return self._secret

    @property
    def live(self) -> bool:
        return self.mode == "live"

    @property
    def redacted(self) -> str:
        """``sk_test_…4abc``: enough to tell keys apart, never enough to use one."""
        body = self._secret[len(self.prefix):]
        tail = body[-_SHOWN_TAIL:] if len(body) >= _MIN_BODY_FOR_TAIL else ""
        return f"{self.prefix}…{tail}"

    def __repr__(self) -> str:
        return f"ApiKey({self.redacted!r})"

    def __str__(self) -> str:
        return self.redacted

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiKey):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self._secret)

    def __copy__(self) -> "ApiKey":
        return self  # immutable

    def __deepcopy__(self, memo: dict) -> "ApiKey":
        return self

    def __reduce__(self) -> None:  # type: ignore[override]
        # Pickling would write the raw key wherever the pickle goes.
        raise TypeError("ApiKey cannot be pickled")
