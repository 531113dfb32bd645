"""Accounts v2 in the sandbox: ``GET /v2/core/accounts/{id}`` and ``POST /v2/core/account_links``.

The same connected accounts as v1 (one :class:`app.sandbox.accounts.AccountSpec` each), viewed the
v2 way, as on Stripe where a platform's accounts are reachable through both APIs:

* ``applied_configurations`` follow the account's kind (custom -> merchant, express -> recipient,
  standard -> merchant + customer), with a few demo accounts set otherwise so every shape is
  served: ``custom_eu`` customer + merchant, ``custom_errors`` recipient only, ``express_ok``
  merchant + recipient.
* ``dashboard`` and ``defaults.responsibilities`` come from the controller (v1's
  ``stripe_dashboard.type`` and ``requirement_collection``; the legacy shape from ``type``).
* ``requirements.entries[]`` come from the v1 lists: past_due / currently_due / eventually_due
  become ``minimum_deadline.status``, pending_verification is ``awaiting_action_from: stripe``,
  ``errors[]`` ride on their entry. Descriptions keep v1's paths (Stripe's v2 descriptions are
  their own names; the sandbox does not invent a mapping).
* Hashes that depend on ``include`` are null unless asked for, as Stripe documents.

Links: JSON bodies only, ``use_case`` checked like Stripe's reference; ``configurations`` is
refused from ``2026-09-30.endive`` on and required before it (Stripe's changelog). Answers carry
RFC 3339 times 10 minutes apart and a URL on ``accounts.stripe.com`` with the token after ``#``.
Idempotency follows v2's rule: a success is replayed for the same key, a failure is not saved (a
retry runs again), and the same key with another body is an ``idempotency_error``.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from typing import Any, Callable, Mapping, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from .accounts_v2 import CONFIGURATIONS, account_v2_json, configurations_of, rfc3339
from .errors import ApiError
from .seed import PLATFORM
from .state import AccountStore, IdempotencyStore, SavedResult

LINK_TTL_V2 = 600
LINK_TYPES = ("account_onboarding", "account_update")
COLLECTION_FIELDS = ("currently_due", "eventually_due")
FUTURE_REQUIREMENTS = ("omit", "include")
INCLUDES = (
    "configuration.customer", "configuration.merchant", "configuration.recipient",
    "defaults", "future_requirements", "identity", "requirements",
)
# From this version on, use_case.<type>.configurations is gone (Stripe's 2026-09-30.endive changelog).
CONFIGURATIONS_REMOVED_IN = "2026-09-30"
_ACCOUNT_PATH = re.compile(r"^/v2/core/accounts/([^/]+)$")
_INCLUDE_KEY = re.compile(r"^include(\[\d*\])?$")
_VERSION_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")



class _Request(Protocol):  # app.sandbox.api.Request (not imported: api.py imports this module)
    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes


class _Caller(Protocol):  # app.sandbox.api.Caller
    livemode: bool


class _Api(Protocol):  # app.sandbox.api.SandboxApi: what the v2 routes share with v1's
    store: AccountStore
    _clock: Callable[[], float]
    _lock: Any


class V2Error(ApiError):
    """A refusal in v2's error body: ``{"error": {"type", "code", "message"}}`` (no doc_url)."""

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type}
        if self.code:
            error["code"] = self.code
        error["message"] = self.message
        return {"error": error}


def not_found() -> V2Error:
    return V2Error(404, "The resource wasn't found.", code="not_found")


def unknown_parameter(name: str) -> V2Error:
    return V2Error(400, f"Received unknown parameter: {name}", code="parameter_unknown")


def missing_parameter(name: str) -> V2Error:
    return V2Error(400, f"Missing required parameter: {name}", code="parameter_missing")


def invalid_value(name: str, allowed: tuple[str, ...] | None = None) -> V2Error:
    choices = f"; must be one of {', '.join(allowed)}" if allowed else ""
    return V2Error(400, f"Invalid value for {name}{choices}.", code="parameter_invalid")


def invalid_body(reason: str) -> V2Error:
    return V2Error(400, f"The request body is not valid JSON: {reason}.", code="invalid_json")


def url_invalid(name: str) -> V2Error:
    return V2Error(400, f"Not a valid URL: {name}", code="url_invalid")


def livemode_https(name: str) -> V2Error:
    return V2Error(400, f"Livemode requests must always be redirected via HTTPS ({name}).", code="url_invalid")


def update_refused() -> V2Error:
    return V2Error(
        400,
        "You cannot create an `account_update` Account Link (use_case.type) for this account: Stripe "
        "collects its requirements or it has a Stripe Dashboard. Use `account_onboarding` instead.",
        code="parameter_invalid",
    )


def idempotency_mismatch(key: str) -> V2Error:
    return V2Error(
        400,
        f"Keys for idempotent requests can only be used with the same parameters they were first used "
        f"with. Try using a key other than '{key}' if you meant to execute a different request.",
        type="idempotency_error",
    )


# --- routes --------------------------------------------------------------------------------------


class V2Routes:
    """The v2 endpoints, answering from the same store, clock and lock as :class:`SandboxApi`."""

    def __init__(self, api: _Api) -> None:
        self._api = api
        self._idempotency = IdempotencyStore(api._clock)

    def route(self, request: _Request, caller: _Caller, request_id: str) -> tuple[int, bytes, dict[str, str]]:
        path, _, query = request.target.partition("?")
        method = request.method.upper()
        if path == "/v2/core/account_links" and method == "POST":
            if query:
                raise unknown_parameter((parse_qsl(query, keep_blank_values=True) or [(query, "")])[0][0])
            return self._idempotent(request, caller, request_id)
        match = _ACCOUNT_PATH.match(path)
        if match and method == "GET":
            includes = _includes(query)
            account_id = unquote(match.group(1))
            spec = PLATFORM if account_id == PLATFORM.id else self._api.store.spec(account_id)
            if spec is None:
                raise not_found()
            data = account_v2_json(spec, self._api.store.seed_now, includes, livemode=caller.livemode)
            return 200, _dump(data), {}
        raise not_found()

    def _idempotent(self, request: _Request, caller: _Caller, request_id: str) -> tuple[int, bytes, dict[str, str]]:
        body = _json_body(request)
        key = request.headers.get("Idempotency-Key")
        version = request.headers.get("Stripe-Version") or ""
        if key is not None and len(key) > 255:
            raise V2Error(400, "Idempotency-Key must be at most 255 characters long.", code="parameter_invalid")
        scope = "live" if caller.livemode else "test"
        fingerprint = ("POST", "/v2/core/account_links", json.dumps(body, sort_keys=True))
        echo = {"Idempotency-Key": key} if key is not None else {}
        with self._api._lock:
            saved = self._idempotency.lookup(scope, key) if key is not None else None
            if saved is not None:
                if saved.fingerprint != fingerprint:
                    raise idempotency_mismatch(key)  # type: ignore[arg-type]
                return saved.status, saved.body, {**echo, "Idempotent-Replayed": "true",
                                                  "Original-Request": saved.request_id, "Request-Id": saved.request_id}
            # v2 saves only what succeeded: a failed request runs again when retried.
            status, data = 200, self._create_link(body, caller, version)
            if key is not None:
                self._idempotency.save(scope, key, SavedResult(fingerprint, status, data, request_id, self._api._clock()))
            return status, data, echo

    def _create_link(self, body: dict[str, Any], caller: _Caller, version: str) -> bytes:
        account_id, kind, inner = _check_link_body(body, caller, configurations_removed(version))
        spec = self._api.store.spec(account_id)
        if spec is None:
            raise not_found()
        if kind == "account_update" and not spec.allows_account_update:
            raise update_refused()
        created = self._api._clock()
        created -= created % 1  # whole milliseconds would do; Stripe's example shows .000
        covered = inner.get("configurations") or list(configurations_of(spec))
        echoed = {k: v for k, v in inner.items() if k != "configurations"}
        token = ("alu_" if caller.livemode else "alu_test_") + _random_token()
        return _dump({
            "object": "v2.core.account_link",
            "account": account_id,
            "created": rfc3339(created),
            "expires_at": rfc3339(created + LINK_TTL_V2),
            "livemode": caller.livemode,
            "url": f"https://accounts.stripe.com/r/{account_id}#{token}",
            "use_case": {"type": kind, kind: {"configurations": covered, **echoed}},
        })


def configurations_removed(version: str) -> bool:
    """True from 2026-09-30.endive on (and for a missing or unreadable version: the current one)."""
    match = _VERSION_DATE.match(version or "")
    return match is None or match.group(1) >= CONFIGURATIONS_REMOVED_IN


def _check_link_body(body: dict[str, Any], caller: _Caller, removed: bool) -> tuple[str, str, dict[str, Any]]:
    for name in body:
        if name not in ("account", "use_case"):
            raise unknown_parameter(name)
    account = body.get("account")
    if account is None:
        raise missing_parameter("account")
    if not isinstance(account, str) or not account:
        raise invalid_value("account")
    use_case = body.get("use_case")
    if use_case is None:
        raise missing_parameter("use_case")
    if not isinstance(use_case, dict):
        raise invalid_value("use_case")
    kind = use_case.get("type")
    if kind is None:
        raise missing_parameter("use_case.type")
    if kind not in LINK_TYPES:
        raise invalid_value("use_case.type", LINK_TYPES)
    for name in use_case:
        if name != "type" and name != kind:
            raise unknown_parameter(f"use_case.{name}")
    inner = use_case.get(kind)
    if inner is None:
        raise missing_parameter(f"use_case.{kind}")
    if not isinstance(inner, dict):
        raise invalid_value(f"use_case.{kind}")
    prefix = f"use_case.{kind}"
    allowed = {"refresh_url", "return_url", "collection_options"} | (set() if removed else {"configurations"})
    for name in inner:
        if name not in allowed:
            raise unknown_parameter(f"{prefix}.{name}")
    if not removed:
        configs = inner.get("configurations")
        if configs is None:
            raise missing_parameter(f"{prefix}.configurations")
        if not isinstance(configs, list) or not configs or any(c not in CONFIGURATIONS for c in configs):
            raise invalid_value(f"{prefix}.configurations", CONFIGURATIONS)
    if "refresh_url" not in inner:
        raise missing_parameter(f"{prefix}.refresh_url")
    for name in ("refresh_url", "return_url"):
        if name not in inner:
            continue
        value = inner[name]
        parts = urlsplit(value) if isinstance(value, str) else None
        if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
                or any(c.isspace() for c in value)):
            raise url_invalid(f"{prefix}.{name}")
        if caller.livemode and parts.scheme != "https":
            raise livemode_https(f"{prefix}.{name}")
    options = inner.get("collection_options")
    if options is not None:
        if not isinstance(options, dict):
            raise invalid_value(f"{prefix}.collection_options")
        for name, values in (("fields", COLLECTION_FIELDS), ("future_requirements", FUTURE_REQUIREMENTS)):
            if name in options and options[name] not in values:
                raise invalid_value(f"{prefix}.collection_options.{name}", values)
        for name in options:
            if name not in ("fields", "future_requirements"):
                raise unknown_parameter(f"{prefix}.collection_options.{name}")
    return account, kind, inner


def _json_body(request: _Request) -> dict[str, Any]:
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise V2Error(400, "Requests to /v2 endpoints must send a JSON body (Content-Type: application/json).",
                      code="invalid_content_type")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise invalid_body("not UTF-8") from None
    except ValueError as exc:
        raise invalid_body(str(exc).split(":")[0]) from None
    except RecursionError:  # nesting deeper than any real body
        raise invalid_body("nested too deeply") from None
    if not isinstance(data, dict):
        raise invalid_body("expected an object")
    return data


def _includes(query: str) -> set[str]:
    out: set[str] = set()
    for name, value in parse_qsl(query, keep_blank_values=True):
        if not _INCLUDE_KEY.match(name):
            raise unknown_parameter(name)
        if value not in INCLUDES:
            raise invalid_value("include", INCLUDES)
        out.add(value)
    return out


def _random_token() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))


def _dump(data: Any) -> bytes:
    return json.dumps(data, indent=2).encode()
