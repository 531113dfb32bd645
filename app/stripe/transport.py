"""The wire side of :class:`app.stripe.client.StripeClient`: reading an answer safely.

* :func:`read_capped` reads a streamed body, decompressing gzip/deflate itself, and stops as
  soon as it would pass the cap (a 1 MB gzip bomb that inflates to 1 GB costs 2 MB).
* :func:`decode_json` and :func:`build_model` turn a 2xx body into a model, or into an
  :class:`~app.stripe.errors.UntrustedAnswerError` naming the problem, with the request id.
* :class:`ApiAnswer` is what :meth:`StripeClient.request` returns; :func:`link_start` is the
  instant a link's countdown runs from.
* Retry rules (:func:`should_retry`, :func:`retry_after`) and connection errors whose text is
  scrubbed of keys and made one plain line (:func:`connection_error`).
"""

from __future__ import annotations

import dataclasses
import email.utils
import functools
import math
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from app.redact import redact
from app.stripe import decode
from app.stripe.errors import APIConnectionError, APITimeoutError, StripeError, UntrustedAnswerError, excerpt
from app.stripe.safety import UnsafeLink, plain_text

MAX_BODY = 2_000_000  # bytes of a decoded answer; Stripe's answers here are a few KB
# Failures after which the request may not have reached Stripe, or its answer was lost.
# (UnsupportedProtocol, LocalProtocolError, DecodingError would fail the same way again.)
RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class ApiAnswer:
    """A 2xx answer: its JSON object, headers, checked Request-Id and status, and the monotonic
    instants its attempt was sent (``sent``) and the call's first attempt was sent
    (``first_sent``; earlier when a retry got the answer)."""

    data: dict[str, Any]
    headers: httpx.Headers
    request_id: str | None
    status: int
    sent: float
    first_sent: float


def build_model(
    answer: ApiAnswer, build: Callable[[ApiAnswer], T], scrub: Callable[[str], str] = redact
) -> T:
    """``build(answer)``, turning a value Stripe never sends (a wrong type, an out-of-range
    time, a link that is not a Stripe address) into an :class:`UntrustedAnswerError` that names
    the field and carries the request id. For v2 and other callers of :meth:`StripeClient.request`.
    A plain ValueError/TypeError/KeyError from ``build`` counts too; its text passes ``scrub``."""
    try:
        return build(answer)
    except UnsafeLink as unsafe:
        raise UntrustedAnswerError(
            f"The server returned a link that is not a Stripe address ({unsafe.reason})",
            problem=unsafe.reason, link_refused=True, http_status=answer.status, request_id=answer.request_id,
        ) from None
    except decode.DecodeError as problem:
        raise UntrustedAnswerError(
            f"The answer was not what Stripe sends: {problem}",
            problem=str(problem), http_status=answer.status, request_id=answer.request_id,
        ) from None
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as problem:
        text = plain_text(scrub(str(problem)), limit=200) or "a field has the wrong type or value"
        raise UntrustedAnswerError(
            f"The answer was not what Stripe sends: {text}",
            problem=text, http_status=answer.status, request_id=answer.request_id,
        ) from None


async def read_capped(response: httpx.Response, cap: int) -> bytes | StripeError:
    """The body of a streamed ``response`` decompressed (gzip, deflate or none), or an
    :class:`UntrustedAnswerError` as soon as it would exceed ``cap`` bytes: a decompression
    bomb costs at most ``cap`` bytes of memory and stops being read at once."""
    declared = response.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > cap:
        return _too_large(cap)
    if response.is_stream_consumed:  # a response built whole (httpx.MockTransport in tests)
        return response.content if len(response.content) <= cap else _too_large(cap)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        inflater = None
    elif encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj(zlib.MAX_WBITS)
    else:
        return UntrustedAnswerError(
            "The answer was sent in an encoding Linkdesk did not ask for",
            problem="unexpected content encoding",
        )
    out = bytearray()
    try:
        async for chunk in response.aiter_raw():
            if inflater is None:
                out += chunk
            else:
                out += inflater.decompress(chunk, cap - len(out) + 1)
            if len(out) > cap:
                return _too_large(cap)
        if inflater is not None:
            out += inflater.flush()
    except zlib.error:
        return UntrustedAnswerError("The answer's compression was broken", problem="broken compression")
    return bytes(out) if len(out) <= cap else _too_large(cap)


def _too_large(cap: int) -> UntrustedAnswerError:
    return UntrustedAnswerError(
        f"The answer was larger than {cap // 1_000_000 or 1} MB; Stripe's answers here are a few KB",
        problem="answer too large",
    )


@functools.lru_cache(maxsize=1)
def tls_context() -> Any:
    """httpx's default TLS context (certifi's CAs, SSL_CERT_FILE/DIR honoured), built once:
    loading the CA bundle costs 20-300 ms, once per client otherwise."""
    return httpx.create_ssl_context()


def tls_context_for(api_base: str) -> Any:
    """The TLS context a client of ``api_base`` needs. A plain-HTTP base (the built-in sandbox,
    stripe-mock on loopback) never makes a TLS connection (redirects are not followed), so it
    gets an empty context and skips loading the CA bundle: that load was most of a sandbox
    command's start-up (bench/startup.py)."""
    if api_base.lower().startswith("http://"):
        import ssl

        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return tls_context()


@functools.lru_cache(maxsize=256)
def endpoint(api_base: str, path: str) -> httpx.URL:
    """Parsed once: URL parsing is a measurable part of a request's CPU time."""
    return httpx.URL(api_base + path)


def should_retry(status: int, headers: httpx.Headers) -> bool:
    """Stripe-Should-Retry decides when present; else 409 (conflict), 429 and 5xx."""
    advice = headers.get("stripe-should-retry")
    if advice in ("true", "false"):
        return advice == "true"
    return status in (409, 429) or status >= 500


def retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds (the HTTP-date form is not used by Stripe and is ignored)."""
    try:
        seconds = float(headers.get("retry-after", ""))
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def link_start(answer: ApiAnswer, created: int) -> float:
    """The monotonic instant a link's countdown runs from: when the attempt that got it was
    sent (a slow answer never lengthens the countdown). When Stripe replayed an earlier
    request's link (``Idempotent-Replayed``: an attempt's answer was lost, or the operator
    retried with the same key), the earlier of the call's first send and the instant the link
    was made by the server's own clock (``Date`` minus ``created``, plus 1 s for rounding)."""
    if answer.headers.get("idempotent-replayed") != "true":
        return answer.sent
    start = answer.first_sent
    server_now = http_date(answer.headers.get("date"))
    if server_now is not None:
        start = min(start, answer.sent - max(0.0, server_now - created + 1.0))
    return start


def http_date(value: str | None) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return when if when is not None and math.isfinite(when) else None


def decode_json(body: bytes, status: int, request_id: str | None, scrub: Callable[[str], str],
                clean: Callable[[Any, bytes], Any] | None = None) -> dict[str, Any]:
    """A 2xx body as a JSON object; anything else is an UntrustedAnswerError. ``clean(data,
    body)`` takes the decoded value first (the client's key scrubber: every string of it)."""
    try:
        data = decode.loads(body)
        if clean is not None:
            data = clean(data, body)
        return dict(decode.obj(data, "the answer"))
    except decode.DecodeError as problem:
        shown = scrub(excerpt(scrub(body[:16_384].decode("utf-8", "replace"))))
        message = f"The answer was not the expected JSON ({problem})" + (f": “{shown}”" if shown else "")
        raise UntrustedAnswerError(
            message, problem=str(problem), http_status=status, request_id=request_id
        ) from None


def connection_error(exc: httpx.RequestError, scrub: Callable[[str], str]) -> APIConnectionError:
    # httpx names the host or OS error; a protocol error may quote a header line the server
    # sent, so the text is scrubbed and made one plain line.
    reason = plain_text(scrub(str(exc) or type(exc).__name__), limit=200)
    if isinstance(exc, httpx.TimeoutException):
        error: APIConnectionError = APITimeoutError(f"No answer from the API in time ({reason})")
    else:
        error = APIConnectionError(f"Could not talk to the API ({reason})")
    error.__cause__ = exc
    return error
