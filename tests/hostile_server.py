"""A small hostile Stripe look-alike for tests: a real HTTP server on 127.0.0.1, no patching.

``HostileServer(script)`` serves every request with ``script(request_line, headers, body)``,
which returns a :class:`Reply`. Replies can trickle their body a byte at a time, send a
gzip bomb, lie about their length, echo the caller's key in a header, or be any bytes at all.
Each server runs in its own thread and is stopped with :meth:`HostileServer.stop`.

The corpora below are shared by the unit tests (through ``httpx.MockTransport``) and the
integration tests (through this server and the command line): every category of hostile link
URL and of hostile JSON that issue 8 lists.
"""

from __future__ import annotations

import functools
import json
import struct
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable

CREATED = 1_767_225_600
GOOD_LINK_URL = "https://connect.stripe.com/setup/c/acct_1Hostile00000001/Zq8bXk2mL0pA"
ACCOUNT = "acct_1Hostile00000001"

# Every kind of link URL a hostile server could answer with; none may be shown, stored or opened.
BAD_LINK_URLS: dict[str, object] = {
    "javascript": "javascript:alert(document.cookie)",
    "file": "file:///etc/passwd",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "http": "http://connect.stripe.com/setup/c/acct_1/abc",
    "other host": "https://evil.example/setup/c/acct_1/abc",
    "suffix look-alike": "https://connect.stripe.com.evil.example/setup/c/acct_1/abc",
    "prefix look-alike": "https://evilconnect.stripe.com/setup/c/acct_1/abc",
    "sibling host": "https://dashboard.stripe.com/setup/c/acct_1/abc",
    "homoglyph (Cyrillic e)": "https://conn\u0435ct.stripe.com/setup/c/acct_1/abc",
    "punycode": "https://xn--connct-4nf.stripe.com/setup/c/acct_1/abc",
    "fullwidth dot": "https://connect\uff0estripe.com/setup/c/acct_1/abc",
    "userinfo": "https://connect.stripe.com@evil.example/setup/c/acct_1/abc",
    "userinfo before Stripe": "https://evil.example@connect.stripe.com/setup/c/acct_1/abc",
    "port": "https://connect.stripe.com:8443/setup/c/acct_1/abc",
    "empty port": "https://connect.stripe.com:/setup/c/acct_1/abc",
    "trailing dot": "https://connect.stripe.com./setup/c/acct_1/abc",
    "upper case host": "https://CONNECT.STRIPE.COM/setup/c/acct_1/abc",
    "backslash": "https://connect.stripe.com\\@evil.example/setup",
    "newline": "https://connect.stripe.com/setup/c/acct_1/abc\nExpires 2099-01-01",
    "escape sequence": "https://connect.stripe.com/setup/c/acct_1/\x1b]0;pwned\x07abc",
    "zero-width space": "https://connect.stripe.com/setup/c/\u200bacct_1/abc",
    "space": "https://connect.stripe.com/setup/c/acct 1/abc",
    "no path": "https://connect.stripe.com",
    "scheme only": "https://",
    "empty": "",
    "too long": "https://connect.stripe.com/setup/c/acct_1/" + "a" * 3000,
    "number": 12345,
    "list": ["https://connect.stripe.com/setup/c/acct_1/abc"],
    "object": {"href": "https://connect.stripe.com/setup/c/acct_1/abc"},
    "null": None,
    "boolean": True,
}

_DEEP = "[" * 100_000 + "]" * 100_000


def link_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "object": "account_link", "created": CREATED, "expires_at": CREATED + 300, "url": GOOD_LINK_URL,
    }
    body.update(changes)
    return body


def account_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": ACCOUNT, "object": "account", "type": "custom", "country": "US", "email": "ops@example.com",
        "business_profile": {"name": "Hostile Test Ltd"}, "created": CREATED - 86_400,
        "controller": {"type": "application", "requirement_collection": "application",
                       "stripe_dashboard": {"type": "none"}},
        "requirements": {"currently_due": ["external_account"], "current_deadline": CREATED + 86_400},
    }
    body.update(changes)
    return body


# Account Link answers that are JSON-ish but never Stripe's: (raw body text, what is wrong).
HOSTILE_LINK_BODIES: dict[str, str] = {
    "deep nesting": '{"object": "account_link", "url": ' + _DEEP + "}",
    "deep nesting of objects": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "NaN": '{"object": "account_link", "created": NaN, "expires_at": 1, "url": "%s"}' % GOOD_LINK_URL,
    "Infinity": '{"object": "account_link", "created": 1, "expires_at": Infinity, "url": "%s"}' % GOOD_LINK_URL,
    "huge created": json.dumps(link_body(created=2**63)),
    "huge expires_at": json.dumps(link_body(expires_at=10**30)),
    "thousands of digits": '{"object": "account_link", "created": ' + "9" * 5_000 + "}",
    "negative created": json.dumps(link_body(created=-5)),
    "created is text": json.dumps(link_body(created="1767225600")),
    "created is a float": json.dumps(link_body(created=1.5e9)),
    "created is true": json.dumps(link_body(created=True)),
    "wrong object": json.dumps(link_body(object="account")),
    "an array": json.dumps([link_body()]),
    "a string": json.dumps("https://connect.stripe.com/x"),
    "not JSON": "<html><body>502 Bad Gateway</body></html>",
    "bad UTF-8": '{"object": "account_link", "url": "\xff\xfe"}',
    "empty": "",
}

# Account answers with a field of the wrong type or out of range: (body, field named in the error).
HOSTILE_ACCOUNTS: dict[str, tuple[dict[str, object], str]] = {
    "name is a number": (account_body(business_profile={"name": 42}), "business_profile.name"),
    "name is a list": (account_body(business_profile={"name": ["a", "b"]}), "business_profile.name"),
    "name is an object": (account_body(business_profile={"name": {"x": 1}}), "business_profile.name"),
    "email is a number": (account_body(email=7), "email"),
    "email is a list": (account_body(email=["a@example.com"]), "email"),
    "display name is an object": (account_body(settings={"dashboard": {"display_name": {}}}),
                                  "settings.dashboard.display_name"),
    "id is a number": (account_body(id=1), "id"),
    "id is not an account": (account_body(id="cus_123"), "id"),
    "created too large for SQLite": (account_body(created=2**63), "created"),
    "created too large for a date": (account_body(created=10**14), "created"),
    "deadline too large": (account_body(requirements={"current_deadline": 2**70}), "requirements.current_deadline"),
    "deadline is text": (account_body(requirements={"current_deadline": "soon"}), "requirements.current_deadline"),
    "requirement is a number": (account_body(requirements={"currently_due": [1]}), "requirements.currently_due[0]"),
    "requirements is a list": (account_body(requirements=["x"]), "requirements"),
    "requirement list is text": (account_body(requirements={"past_due": "everything"}), "requirements.past_due"),
    "huge name": (account_body(business_profile={"name": "A" * 100_000}), "business_profile.name"),
    "charges_enabled is text": (account_body(charges_enabled="yes"), "charges_enabled"),
    "type is an object": (account_body(type={"custom": True}), "type"),
    "controller is text": (account_body(controller="application"), "controller"),
    "metadata value is a list": (account_body(metadata={"crm": [1]}), "metadata value 1"),
}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float | None = None  # seconds between single bytes of the body
    content_length: int | None = None  # None: the real length


def json_reply(body: object, status: int = 200, request_id: str = "req_Hostile0001", **headers: str) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"Request-Id": request_id, **headers})


def raw_reply(text: str | bytes, status: int = 200, request_id: str = "req_Hostile0001", **headers: str) -> Reply:
    data = text.encode("latin-1") if isinstance(text, str) else text
    return Reply(status, data, {"Request-Id": request_id, **headers})


@functools.lru_cache(maxsize=4)
def gzip_bomb(inflated_mb: int) -> bytes:
    """A gzip body (about 1 KB per inflated MB) that inflates to ``inflated_mb`` MB of JSON-ish
    text. One megabyte of spaces is deflated once, flushed so that no later block refers back
    to it, and its blocks repeated; the gzip header and trailer (CRC, length) are written here."""
    head, tail = b'{"object": "account_link", "pad": "', b'"}'
    chunk = b" " * 1_048_576
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(inflated_mb):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + inflated_mb * len(chunk) + len(tail)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + start + block * inflated_mb + end + struct.pack("<II", crc, size & 0xFFFFFFFF)


Script = Callable[[str, dict[str, str], bytes], Reply]


class HostileServer:
    """An HTTP/1.1 server on 127.0.0.1 answering with ``script``; ``.url`` is its base."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.5)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self.replied = threading.Event()  # set once a whole reply has been handed to the socket
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="hostile-accept", daemon=True)

    def start(self) -> "HostileServer":
        self._accept.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() at once (Linux)
        except OSError:
            pass
        self._accept.join(5)
        for thread in self._threads:
            thread.join(5)
        self._sock.close()

    def __enter__(self) -> "HostileServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), name="hostile-conn", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            with conn:
                reader = conn.makefile("rb")
                while not self._stop.is_set():
                    line = reader.readline(65_536)
                    if not line:
                        return
                    headers: dict[str, str] = {}
                    while True:
                        header = reader.readline(65_536)
                        if header in (b"\r\n", b"\n", b""):
                            break
                        name, _, value = header.decode("latin-1").partition(":")
                        headers[name.strip().lower()] = value.strip()
                    body = reader.read(int(headers.get("content-length", "0") or 0))
                    request_line = line.decode("latin-1").strip()
                    self.requests.append((request_line, headers, body))
                    reply = self.script(request_line, headers, body)
                    self._send(conn, reply)
                    self.replied.set()
        except OSError:
            return

    def _send(self, conn: socket.socket, reply: Reply) -> None:
        length = len(reply.body) if reply.content_length is None else reply.content_length
        head = [f"HTTP/1.1 {reply.status} X", f"Content-Length: {length}", "Content-Type: application/json"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if reply.trickle is None:
            conn.sendall(reply.body)
            return
        for i in range(len(reply.body)):
            if self._stop.wait(reply.trickle):
                return
            conn.sendall(reply.body[i:i + 1])


def always(reply: Reply) -> Script:
    """A script answering every request with ``reply``."""
    return lambda request_line, headers, body: reply


def seconds_since(start: float) -> float:
    return time.monotonic() - start


# --- A server that echoes the caller's key in pieces (issue 18, point 2) --------------------
# Every answer quotes the key from the Authorization header: cut after "sk_test_51" as the
# attack cut it, split again by a zero-width space (which plain text drops, joining the halves),
# and once more spelled with JSON \u escapes. ``KeyEcho(ok=...)`` picks which paths answer 2xx
# (an account whose name, email and metadata carry the pieces) instead of an error.

def key_pieces_message(secret: str) -> str:
    """The JSON string literal (quotes included) of a message quoting ``secret`` in pieces."""
    head, rest = secret[:10], secret[10:]
    half = len(rest) // 2
    escaped = "".join(f"\\u{ord(c):04x}" for c in rest)
    plain = f"No such key {head} {rest}; also {rest[:half]}\u200b{rest[half:]}; and "
    return json.dumps(plain)[:-1] + escaped + '"'


def key_of(headers: dict[str, str]) -> str:
    return headers.get("authorization", "").partition(" ")[2]


class KeyEcho:
    """A script (pass it to :class:`HostileServer`) answering every request with the caller's
    key in pieces: as an error (``status``) by default, or as 2xx data on the paths in ``ok``:
    "account" (GET /v1/account and /v1/accounts/…), "accounts" (GET /v1/accounts), "v2 account"."""

    def __init__(self, *, ok: frozenset[str] = frozenset(), status: int = 400) -> None:
        self.ok = ok
        self.status = status

    def __call__(self, request_line: str, headers: dict[str, str], body: bytes) -> Reply:
        secret = key_of(headers)
        method, _, rest = request_line.partition(" ")
        path = rest.split(" ")[0].split("?")[0]
        quoted = key_pieces_message(secret)
        if method == "GET" and path.startswith("/v1/account") and path != "/v1/accounts" and "account" in self.ok:
            account_id = path.rsplit("/", 1)[-1] if path.startswith("/v1/accounts/") else ACCOUNT
            return Reply(200, self._account_json(account_id, quoted).encode(), {"Request-Id": "req_KeyEcho0001"})
        if method == "GET" and path == "/v1/accounts" and "accounts" in self.ok:
            items = ",".join(self._account_json(f"acct_1KeyEcho{n:07d}", quoted, created=CREATED - n) for n in range(3))
            text = '{"object": "list", "url": "/v1/accounts", "has_more": false, "data": [' + items + "]}"
            return Reply(200, text.encode(), {"Request-Id": "req_KeyEcho0002"})
        error = '{"error": {"type": "invalid_request_error", "code": "resource_missing", "message": ' + quoted + "}}"
        if path.startswith("/v2/"):
            error = '{"error": {"type": "invalid_request_error", "code": "invalid_value", "message": ' + quoted + "}}"
        return Reply(self.status, error.encode(), {"Request-Id": "req_KeyEcho0003"})

    @staticmethod
    def _account_json(account_id: str, quoted: str, *, created: int = CREATED - 86_400) -> str:
        body = account_body(id=account_id, created=created, business_profile={"name": "NAME"}, email="EMAIL",
                            metadata={"note": "NOTE"})
        text = json.dumps(body)
        for marker in ('"NAME"', '"EMAIL"', '"NOTE"'):
            text = text.replace(marker, quoted)
        return text


def leaked_runs(secret: str, text: str, run: int = 8) -> list[str]:
    """Every run of ``run`` characters of ``secret``'s part after the prefix found in ``text``
    (also with zero-width and other format characters removed, as a screen shows it)."""
    import unicodedata

    body = secret[8:]
    shown = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return sorted({body[i:i + run] for i in range(len(body) - run + 1) if body[i:i + run] in text + "\n" + shown})


# --- The account list (issue 18, points 9-13; helper H8) ------------------------------------------
# ``GET /v1/accounts`` as Stripe pages it, over account bodies, and the ways a hostile list breaks
# a sync: cursor cycles, a cursor ignored, a list that never ends, odd accounts, 429 storms.

import urllib.parse  # noqa: E402  (this block is kept apart so that it merges on its own)

LIST_NOW = 1_767_225_600


def listed_account(n: int, created: int, **changes: object) -> dict[str, object]:
    """Account number ``n`` of a list: an id of Stripe's shape, a name and email to search by."""
    body = account_body(id=f"acct_1List{n:011d}", created=created, email=f"shop{n}@list.example",
                        business_profile={"name": f"List Shop {n}"})
    body.update(changes)
    return body


def odd_accounts(created: int) -> list[dict[str, object]]:
    """Accounts a real Stripe never sends, each of which used to fail its whole page (issue 18,
    point 10), and one without a usable id (the only one to skip)."""
    return [
        listed_account(9001, created, business_profile={"name": "N" * 1001}),
        listed_account(9002, created - 1, requirements={"currently_due": [f"item_{i}" for i in range(1001)]}),
        listed_account(9003, created - 2, metadata={f"key{i}": f"value {i}" for i in range(1001)}),
        listed_account(9004, created - 3, country="UNITEDSTATES"),
        listed_account(9005, created - 4, type="Custom"),
        {"id": "cus_NotAnAccount", "object": "account", "created": created - 5},
    ]


class AccountList:
    """A script serving ``GET /v1/accounts`` newest first over ``accounts`` (bodies with an
    ``id`` and ``created``): ``limit``, ``starting_after`` and ``created[gt|gte|lt|lte]`` as
    Stripe reads them. ``GET /v1/account`` (the platform) is refused with 403, as for a
    restricted key. ``mode`` makes it hostile:

    * ``"cycle"``: a cursor past the second page goes back to the first (pages A, B, A, B...);
    * ``"ignore cursor"``: ``starting_after`` is ignored (the same page again and again);
    * ``"endless"``: every page below the first is fresh ids, ``endless_step`` seconds below
      the page before (0: all at the top of the asked window), and ``has_more`` never ends;
    * ``"429"``: every request is answered 429, with ``Retry-After: retry_after`` if given.

    ``sent`` counts the list requests answered; ``accounts`` may be added to meanwhile."""

    def __init__(self, accounts: list[dict[str, object]], mode: str | None = None,
                 retry_after: str | None = None, endless_step: int = 0) -> None:
        self.accounts = accounts
        self.endless_step = endless_step
        self._pages = 0
        self.mode = mode
        self.retry_after = retry_after
        self.sent = 0
        self._fresh = 0
        self._lock = threading.Lock()

    def __call__(self, request_line: str, headers: dict[str, str], body: bytes) -> Reply:
        target = request_line.split(" ")[1]
        url = urllib.parse.urlsplit(target)
        if self.mode == "429":
            extra = {} if self.retry_after is None else {"Retry-After": self.retry_after}
            return json_reply({"error": {"type": "invalid_request_error", "code": "rate_limit",
                                         "message": "Testmode request rate limit exceeded."}}, 429, **extra)
        if url.path == "/v1/account":
            return json_reply({"error": {"type": "invalid_request_error", "message": "restricted key"}}, 403)
        if url.path != "/v1/accounts":
            return json_reply({"error": {"type": "invalid_request_error", "message": "no such path"}}, 404)
        query = dict(urllib.parse.parse_qsl(url.query))
        with self._lock:
            self.sent += 1
            return json_reply(self._page(query))

    def _page(self, query: dict[str, str]) -> dict[str, object]:
        limit = int(query.get("limit", "10"))
        bounds = {op: int(query[f"created[{op}]"]) for op in ("gt", "gte", "lt", "lte") if f"created[{op}]" in query}
        if self.mode == "endless" and bounds:
            self._pages += 1
            top = bounds.get("lte", LIST_NOW) - self.endless_step * self._pages
            data = []
            for _ in range(limit):
                self._fresh += 1
                data.append(listed_account(500_000 + self._fresh, top))
            return {"object": "list", "url": "/v1/accounts", "has_more": True, "data": data}
        rows = sorted(self.accounts, key=lambda a: (-int(a.get("created", 0)), str(a["id"])))  # type: ignore[arg-type]
        tests = {"gt": lambda c, v: c > v, "gte": lambda c, v: c >= v, "lt": lambda c, v: c < v,
                 "lte": lambda c, v: c <= v}
        rows = [a for a in rows if all(tests[op](int(a.get("created", 0)), v) for op, v in bounds.items())]  # type: ignore[arg-type]
        start = 0
        cursor = query.get("starting_after")
        if cursor is not None and self.mode != "ignore cursor":
            ids = [a["id"] for a in rows]
            start = ids.index(cursor) + 1 if cursor in ids else len(rows)
            if self.mode == "cycle" and start >= 2 * limit:
                start = 0
        page = rows[start:start + limit]
        return {"object": "list", "url": "/v1/accounts", "has_more": start + limit < len(rows), "data": page}


def mock_transport(script: Script) -> "object":
    """``script`` behind an ``httpx.MockTransport`` (unit tests: the same answers, no socket).
    Each answer lets the event loop run first, as a socket would: a sync that never ends is
    then stopped by a test's ``asyncio.timeout`` instead of spinning without a pause."""
    import asyncio

    import httpx

    async def handle(request: "httpx.Request") -> "httpx.Response":
        await asyncio.sleep(0)
        line = f"{request.method} {request.url.raw_path.decode('ascii')} HTTP/1.1"
        reply = script(line, {k.lower(): v for k, v in request.headers.items()}, request.content)
        return httpx.Response(reply.status, content=reply.body,
                              headers={"Content-Type": "application/json", **reply.headers})

    return httpx.MockTransport(handle)
