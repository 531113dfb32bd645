"""What a profile is: one platform, one key, its defaults. No Qt, no I/O.

A :class:`Profile` holds everything about a platform except its API key, which lives in the OS
keyring (or, if the user chose so, a file of theirs, or memory for this session only). The
profile keeps the key's redacted form (``sk_live_…4abc``, :attr:`ApiKey.redacted`) so that its
mode and a hint can be shown without unlocking the keyring.

Three kinds exist: the built-in ``Sandbox`` (always there, no key), the temporary
``Environment`` profile made from ``STRIPE_API_KEY`` (never saved), and saved profiles.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from app.stripe.errors import LinkdeskError, ValidationError
from app.stripe.models import COLLECTION_FIELDS, FUTURE_REQUIREMENTS
from app.stripe.validation import normalize_account_id, normalize_api_base, validate_url

DEFAULT_API_BASE = "https://api.stripe.com"
SANDBOX_NAME = "Sandbox"
ENVIRONMENT_NAME = "Environment"
RESERVED_NAMES = (SANDBOX_NAME, ENVIRONMENT_NAME)
MAX_NAME = 40
MAX_PLATFORM_NAME = 100

SAVED, SANDBOX, ENVIRONMENT = "saved", "sandbox", "environment"
KEYRING, KEY_FILE, SESSION, NO_KEY = "keyring", "file", "session", "none"
KEY_STORAGES = (KEYRING, KEY_FILE, SESSION)
ACCOUNTS_APIS = ("v1", "v2")  # app.stripe.v2.ACCOUNTS_APIS: which Accounts API the platform uses

if TYPE_CHECKING:
    from app.stripe.keys import ApiKey

_ID = re.compile(r"p_[0-9a-f]{16}")
_HINT = re.compile(r"(sk|rk)_(test|live)_…[A-Za-z0-9]{0,4}")
_PLATFORM_ID = re.compile(r"acct_[A-Za-z0-9]{1,250}")


class ProfileError(LinkdeskError):
    """A profile cannot be used as asked (unknown name, key missing, no keyring); the message
    says what to do and never holds a key. Nothing was sent."""


def new_profile_id() -> str:
    """A stable id for a saved profile: the keyring entry's name and the account index's key.
    Random, so renaming a profile or rolling its key changes neither."""
    return "p_" + secrets.token_hex(8)


def clean_text(value: object, limit: int) -> str | None:
    """Text from the network or a file as plain, single-line text: control and format
    characters (terminal escapes, bidi overrides) dropped, whitespace collapsed, length capped."""
    if not isinstance(value, str):
        return None
    kept = "".join(" " if ch.isspace() else ch for ch in value if unicodedata.category(ch)[0] != "C" or ch.isspace())
    text = " ".join(kept.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None


def fold_name(name: str) -> str:
    """A profile name as names are compared: trimmed, NFKC-normalised and case-folded, so that
    full-width ``ＳＡＮＤＢＯＸ`` or ``ﬁ`` ligatures cannot pass for another name than they show."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).casefold())


def check_name(name: object, *, taken: tuple[str, ...] = ()) -> str:
    """A profile name, trimmed; ValidationError("name", …) if empty, too long, reserved or taken
    (compared with :func:`fold_name`)."""
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise ValidationError("name", "give the profile a name, such as “Acme live”.")
    if len(text) > MAX_NAME:
        raise ValidationError("name", f"use at most {MAX_NAME} characters.")
    if any(unicodedata.category(ch)[0] == "C" for ch in text):
        raise ValidationError("name", "the name contains control characters.")
    folded = fold_name(text)
    if folded in (fold_name(n) for n in RESERVED_NAMES):
        raise ValidationError("name", f"“{text}” is built in; choose another name.")
    if folded in (fold_name(n) for n in taken):
        raise ValidationError("name", f"a profile named “{text}” already exists.")
    return text


@dataclass(frozen=True, slots=True)
class Profile:
    """One platform and how to reach it. Never holds the key itself."""

    name: str
    id: str
    kind: str = SAVED
    api_base: str = DEFAULT_API_BASE
    stripe_version: str | None = None  # None: the client's pinned version
    refresh_url: str | None = None  # the link form's defaults
    return_url: str | None = None
    collection_fields: str | None = None  # collection_options[fields]
    future_requirements: str | None = None  # collection_options[future_requirements]
    store_urls: bool = True  # history keeps an active link's URL until it expires
    platform_name: str | None = None  # as GET /v1/account reported it
    platform_id: str | None = None
    key_hint: str | None = None  # the key redacted: sk_live_…4abc
    key_storage: str = KEYRING  # keyring | file | session (| none for the sandbox)
    key_file: str | None = None  # only for key_storage == "file": the file the user chose
    # Only for a key file: True when Linkdesk created it (it may rewrite or delete it), False
    # when the user wrote it (read only). Absent in files from before: read only, to be safe.
    key_file_owned: bool | None = None
    accounts_api: str = "v1"  # "v1" | "v2": the platform's Accounts API (issue 12); --accounts-api overrides

    # -- what follows from the key ----------------------------------------------------------

    @property
    def mode(self) -> str:
        """"live" or "test" (the sandbox is test mode)."""
        return "live" if self.key_hint and self.key_hint[3:8] == "live_" else "test"

    @property
    def live(self) -> bool:
        return self.mode == "live"

    @property
    def label(self) -> str:
        """What the window shows beside the name: SANDBOX, TEST or LIVE."""
        return "SANDBOX" if self.kind == SANDBOX else self.mode.upper()

    @property
    def is_sandbox(self) -> bool:
        return self.kind == SANDBOX

    @property
    def saved(self) -> bool:
        return self.kind == SAVED

    @property
    def index_key(self) -> str:
        """A stable key for per-profile data (the account index, recent accounts): the
        profile's id and mode. Stays the same across renames and key rolls; changes when the
        key is replaced by one of the other mode (other mode, other accounts). The Sandbox's is
        ``sandbox:test``; the Environment profile's is a fingerprint of its API base and key."""
        return f"{self.id}:{self.mode}"

    @property
    def history_name(self) -> str:
        """What history records as this profile (and filters by): "sandbox" and "environment"
        for the built-in ones (history rows from before profiles say "sandbox" or "default"),
        else the profile's name."""
        return self.kind if self.kind != SAVED else self.name

    @property
    def platform(self) -> str:
        """The platform as the operator knows it: its name and id, or the profile's name."""
        if self.platform_name and self.platform_id:
            return f"{self.platform_name} ({self.platform_id})"
        return self.platform_name or self.platform_id or self.name

    def replace(self, **changes: Any) -> "Profile":
        return dataclasses.replace(self, **changes)

    def checked(self) -> "Profile":
        """A normalised copy, or ValidationError naming the first field at fault. Live
        profiles refuse http redirect defaults, as Stripe does."""
        live = self.live
        return self.replace(
            api_base=normalize_api_base(self.api_base, live=live),
            stripe_version=_optional_text("stripe_version", self.stripe_version, r"\d{4}-\d{2}-\d{2}(\.[a-z]+)?"),
            refresh_url=validate_url("refresh_url", self.refresh_url, live=live) if self.refresh_url else None,
            return_url=validate_url("return_url", self.return_url, live=live) if self.return_url else None,
            collection_fields=_choice("collection_fields", self.collection_fields, COLLECTION_FIELDS),
            future_requirements=_choice("future_requirements", self.future_requirements, FUTURE_REQUIREMENTS),
            accounts_api=_choice("accounts_api", self.accounts_api, ACCOUNTS_APIS) or "v1",
        )

    # -- the settings file ------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        del data["kind"]  # only saved profiles are written
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Profile":
        """A saved profile from the settings file; ValueError if it cannot be one. Unknown
        fields are ignored (a newer version may add some); odd values fall back to defaults."""
        if not isinstance(data, Mapping):
            raise ValueError("a profile is not an object")
        name, pid = data.get("name"), data.get("id")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise ValueError("a profile has no usable name")
        if not isinstance(pid, str) or not _ID.fullmatch(pid):
            raise ValueError(f"profile “{clean_text(name, MAX_NAME)}” has no usable id")
        storage = data.get("key_storage")
        hint = data.get("key_hint")
        platform_id = data.get("platform_id")
        return cls(
            name=clean_text(name, MAX_NAME) or "?",
            id=pid,
            api_base=_str(data.get("api_base")) or DEFAULT_API_BASE,
            stripe_version=_str(data.get("stripe_version")),
            refresh_url=_str(data.get("refresh_url")),
            return_url=_str(data.get("return_url")),
            collection_fields=data.get("collection_fields") if data.get("collection_fields") in COLLECTION_FIELDS else None,
            future_requirements=(data.get("future_requirements")
                                 if data.get("future_requirements") in FUTURE_REQUIREMENTS else None),
            store_urls=data.get("store_urls") if isinstance(data.get("store_urls"), bool) else True,
            platform_name=clean_text(data.get("platform_name"), MAX_PLATFORM_NAME),
            platform_id=platform_id if isinstance(platform_id, str) and _PLATFORM_ID.fullmatch(platform_id) else None,
            key_hint=hint if isinstance(hint, str) and _HINT.fullmatch(hint) else None,
            key_storage=storage if storage in KEY_STORAGES else KEYRING,
            key_file=_str(data.get("key_file")),
            key_file_owned=(data.get("key_file_owned") is True) if storage == KEY_FILE else None,
            # A file from before the setting existed (version 1) has none: those platforms were on v1.
            accounts_api=data.get("accounts_api") if data.get("accounts_api") in ACCOUNTS_APIS else "v1",
        )


def sandbox_profile() -> Profile:
    """The built-in Sandbox: always there, needs no key (it uses the sandbox's demo key)."""
    from app.sandbox.identity import DEMO_API_KEY, PLATFORM_ID, PLATFORM_NAME

    return Profile(
        name=SANDBOX_NAME, id=SANDBOX, kind=SANDBOX, api_base="", key_storage=NO_KEY,
        platform_name=PLATFORM_NAME, platform_id=PLATFORM_ID, key_hint=_hint(DEMO_API_KEY),
        refresh_url="https://example.com/onboarding/refresh", return_url="https://example.com/onboarding/return",
    )


def environment_profile(key: "ApiKey", api_base: str | None) -> Profile:
    """The temporary profile for ``STRIPE_API_KEY``: never saved, its key never stored. Its id
    is a fingerprint of API base and key (16 hex digits of SHA-256: it cannot give the key
    back), so per-profile data such as an account index is never shared by two keys."""
    import hashlib

    base = api_base or DEFAULT_API_BASE
    fingerprint = hashlib.sha256(f"{base}\0{key.secret}".encode()).hexdigest()[:16]
    return Profile(name=ENVIRONMENT_NAME, id=f"env_{fingerprint}", kind=ENVIRONMENT,
                   api_base=base, key_hint=key.redacted, key_storage=NO_KEY)


def check_recent(values: object, limit: int) -> tuple[str, ...]:
    """Recent account ids from the file: valid ids only, no repeats, at most ``limit``."""
    out: list[str] = []
    for value in values if isinstance(values, list) else ():
        try:
            account = normalize_account_id(value) if isinstance(value, str) and "/" not in value else None
        except ValidationError:
            account = None
        if account and account not in out:
            out.append(account)
    return tuple(out[:limit])


def _hint(secret: str) -> str:
    from app.stripe.keys import ApiKey

    return ApiKey(secret).redacted


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _optional_text(field: str, value: str | None, pattern: str) -> str | None:
    if value is None or not value.strip():
        return None
    if not re.fullmatch(pattern, value.strip()):
        raise ValidationError(field, "expected an API version such as 2026-10-28.endive.")
    return value.strip()


def _choice(field: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise ValidationError(field, f"must be one of: {', '.join(allowed)}.")
    return value
