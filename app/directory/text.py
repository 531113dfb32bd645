"""Folding text for search: case-, accent- and width-insensitive, the same way for the index and
for what the operator types.

``fold("Café Crème")`` is ``"cafe creme"``; ``fold("Straße")`` is ``"strasse"``; ``fold("O'Brien")``
is ``"obrien"`` (an apostrophe never splits a word: "obrien" and "o'brien" both find it). Letters
that Unicode does not decompose (ø, ł, æ, đ...) are mapped by hand to what an operator on an
English keyboard would type.
"""

from __future__ import annotations

import re
import unicodedata

_EXTRA = str.maketrans({
    "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ı": "i",
    "ŀ": "l", "ŧ": "t", "'": "", "’": "", "ʼ": "", "‘": "",
})
# Combining marks (the accents NFKD splits off): the Unicode blocks that hold them.
_COMBINING = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f"
                        "\u0e31-\u0e3a\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
                        "\u3099\u309a\ufe20-\ufe2f]")
_WORD = re.compile(r"[^\W_]+")  # what SQLite's unicode61 tokenizer calls a token
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def fold(text: str) -> str:
    """Lower-case, accents removed, compatibility forms unified (fullwidth, ligatures)."""
    if text.isascii():  # most names and every email: no Unicode work to do
        return text.lower().translate(_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", _COMBINING.sub("", decomposed).translate(_EXTRA))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return _WORD.findall(fold(text))


def folded_words(folded: str) -> list[str]:
    """The words of text already folded (``words(t) == folded_words(fold(t))``)."""
    return _WORD.findall(folded)


def clean(value: object, limit: int = 200) -> str | None:
    """Untrusted text from the network as a short, single-line plain string (control and
    bidirectional-override characters removed), or None when empty or not a string."""
    if not isinstance(value, str):
        return None
    if len(value) <= limit and value.isprintable() and value.strip() == value and "  " not in value:
        return value or None  # the usual case: nothing to clean
    text = " ".join(_CONTROL.sub(" ", value).split())[:limit]
    return text or None
