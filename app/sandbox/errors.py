"""Stripe-shaped error bodies, with Stripe's own wording.

Every refusal the sandbox gives goes through :class:`ApiError`, so status, ``type``, ``code``,
``param``, ``doc_url`` and message stay consistent with what api.stripe.com answers. The
messages are Stripe's (collected from its API responses quoted in SDK tests and bug reports);
where Stripe puts an API key into a message it masks it, and so does :func:`mask_key`.
"""

from __future__ import annotations

from typing import Any

_KEY_PREFIXES = ("sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_")

NO_KEY_MESSAGE = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)
PUBLISHABLE_KEY_MESSAGE = (
    "This API call cannot be made with a publishable API key. Please use a secret API key. "
    "You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
)
RATE_LIMIT_MESSAGE = (
    "Request rate limit exceeded. You can learn more about rate limits here "
    "https://stripe.com/docs/rate-limits."
)
TESTMODE_RATE_LIMIT_MESSAGE = (
    "Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. "
    "You can learn more about rate limits here https://stripe.com/docs/rate-limits."
)
LOCK_TIMEOUT_MESSAGE = (
    "This object cannot be accessed right now because another API request or Stripe process is "
    "currently accessing it. If you see this error intermittently, retry the request. If you see "
    "this error frequently and are making multiple concurrent requests to a single object, make "
    "your requests serially or at a lower rate."
)
API_ERROR_MESSAGE = (
    "Sorry, something went wrong. We've already been notified of the problem, but if you need "
    "any help, you can reach us at support.stripe.com/contact."
)
PROXY_502_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def mask_key(key: str) -> str:
    """Stripe's way of naming a key in an error: prefix, stars, last four characters.

    Short remainders are starred completely, so no key is ever echoed whole.
    """
    prefix = next((p for p in _KEY_PREFIXES if key.startswith(p)), "")
    rest = key[len(prefix):]
    if len(rest) > 8:
        return prefix + "*" * (len(rest) - 4) + rest[-4:]
    return prefix + "*" * max(len(rest), 4)


def doc_url(code: str) -> str:
    return "https://stripe.com/docs/error-codes/" + code.replace("_", "-")


class ApiError(Exception):
    """A refusal to answer as ``{"error": {...}}`` with ``status``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = doc_url(self.code)
        error["message"] = self.message
        if self.param:
            error["param"] = self.param
        error["type"] = self.type
        return {"error": error}


# -- the refusals, one constructor each (keeps wording in one place) ---------------------------

def missing_key() -> ApiError:
    return ApiError(401, NO_KEY_MESSAGE)


def invalid_key(key: str) -> ApiError:
    return ApiError(401, f"Invalid API Key provided: {mask_key(key)}")


def expired_key(key: str) -> ApiError:
    return ApiError(401, f"Expired API Key provided: {mask_key(key)}", code="api_key_expired")


def publishable_key() -> ApiError:
    return ApiError(401, PUBLISHABLE_KEY_MESSAGE)


def missing_permission(key: str, platform_id: str, permission: str) -> ApiError:
    return ApiError(
        403,
        f"The provided key '{mask_key(key)}' does not have the required permissions for this "
        f"endpoint on account '{platform_id}'. Having the '{permission}' permission would allow "
        "this request to continue.",
    )


NOT_A_PLATFORM_MESSAGE = (
    "Only Stripe Connect platforms can work with other accounts. If you specified a client_id "
    "parameter, make sure it's correct. If you need to setup a Stripe Connect platform, you can do "
    "so at https://dashboard.stripe.com/account/applications/settings."
)


def not_a_platform() -> ApiError:
    """A key of an account that has not set up Connect, asking for another account."""
    return ApiError(403, NOT_A_PLATFORM_MESSAGE)


def other_mode_object(kind: str, object_id: str, *, exists_in: str, status: int, param: str) -> ApiError:
    """An id that exists only in the other mode (test vs live): Stripe says which."""
    used = "test" if exists_in == "live" else "live"
    return ApiError(
        status,
        f"No such {kind}: '{object_id}'; a similar object exists in {exists_in} mode, but a {used} "
        "mode key was used to make this request.",
        code="resource_missing",
        param=param,
    )


def unrecognized_url(method: str, path: str) -> ApiError:
    return ApiError(
        404,
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we "
        "can help at https://support.stripe.com/.",
    )


def account_invalid(key: str, account_id: str, *, param: str | None = None) -> ApiError:
    """What Stripe answers for an account that does not exist or is not connected to the
    platform (it does not tell the two apart)."""
    return ApiError(
        403,
        f"The provided key '{mask_key(key)}' does not have access to account '{account_id}' (or "
        "that account does not exist). Application access may have been revoked.",
        code="account_invalid",
        param=param,
    )


def no_such_account(account_id: str, param: str) -> ApiError:
    return ApiError(400, f"No such account: '{account_id}'", code="resource_missing", param=param)


def missing_param(name: str) -> ApiError:
    return ApiError(400, f"Missing required param: {name}.", code="parameter_missing", param=name)


def unknown_param(name: str) -> ApiError:
    return ApiError(400, f"Received unknown parameter: {name}", code="parameter_unknown", param=name)


def empty_param(name: str) -> ApiError:
    return ApiError(
        400,
        f"You passed an empty string for '{name}'. We assume empty values are an attempt to unset "
        f"a parameter; however '{name}' cannot be unset. You should remove '{name}' from your "
        "request or supply a non-empty value.",
        code="parameter_invalid_empty",
        param=name,
    )


def invalid_enum(name: str, allowed: tuple[str, ...]) -> ApiError:
    choices = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
    return ApiError(400, f"Invalid {name}: must be one of {choices}", param=name)


def invalid_integer(name: str, value: str) -> ApiError:
    return ApiError(400, f"Invalid integer: {value}", param=name)


def invalid_hash(name: str) -> ApiError:
    return ApiError(400, "Invalid hash", param=name)


def out_of_range(name: str, *, low: int | None = None, high: int | None = None) -> ApiError:
    if low is not None:
        return ApiError(400, f"This value must be greater than or equal to {low}.", param=name)
    return ApiError(400, f"This value must be less than or equal to {high}.", param=name)


def url_invalid(name: str) -> ApiError:
    return ApiError(400, "Not a valid URL", code="url_invalid", param=name)


def livemode_https(name: str) -> ApiError:
    return ApiError(400, "Livemode requests must always be redirected via HTTPS.", param=name)


def account_update_refused() -> ApiError:
    return ApiError(
        400,
        "You cannot create `account_update` type Account Links for this account. Valid types for "
        'this account are ["account_onboarding"].',
        param="type",
    )


def exclusive_params(*names: str) -> ApiError:
    return ApiError(400, f"You may only specify one of these parameters: {', '.join(names)}.")


def idempotency_mismatch(key: str) -> ApiError:
    return ApiError(
        400,
        "Keys for idempotent requests can only be used with the same parameters they were first "
        f"used with. Try using a key other than '{key}' if you meant to execute a different request.",
        type="idempotency_error",
    )


def idempotency_key_too_long() -> ApiError:
    return ApiError(400, "Idempotency-Key must be at most 255 characters long.")


def rate_limited(*, livemode: bool) -> ApiError:
    # No Retry-After header, on purpose: Stripe's 429 does not send one (stripe-facts.md lists
    # none; its SDKs back off exponentially), and the sandbox must not teach the client to rely
    # on it. The client's Retry-After handling is tested with httpx.MockTransport instead.
    return ApiError(
        429, RATE_LIMIT_MESSAGE if livemode else TESTMODE_RATE_LIMIT_MESSAGE, code="rate_limit"
    )


def lock_timeout() -> ApiError:
    return ApiError(429, LOCK_TIMEOUT_MESSAGE, code="lock_timeout")


def api_error(status: int = 500) -> ApiError:
    return ApiError(status, API_ERROR_MESSAGE, type="api_error")
