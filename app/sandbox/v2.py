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
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .accounts import DAY, AccountSpec
from .errors import ApiError
from .seed import DEMO_SPECS, PLATFORM
from .state import IdempotencyStore, SavedResult

if TYPE_CHECKING:
    from .api import Caller, Request, SandboxApi

LINK_TTL_V2 = 600
LINK_TYPES = ("account_onboarding", "account_update")
COLLECTION_FIELDS = ("currently_due", "eventually_due")
FUTURE_REQUIREMENTS = ("omit", "include")
CONFIGURATIONS = ("customer", "merchant", "recipient")
INCLUDES = (
    "configuration.customer", "configuration.merchant", "configuration.recipient",
    "defaults", "future_requirements", "identity", "requirements",
)
# From this version on, use_case.<type>.configurations is gone (Stripe's 2026-09-30.endive changelog).
CONFIGURATIONS_REMOVED_IN = "2026-09-30"
_ACCOUNT_PATH = re.compile(r"^/v2/core/accounts/([^/]+)$")
_INCLUDE_KEY = re.compile(r"^include(\[\d*\])?$")
_VERSION_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")

_CONFIG_OVERRIDES = {
    DEMO_SPECS["custom_eu"].id: ("customer", "merchant"),
    DEMO_SPECS["custom_errors"].id: ("recipient",),
    DEMO_SPECS["express_ok"].id: ("merchant", "recipient"),
}
_CONFIG_BY_TYPE = {"custom": ("merchant",), "express": ("recipient",), "standard": ("customer", "merchant"),
                   "none": ("merchant",)}


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


# --- the account, v2 view ------------------------------------------------------------------------


def rfc3339(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1000):03d}Z"


def configurations_of(spec: AccountSpec) -> tuple[str, ...]:
    return _CONFIG_OVERRIDES.get(spec.id) or _CONFIG_BY_TYPE.get(spec.type, ("merchant",))


def dashboard_of(spec: AccountSpec) -> str:
    if spec.dashboard is not None:
        return spec.dashboard
    return {"custom": "none", "express": "express", "standard": "full"}.get(spec.type, "none")


def requirements_collector_of(spec: AccountSpec) -> str:
    if spec.collection is not None:
        return spec.collection
    return "application" if spec.type == "custom" else "stripe"


def _responsibilities(spec: AccountSpec) -> dict[str, str]:
    dashboard = dashboard_of(spec)
    platform = spec.controller == "application"
    return {
        "fees_collector": ("application_express" if dashboard == "express" else "application")
        if platform and dashboard != "full" else "stripe",
        "losses_collector": "application" if platform and dashboard != "full" else "stripe",
        "requirements_collector": requirements_collector_of(spec),
    }


def _restricts(configs: tuple[str, ...], status: str) -> list[dict[str, Any]]:
    capability = {"merchant": "card_payments", "recipient": "stripe_balance.stripe_transfers"}
    return [{"capability": capability[c], "configuration": c, "deadline": {"status": status}}
            for c in configs if c in capability]


def _entries(spec: AccountSpec, configs: tuple[str, ...]) -> list[dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}

    def add(path: str, status: str, awaiting: str = "user") -> None:
        entries.setdefault(path, {
            "awaiting_action_from": awaiting,
            "description": path,
            "errors": [],
            "impact": {"restricts_capabilities": _restricts(configs, status)},
            "minimum_deadline": {"status": status},
            "reference": None,
            "requested_reasons": [{"code": "routine_onboarding"}],
        })

    for path in spec.past_due:
        add(path, "past_due")
    for path in spec.currently_due:
        add(path, "currently_due")
    for path in spec.pending_verification:
        add(path, "currently_due", awaiting="stripe")
    for path in spec.eventually_due:
        add(path, "eventually_due")
    for path, code, reason in spec.errors:
        add(path, "currently_due")
        entries[path]["errors"].append({"code": code, "description": reason})
    return list(entries.values())


def _summary(entries: list[dict[str, Any]], deadline: int | None) -> dict[str, Any]:
    statuses = {e["minimum_deadline"]["status"] for e in entries}
    status = next((s for s in ("past_due", "currently_due", "eventually_due") if s in statuses), None)
    if status is None:
        return {"minimum_deadline": None}
    return {"minimum_deadline": {"status": status, "time": rfc3339(deadline) if deadline is not None else None}}


def _configuration(spec: AccountSpec, name: str) -> dict[str, Any]:
    status = "active" if spec.charges_enabled else (
        "pending" if spec.pending_verification or spec.disabled_reason == "under_review" else "restricted")
    details = [] if status == "active" else [{"code": "requirements_past_due" if spec.past_due else
                                              "requirements_pending_verification" if status == "pending" else
                                              "restricted_other", "resolution": "provide_info"}]
    capability = {"status": status, "status_details": details}
    applied = {"applied": True}
    if name == "merchant":
        return {**applied, "capabilities": {"card_payments": capability}}
    if name == "recipient":
        return {**applied, "capabilities": {"stripe_balance": {"stripe_transfers": capability}}}
    return applied


def account_v2_json(spec: AccountSpec, seed_now: int, includes: set[str], *, livemode: bool = False) -> dict[str, Any]:
    """The ``v2.core.account`` object for ``spec``; include-dependent hashes are null unless
    named in ``includes``."""
    day0 = seed_now - seed_now % DAY
    configs = configurations_of(spec)
    entries = _entries(spec, configs)
    deadline = None if spec.deadline_days is None else day0 + spec.deadline_days * DAY
    future_deadline = None if spec.future_deadline_days is None else day0 + spec.future_deadline_days * DAY
    future_entries = [
        {"awaiting_action_from": "user", "description": path, "errors": [],
         "impact": {"restricts_capabilities": _restricts(configs, "eventually_due")},
         "minimum_deadline": {"status": "eventually_due"}, "reference": None,
         "requested_reasons": [{"code": "future_requirements"}]}
        for path in spec.future_eventually_due
    ]
    configuration = {
        name: (_configuration(spec, name) if name in configs and f"configuration.{name}" in includes else None)
        for name in CONFIGURATIONS
    }
    entity = spec.business_type if spec.business_type in ("company", "individual") else "company"
    return {
        "id": spec.id,
        "object": "v2.core.account",
        "applied_configurations": list(configs),
        "closed": False,
        "configuration": configuration if any(f"configuration.{n}" in includes for n in CONFIGURATIONS) else None,
        "contact_email": spec.email,
        "created": rfc3339(spec.created),
        "dashboard": dashboard_of(spec),
        "defaults": {
            "currency": spec.currency,
            "locales": ["en-US"],
            "responsibilities": _responsibilities(spec),
        } if "defaults" in includes else None,
        "display_name": spec.display_name or spec.name,
        "future_requirements": {
            "entries": future_entries,
            "minimum_transition_date": rfc3339(future_deadline) if future_deadline is not None else None,
            "summary": _summary(future_entries, future_deadline),
        } if "future_requirements" in includes else None,
        "identity": {
            "business_details": {"registered_name": spec.name} if entity == "company" else None,
            "country": spec.country,
            "entity_type": entity,
            "individual": None,
        } if "identity" in includes else None,
        "livemode": livemode,
        "metadata": dict(spec.metadata),
        "requirements": {"entries": entries, "summary": _summary(entries, deadline)} if "requirements" in includes else None,
    }


# --- routes --------------------------------------------------------------------------------------


class V2Routes:
    """The v2 endpoints, answering from the same store, clock and lock as :class:`SandboxApi`."""

    def __init__(self, api: "SandboxApi") -> None:
        self._api = api
        self._idempotency = IdempotencyStore(api._clock)

    def route(self, request: "Request", caller: "Caller", request_id: str) -> tuple[int, bytes, dict[str, str]]:
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

    def _idempotent(self, request: "Request", caller: "Caller", request_id: str) -> tuple[int, bytes, dict[str, str]]:
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

    def _create_link(self, body: dict[str, Any], caller: "Caller", version: str) -> bytes:
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


def _check_link_body(body: dict[str, Any], caller: "Caller", removed: bool) -> tuple[str, str, dict[str, Any]]:
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


def _json_body(request: "Request") -> dict[str, Any]:
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
    from .api import random_id

    return random_id("", 40)


def _dump(data: Any) -> bytes:
    return json.dumps(data, indent=2).encode()
