"""The Stripe endpoints Linkdesk uses, answered from :mod:`app.sandbox.state`.

This module knows nothing about sockets: :meth:`SandboxApi.handle` takes a parsed request and
returns status, headers and body, so the HTTP layer (and its fault injection) stays separate.
Checks run in Stripe's order: authentication, rate limit, idempotency, parameters, then the
operation itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import string
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from . import errors
from .errors import ApiError
from .seed import NOT_A_PLATFORM
from .state import AccountStore, IdempotencyStore, SavedResult, rate_limiter_for

DEFAULT_STRIPE_VERSION = "2026-10-28.endive"
LINK_TTL = 300
LINK_TYPES = ("account_onboarding", "account_update")
COLLECTION_FIELDS = ("currently_due", "eventually_due")
FUTURE_REQUIREMENTS = ("omit", "include")
_ALNUM = string.ascii_letters + string.digits
_KEY_RE = re.compile(r"^(sk|rk|pk)_(test|live)_[A-Za-z0-9_]+$")
_EXPAND_RE = re.compile(r"^expand\[\d*\]$")
_ACCOUNT_PATH = re.compile(r"^/v1/accounts/([^/]+)$")
_LIST_PARAMS = ("limit", "starting_after", "ending_before", "created")
_CREATED_OPS = ("gt", "gte", "lt", "lte")


def random_id(prefix: str, length: int = 14) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


@dataclass(slots=True)
class Request:
    method: str
    target: str  # path plus query, as sent
    headers: Mapping[str, str]  # case-insensitive (http.server's Message)
    body: bytes = b""


@dataclass(slots=True)
class Response:
    status: int
    body: bytes
    request_id: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Caller:
    key: str
    livemode: bool
    # Sandbox key conventions (see _authenticate): the key's account never set up Connect, or
    # a restricted key was given no Connect permission.
    platform: bool = True
    connect_permission: bool = True
    has_accounts: bool = True  # False: a new platform, none of the sandbox's accounts is connected to it


class SandboxApi:
    def __init__(
        self, *, store: AccountStore, clock: Callable[[], float], live: bool, rate_limit: float | None,
        rate_limit_model: str = "bucket",
    ) -> None:
        self.store = store
        self._clock = clock
        self._live = live
        self._bucket = rate_limiter_for(rate_limit_model, rate_limit, clock) if rate_limit is not None else None
        self._idempotency = IdempotencyStore(clock)
        self._lock = threading.Lock()  # one POST at a time: replays never race first uses
        from .v2 import V2Routes  # Accounts v2 endpoints (app/sandbox/v2.py)

        self._v2 = V2Routes(self)

    # -- entry point --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        request_id = random_id("req_")
        try:
            caller = self._authenticate(request.headers.get("Authorization"))
            if self._bucket is not None and not self._bucket.take():
                raise errors.rate_limited(livemode=caller.livemode)
            status, body, extra = self._route(request, caller, request_id)
        except ApiError as exc:
            return self.error_response(exc, request, request_id)
        return self._response(status, body, request, request_id, extra)

    def error_response(self, exc: ApiError, request: Request, request_id: str | None = None) -> Response:
        """``exc`` as Stripe sends it (also used for injected 500/429 faults)."""
        return self._response(exc.status, dump_json(exc.body()), request, request_id or random_id("req_"), exc.headers)

    @staticmethod
    def _response(status: int, body: bytes, request: Request, request_id: str, extra: dict[str, str]) -> Response:
        headers = {
            "Content-Type": "application/json",
            "Cache-Control": "no-cache, no-store",
            "Stripe-Version": request.headers.get("Stripe-Version") or DEFAULT_STRIPE_VERSION,
            "Request-Id": request_id,
            **extra,
        }
        return Response(status, body, headers["Request-Id"], headers)

    def _authenticate(self, header: str | None) -> Caller:
        if not header or not header.strip():
            raise errors.missing_key()
        scheme, _, credentials = header.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "basic":  # curl -u sk_test_...: works with Stripe too
            try:
                credentials = base64.b64decode(credentials, validate=True).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                raise errors.missing_key() from None
        elif scheme.lower() != "bearer":
            raise errors.missing_key()
        key = credentials
        if not key:
            raise errors.missing_key()
        match = _KEY_RE.match(key)
        if not match:
            raise errors.invalid_key(key)
        kind, mode = match.group(1), match.group(2)
        if kind == "pk":
            raise errors.publishable_key()
        if mode == "live" and not self._live:
            raise errors.invalid_key(key)
        # Sandbox conventions, so the app and its tests can meet every answer a key check gets:
        # ``…_expired`` / ``…_revoked``: a key rolled or revoked in the Dashboard (api_key_expired);
        # ``…_notplatform``: the key of a business that never set up Connect;
        # ``…_newplatform``: a platform that has just enabled Connect and has no accounts yet;
        # ``rk_…_noconnect``: a restricted key without the Connect permissions.
        if key.endswith(("_expired", "_revoked")):
            raise errors.expired_key(key)
        return Caller(key=key, livemode=mode == "live", platform=not key.endswith("_notplatform"),
                      connect_permission=not (kind == "rk" and key.endswith("_noconnect")),
                      has_accounts=not key.endswith("_newplatform"))

    def _route(self, request: Request, caller: Caller, request_id: str) -> tuple[int, bytes, dict[str, str]]:
        path, _, query = request.target.partition("?")
        if path.startswith("/v2/"):
            return self._v2.route(request, caller, request_id)
        method = request.method.upper()
        params = _parse_params(query)
        if path == "/v1/account" and method == "GET":
            _only_expand(params)
            return 200, dump_json(self.store.platform(connect=caller.platform)), {}
        if method in ("GET", "POST") and (path.startswith("/v1/accounts") or path == "/v1/account_links"):
            if not caller.connect_permission:
                write = method == "POST"
                owner = self.store.platform_id if caller.platform else NOT_A_PLATFORM.id
                raise errors.missing_permission(
                    caller.key, owner, "rak_connected_account_write" if write else "rak_connected_account_read")
            if not caller.platform:  # Stripe refuses even the list (it is not an empty one)
                raise errors.not_a_platform()
            if not caller.has_accounts:
                if path == "/v1/accounts" and method == "GET":  # a platform with nothing connected yet
                    return 200, dump_json({"object": "list", "data": [], "has_more": False, "url": "/v1/accounts"}), {}
                match = _ACCOUNT_PATH.match(path)
                if match:
                    account_id = unquote(match.group(1))
                else:
                    account_id = dict(_parse_params(request.body.decode("utf-8", "replace"))).get("account", "")
                raise errors.account_invalid(caller.key, account_id)
        if path == "/v1/account_links" and method == "POST":
            params += _parse_params(request.body.decode("utf-8", "replace"))
            return self._idempotent(request, caller, request_id, params)
        if path == "/v1/accounts" and method == "GET":
            return 200, dump_json(self._list_accounts(dict(params)), pretty=False), {}
        match = _ACCOUNT_PATH.match(path)
        if match and method == "GET":
            _only_expand(params)
            account_id = unquote(match.group(1))
            other = self.store.other_mode(account_id, livemode=caller.livemode)
            if other is not None:
                raise errors.other_mode_object("account", account_id, exists_in=other, status=404, param="id")
            data = self.store.get(account_id)
            if data is None:
                raise errors.account_invalid(caller.key, account_id)
            return 200, dump_json(data), {}
        raise errors.unrecognized_url(method, path)

    # -- POST /v1/account_links ---------------------------------------------------------------

    def _idempotent(
        self, request: Request, caller: Caller, request_id: str, params: list[tuple[str, str]]
    ) -> tuple[int, bytes, dict[str, str]]:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            with self._lock:
                return self._create_link(dict(params), caller) + ({},)
        if len(key) > 255:
            raise errors.idempotency_key_too_long()
        scope = "live" if caller.livemode else "test"
        fingerprint = ("POST", "/v1/account_links", tuple(sorted(dict(params).items())))
        echo = {"Idempotency-Key": key}
        with self._lock:
            saved = self._idempotency.lookup(scope, key)
            if saved is not None:
                if saved.fingerprint != fingerprint:
                    raise errors.idempotency_mismatch(key)
                replay = {**echo, "Idempotent-Replayed": "true", "Original-Request": saved.request_id,
                          "Request-Id": saved.request_id}
                return saved.status, saved.body, replay
            # Refused parameters are not saved (Stripe: the endpoint never started executing);
            # anything the operation itself answers is.
            status, body = self._create_link(dict(params), caller)
            self._idempotency.save(scope, key, SavedResult(fingerprint, status, body, request_id, self._clock()))
            return status, body, echo

    def _create_link(self, params: dict[str, str], caller: Caller) -> tuple[int, bytes]:
        self._validate_link_params(params, caller)
        account_id = params["account"]
        spec = self.store.spec(account_id)
        try:
            other = self.store.other_mode(account_id, livemode=caller.livemode)
            if other is not None:
                raise errors.other_mode_object("account", account_id, exists_in=other, status=400, param="account")
            if spec is None:
                raise errors.account_invalid(caller.key, account_id, param="account")
            if params["type"] == "account_update" and not spec.allows_account_update:
                raise errors.account_update_refused()
        except ApiError as exc:
            return exc.status, dump_json(exc.body())
        created = int(self._clock())
        return 200, dump_json({
            "object": "account_link",
            "created": created,
            "expires_at": created + LINK_TTL,
            "url": f"https://connect.stripe.com/setup/c/{account_id}/{random_id('', 12)}",
        })

    def _validate_link_params(self, params: dict[str, str], caller: Caller) -> None:
        known = {"account", "type", "refresh_url", "return_url", "collect",
                 "collection_options[fields]", "collection_options[future_requirements]"}
        for name in params:
            if name == "collection_options":
                raise errors.invalid_hash(name)
            if name not in known and not _EXPAND_RE.match(name):
                raise errors.unknown_param(name)
        for name in ("account", "type", "refresh_url", "return_url"):
            if name not in params:
                raise errors.missing_param(name)
            if not params[name]:
                raise errors.empty_param(name)
        _check_enum(params, "type", LINK_TYPES)
        _check_enum(params, "collection_options[fields]", COLLECTION_FIELDS)
        _check_enum(params, "collection_options[future_requirements]", FUTURE_REQUIREMENTS)
        _check_enum(params, "collect", COLLECTION_FIELDS)  # deprecated: accepted, then ignored
        for name in ("refresh_url", "return_url"):
            parts = urlsplit(params[name])
            if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in params[name]):
                raise errors.url_invalid(name)
            if caller.livemode and parts.scheme != "https":
                raise errors.livemode_https(name)

    # -- GET /v1/accounts ---------------------------------------------------------------------

    def _list_accounts(self, params: dict[str, str]) -> dict[str, Any]:
        created_min: int | None = None
        created_max: int | None = None
        for name, value in params.items():
            if name in _LIST_PARAMS or _EXPAND_RE.match(name):
                continue
            op = name[len("created["):-1] if name.startswith("created[") and name.endswith("]") else None
            if op not in _CREATED_OPS:
                raise errors.unknown_param(name)
            bound = _integer(name, value)
            if op in ("gt", "gte"):
                low = bound + 1 if op == "gt" else bound
                created_min = low if created_min is None else max(created_min, low)
            else:
                high = bound - 1 if op == "lt" else bound
                created_max = high if created_max is None else min(created_max, high)
        if "created" in params:
            exact = _integer("created", params["created"])
            created_min = exact if created_min is None else max(created_min, exact)
            created_max = exact if created_max is None else min(created_max, exact)
        limit = 10
        if "limit" in params:
            limit = _integer("limit", params["limit"])
            if limit < 1:
                raise errors.out_of_range("limit", low=1)
            if limit > 100:
                raise errors.out_of_range("limit", high=100)
        after, before = params.get("starting_after") or None, params.get("ending_before") or None
        if after and before:
            raise errors.exclusive_params("ending_before", "starting_after")
        try:
            data, has_more = self.store.page(limit=limit, created_min=created_min, created_max=created_max,
                                             starting_after=after, ending_before=before)
        except KeyError as exc:
            name = exc.args[0]
            raise errors.no_such_account(after if name == "starting_after" else before, name) from None
        return {"object": "list", "data": data, "has_more": has_more, "url": "/v1/accounts"}


def dump_json(data: Any, *, pretty: bool = True) -> bytes:
    """Stripe pretty-prints its JSON, and so does the sandbox, except list pages: Python's
    indenting encoder is pure Python, and 100 accounts took ~55 ms of the server's CPU against
    ~5 ms compact, which made the sandbox, not the client, the bottleneck of any paging test."""
    if pretty:
        return json.dumps(data, indent=2).encode()
    return json.dumps(data, separators=(",", ":")).encode()


def _parse_params(text: str) -> list[tuple[str, str]]:
    return parse_qsl(text, keep_blank_values=True) if text else []


def _only_expand(params: list[tuple[str, str]]) -> None:
    for name, _ in params:
        if not _EXPAND_RE.match(name):
            raise errors.unknown_param(name)


def _check_enum(params: dict[str, str], name: str, allowed: tuple[str, ...]) -> None:
    value = params.get(name)
    if value and value not in allowed:  # an empty optional value means "unset" to Stripe
        raise errors.invalid_enum(name, allowed)


def _integer(name: str, value: str) -> int:
    if not re.fullmatch(r"-?\d{1,18}", value.strip()):
        raise errors.invalid_integer(name, value)
    return int(value)
