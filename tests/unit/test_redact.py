import logging

from app.redact import RedactingFormatter, redact

KEY = "sk_live_" + "51HxYzAbCdEfGhIjKlMn0pQr"
LINK = "https://connect.stripe.com/setup/c/acct_1LdCustomDue0001/Mkygpaann0Q6"


def test_keys_and_links_are_redacted_other_text_kept():
    text = redact(f"key={KEY} rk_test_abcdef123456 link={LINK}, account acct_1LdCustomDue0001")
    assert KEY not in text and "sk_live_…0pQr" in text and "rk_test_…3456" in text
    assert LINK not in text and "<account link URL>" in text
    assert "account acct_1LdCustomDue0001" in text
    assert redact(f"Could not open {LINK}.") == "Could not open <account link URL>."


def test_formatter_redacts_tracebacks(tmp_path):
    path = tmp_path / "app.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    log = logging.getLogger("linkdesk.test_redact")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise RuntimeError(f"could not open {LINK} with {KEY}")
        except RuntimeError:
            log.exception("Unexpected error for %s", KEY)
    finally:
        log.removeHandler(handler)
        handler.close()
    written = path.read_text(encoding="utf-8")
    assert "RuntimeError" in written and "Traceback" in written
    assert KEY not in written and LINK not in written


def test_accounts_v2_links_are_redacted_whole():
    v2 = "https://accounts.stripe.com/r/acct_1Nv0FGQ9RKHgCVdK#alu_61SX0lJ2n8jJ0CVJq16SX0lIj0SQWNa2GdS"
    assert redact(f"opened {v2}.") == "opened <account link URL>."
    assert redact("see https://accounts.stripe.com/settings") == "see https://accounts.stripe.com/settings"


# --- The client's key scrubber (issue 18, point 2) -----------------------------------------

import json
import random

import pytest

from app.redact import MIN_SECRET_RUN, KeyScrubber

ECHOED = "sk_test_51" + "AtkKey0000Qz7Rw2Xp9Lm4Nb6Vc8Tj3Hs5Gd1Fk" + "atk1"


def naive_marks(secret: str, text: str) -> list[bool]:
    """Which characters of ``text`` lie in a run of 8+ letters/digits of the secret part:
    every substring of every underscore-free segment, compared by brute force."""
    runs = {seg[i:j] for seg in secret[8:].split("_") for i in range(len(seg))
            for j in range(i + MIN_SECRET_RUN, len(seg) + 1)}
    marks = [False] * len(text)
    for i in range(len(text)):
        for j in range(i + MIN_SECRET_RUN, len(text) + 1):
            if text[i:j] in runs:
                marks[i:j] = [True] * (j - i)
    return marks


def test_a_key_in_pieces_is_scrubbed_keeping_only_its_last_four():
    scrub = KeyScrubber(ECHOED).scrub
    assert scrub(f"key {ECHOED[:10]} {ECHOED[10:]}") == "key sk_test_51 …atk1"
    assert scrub(f"the key is {ECHOED}.") == "the key is sk_test_…atk1."
    middle = ECHOED[14:30]
    assert scrub(f"x{middle}y") == "x…y"  # found inside a longer word too
    assert scrub(f"a {middle[:7]} b") == f"a {middle[:7]} b"  # 7 characters are not a leak
    assert scrub("nothing to see 0000 here") == "nothing to see 0000 here"


def test_format_characters_that_a_screen_drops_cannot_hide_a_piece():
    scrub = KeyScrubber(ECHOED).scrub
    rest = ECHOED[10:]
    shown = scrub(f"{rest[:9]}\u200b{rest[9:]}")
    assert ECHOED[10:18] not in shown.replace("\u200b", "") and "atk1" in shown


def test_the_account_id_inside_a_stripe_key_stays_where_it_is_an_id():
    account = "acct_1H2O1rKZ4cAbCdEf"
    key = "sk_live_5" + account[5:] + "Qx8Wm3Zr7Tb2Yn6Lp4Kd9Hs1Fg5Jc0Vv" * 3 + "b7Rt"
    scrub = KeyScrubber(key).scrub
    assert scrub(f"account {account} (Acme)") == f"account {account} (Acme)"
    assert scrub(f"echo {key[8:]}") == "echo …b7Rt"
    assert scrub(f"{account}Qx8Wm3Zr7Tb2") == f"{account}…"


def test_decoded_json_is_scrubbed_in_every_string_and_key():
    scrubber = KeyScrubber(ECHOED)
    piece = ECHOED[12:30]
    data = {"name": f"Shop {piece}", "list": [1, {piece: "v"}, "fine"], "n": 3}
    raw = json.dumps(data).encode()
    assert scrubber.might_hold(raw)
    clean = scrubber.scrub_json(data, raw)
    assert piece not in json.dumps(clean) and clean["list"][2] == "fine" and clean["n"] == 3
    quiet = {"name": "Harbor Street Bakery"}
    assert scrubber.scrub_json(quiet, json.dumps(quiet).encode()) is quiet  # nothing to walk
    escaped = '{"name": "' + "".join(f"\\u{ord(c):04x}" for c in piece) + '"}'
    assert scrubber.might_hold(escaped.encode())  # a JSON escape can spell the key


@pytest.mark.parametrize("seed", range(4))
def test_the_scrubber_marks_exactly_what_brute_force_finds(seed):
    rnd = random.Random(seed)
    for _ in range(400):
        secret = "sk_test_" + "".join(rnd.choice("ab01_") for _ in range(rnd.randint(8, 30)))
        text = "".join(rnd.choice("ab01_ -") for _ in range(rnd.randint(0, 70)))
        scrubber = KeyScrubber(secret)
        spans = scrubber._spans(text) if scrubber._hint is not None and scrubber._hint.search(text) else []
        marks = [False] * len(text)
        for start, end in spans:
            marks[start:end] = [True] * (end - start)
        assert marks == naive_marks(secret, text), (secret, text)
