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
