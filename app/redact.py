"""Last line of defence for secrets in text that leaves the process (the log file), and the
scrubbing of the key the client uses out of everything a server sends back.

API keys and Account Link URLs are kept out of messages by construction (``ApiKey`` redacts
itself, ``AccountLink`` hides its URL from ``repr``); :func:`redact` catches what nobody foresaw,
such as an unexpected exception whose text or traceback quotes one.

:class:`KeyScrubber` knows one key and removes any run of :data:`MIN_SECRET_RUN` or more
characters of its secret part from text (a server echoing the key whole, cut in pieces, or
inside other text), keeping only the last 4 characters that the redacted form shows anyway.
:class:`app.stripe.client.StripeClient` passes every error text and every string of every
answer through it, so links, look-ups, the directory sync, Accounts v2 and the key check are
all covered by this one mechanism. Linear time: a suffix automaton of the key, run only over
the words that contain one of the key's aligned 4-character blocks (found by one regex search).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

_KEY = re.compile(r"\b((?:sk|rk)_(?:test|live)_)[A-Za-z0-9_]*([A-Za-z0-9]{4})\b")
# The URL's last character is not sentence punctuation: "…at https://…/abc." keeps its full stop.
# v1 links on connect.stripe.com; Accounts v2 links on accounts.stripe.com (token after the "#").
_LINK = re.compile(
    r"https://(?:connect\.stripe\.com/(?:setup|express|d)|accounts\.stripe\.com/r)/[^\s\"'<>)]*[^\s\"'<>).,;:!?]"
)


def redact(text: str) -> str:
    """Keys become ``sk_test_…abcd``; Account Link URLs become ``<account link URL>``."""
    text = _KEY.sub(lambda m: f"{m.group(1)}…{m.group(2)}", text)
    return _LINK.sub("<account link URL>", text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output (message and traceback) goes through :func:`redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


MIN_SECRET_RUN = 8  # characters of a key's secret part that count as a leak
_SHOWN_TAIL = 4  # as ApiKey.redacted: the last 4 characters are shown by design...
_MIN_BODY_FOR_TAIL = 12  # ...when the secret part is long enough for that to be harmless
_KEY_PREFIX = re.compile(r"(?:sk|rk|pk)_(?:test|live)_")
_EMBEDDED_ACCOUNT = re.compile(r"5(1[A-Za-z0-9]{15})")
_MIN_BODY_WITH_ACCOUNT = 40  # a key of the "51" + account id + secret kind (about 99 characters)
_DROPPED_CATEGORIES = frozenset({"Cf", "Cs", "Co", "Cn"})  # what plain_text drops without a trace
_WORD_CHAR = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


class KeyScrubber:
    """Removes ``secret`` (whole or in pieces of 8+ letters and digits of its part after the
    ``sk_test_``-style prefix) from text; see the module's docstring.

    ``scrub(text)`` for one text; ``scrub_json(data, raw)`` for a decoded JSON answer (every
    string and key; ``raw``, the body it was decoded from, lets an answer that cannot hold a
    piece skip the walk)."""

    __slots__ = ("_secret", "_body", "_tail", "_hint", "_raw_hint", "_trans", "_link", "_length", "_account")

    def __init__(self, secret: str) -> None:
        self._secret = secret
        prefix = _KEY_PREFIX.match(secret)
        body = secret[prefix.end():] if prefix else secret
        self._body = body
        self._tail = body[-_SHOWN_TAIL:] if len(body) >= _MIN_BODY_FOR_TAIL else ""
        # Stripe's keys of today are "51" + the account's id (acct_1…, 16 characters) + the
        # secret: that id is public and in many answers (GET /v1/account gives it back), so
        # where it stands as an id it is left alone; the same characters anywhere else are not.
        embedded = _EMBEDDED_ACCOUNT.match(body) if len(body) >= _MIN_BODY_WITH_ACCOUNT else None
        self._account = "acct_" + embedded.group(1) if embedded else None
        # Any run of 8+ characters of ``body`` holds one of its 4-character blocks that start
        # at a multiple of 4 (the first such start is at most 3 characters in, so the block
        # ends by the 7th): one search for those finds every text worth a closer look.
        blocks = sorted({body[i:i + 4] for i in range(0, len(body) - 3, 4)})
        if len(body) < MIN_SECRET_RUN or not blocks:
            self._hint = self._raw_hint = None
        else:
            self._hint = re.compile("|".join(map(re.escape, blocks)))
            self._raw_hint = re.compile(b"|".join(re.escape(b.encode("utf-8", "replace")) for b in blocks))
        self._trans, self._link, self._length = _suffix_automaton(body)

    def scrub(self, text: str) -> str:
        """``text`` with the secret and every run of 8+ of its characters replaced by "…"
        (followed by the last 4 characters when the run ends the key)."""
        if self._secret and self._secret in text:
            text = text.replace(self._secret, self._secret[: len(self._secret) - len(self._body)] + "…" + self._tail)
        if self._hint is None or len(text) < MIN_SECRET_RUN:
            return text
        if self._account is not None and self._account in text:
            return self._account.join(self._scrub_pieces(part) for part in text.split(self._account))
        return self._scrub_pieces(text)

    def _scrub_pieces(self, text: str) -> str:
        assert self._hint is not None
        if not text.isascii():
            # Format characters (zero-width, bidi, soft hyphen) are dropped wherever text is
            # shown (app.stripe.safety.plain_text), which would join the pieces around them.
            visible = "".join(c for c in text if unicodedata.category(c) not in _DROPPED_CATEGORIES)
            if visible != text and self._hint.search(visible) is not None and self._spans(visible):
                text = visible
        if self._hint.search(text) is None:
            return text
        spans = self._spans(text)
        if not spans:
            return text
        out: list[str] = []
        at = 0
        for start, end in spans:
            out.append(text[at:start])
            piece = text[start:end]
            out.append("…" + self._tail if self._tail and piece.endswith(self._tail) else "…")
            at = end
        out.append(text[at:])
        return "".join(out)

    def might_hold(self, raw: bytes | str) -> bool:
        """False when ``raw`` (a body before decoding) cannot hold a run of the key: none of
        its blocks appears, and no ``\\u00..`` JSON escape could spell one."""
        if self._hint is None:
            return bool(self._secret) and (self._secret in raw if isinstance(raw, str) else
                                           self._secret.encode("utf-8", "replace") in raw)
        if isinstance(raw, str):
            return "\\u00" in raw or "\\U00" in raw or self._hint.search(raw) is not None
        return b"\\u00" in raw or b"\\U00" in raw or self._raw_hint.search(raw) is not None

    def scrub_json(self, data: Any, raw: bytes | str | None = None) -> Any:
        """``data`` (decoded JSON) with :meth:`scrub` applied to every string and object key;
        the same object when nothing changed or ``raw`` shows nothing can."""
        if raw is not None and not self.might_hold(raw):
            return data
        return self._walk(data)

    def _walk(self, value: Any) -> Any:
        if type(value) is str:
            return self.scrub(value)
        if type(value) is dict:
            return {(self.scrub(k) if type(k) is str else k): self._walk(v) for k, v in value.items()}
        if type(value) is list:
            return [self._walk(v) for v in value]
        return value

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """The merged [start, end) spans of runs of 8+ characters of the secret part, looking
        only at the words (letters, digits, _) around a hint."""
        spans: list[tuple[int, int]] = []
        done = 0  # words before this index were scanned already
        assert self._hint is not None
        for hit in self._hint.finditer(text):
            if hit.start() < done:
                continue
            start = hit.start()
            while start > done and text[start - 1] in _WORD_CHAR:
                start -= 1
            end = hit.end()
            while end < len(text) and text[end] in _WORD_CHAR:
                end += 1
            self._scan(text, start, end, spans)
            done = end
        return spans

    def _scan(self, text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
        """Matching statistics of text[start:end] against the suffix automaton: at each
        position, the longest run of the secret part ending there (amortised linear).

        Runs stop at underscores: a real Stripe key's secret is letters and digits only, and the
        words a test key carries after one (the sandbox's ``_expired``, ``_notplatform``...) are
        instructions, not secret, that Stripe's own vocabulary (``api_key_expired``) repeats."""
        trans, link, length = self._trans, self._link, self._length
        state = size = 0
        for i in range(start, end):
            char = text[i]
            if char == "_":  # a run never spans an underscore (see _secret_runs)
                state = size = 0
                continue
            while state and char not in trans[state]:
                state = link[state]
                size = length[state]
            nxt = trans[state].get(char)
            if nxt is None:
                state = size = 0
                continue
            state, size = nxt, size + 1
            if size >= MIN_SECRET_RUN:
                first = i + 1 - size
                if spans and first <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], i + 1)
                else:
                    spans.append((first, i + 1))


def _suffix_automaton(text: str) -> tuple[list[dict[str, int]], list[int], list[int]]:
    """The suffix automaton of ``text`` (transitions, suffix links, longest lengths): it
    accepts exactly the substrings of ``text``; built in O(len(text))."""
    trans: list[dict[str, int]] = [{}]
    link, length = [-1], [0]
    last = 0
    for char in text:
        cur = len(length)
        trans.append({})
        length.append(length[last] + 1)
        link.append(0)
        p = last
        while p != -1 and char not in trans[p]:
            trans[p][char] = cur
            p = link[p]
        if p != -1:
            q = trans[p][char]
            if length[p] + 1 == length[q]:
                link[cur] = q
            else:
                clone = len(length)
                trans.append(dict(trans[q]))
                length.append(length[p] + 1)
                link.append(link[q])
                while p != -1 and trans[p].get(char) == q:
                    trans[p][char] = clone
                    p = link[p]
                link[q] = link[cur] = clone
        last = cur
    link[0] = 0  # the root's own link, so that following links from it stays at it
    return trans, link, length
