"""The Qt-free Stripe layer: key handling, input checks, the async API client and its errors.

The names below are re-exported lazily (PEP 562): importing ``app.stripe.errors`` or
``app.stripe.models`` must not pull in httpx and asyncio, because the window's start-up path
uses them before its first paint.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DEFAULT_API_BASE": "app.stripe.client",
    "DEFAULT_STRIPE_VERSION": "app.stripe.client",
    "StripeClient": "app.stripe.client",
    "APIConnectionError": "app.stripe.errors",
    "APIError": "app.stripe.errors",
    "APITimeoutError": "app.stripe.errors",
    "AuthenticationError": "app.stripe.errors",
    "IdempotencyError": "app.stripe.errors",
    "InvalidRequestError": "app.stripe.errors",
    "LinkdeskError": "app.stripe.errors",
    "PermissionDeniedError": "app.stripe.errors",
    "RateLimitError": "app.stripe.errors",
    "StripeError": "app.stripe.errors",
    "UntrustedAnswerError": "app.stripe.errors",
    "ApiAnswer": "app.stripe.client",
    "RateLimiter": "app.stripe.ratelimit",
    "RateLimiterPool": "app.stripe.ratelimit",
    "ACCOUNT_LINK_HOSTS": "app.stripe.safety",
    "ACCOUNTS_V2_LINK_HOSTS": "app.stripe.safety",
    "check_link_url": "app.stripe.safety",
    "link_url_problem": "app.stripe.safety",
    "plain_text": "app.stripe.safety",
    "ValidationError": "app.stripe.errors",
    "explain": "app.stripe.explain",
    "ApiKey": "app.stripe.keys",
    "COLLECTION_FIELDS": "app.stripe.models",
    "FUTURE_REQUIREMENTS": "app.stripe.models",
    "LINK_TYPES": "app.stripe.models",
    "Account": "app.stripe.models",
    "AccountLink": "app.stripe.models",
    "AccountList": "app.stripe.models",
    "Controller": "app.stripe.models",
    "Requirements": "app.stripe.models",
    "RequirementError": "app.stripe.models",
    "LinkRequest": "app.stripe.validation",
    "normalize_account_id": "app.stripe.validation",
    "validate_url": "app.stripe.validation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'app.stripe' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
