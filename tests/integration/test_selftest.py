"""``app.selftest``: the checks pass on a working installation, and each refuses what it should."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import segno

from app.selftest import (
    CHECKS, SKIP_MODULES, SelfTestFailure, app_modules, check_qr_matrix, run_self_test,
)
from app.ui.links.qr import QUIET_ZONE, qr_matrix

ROOT = Path(__file__).resolve().parents[2]
TEXT = "https://connect.stripe.com/setup/s/acct_1LdCustomDue0001/abc"


def test_every_check_passes_and_says_what_it_checked(qapp):
    out = io.StringIO()
    assert run_self_test(out) == 0
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[1:-1]] == [f"ok   {name}" for name, _ in CHECKS]
    assert lines[-1] == f"self-test passed: {len(CHECKS)} checks"
    # The link made against the sandbox is a secret like any other: never printed.
    assert "/setup/" not in out.getvalue() and "127.0.0.1" not in out.getvalue()


def test_a_failing_check_is_named_and_the_status_is_1():
    def broken() -> str:
        raise SelfTestFailure("the thing is missing")

    def crashing() -> str:
        return {}["nope"]

    out = io.StringIO()
    status = run_self_test(out, checks=(("fine", lambda: "all good"), ("broken", broken), ("crash", crashing)))
    lines = out.getvalue().splitlines()
    assert status == 1
    assert lines[1].startswith("ok   fine: all good")
    assert lines[2] == "FAIL broken: the thing is missing"
    assert lines[3].startswith("FAIL crash: KeyError: 'nope' (at test_selftest.py:")
    assert lines[4] == "self-test FAILED: 2 of 3 checks (broken, crash)"


def test_the_module_walk_sees_subpackages_and_skips_entry_points():
    names = app_modules()
    assert {"app.selftest", "app.icons", "app.stripe.client", "app.history.store", "app.sandbox.server"} <= set(names)
    assert not SKIP_MODULES & set(names)


def test_the_qr_check_accepts_the_apps_codes():
    assert "error correction M, mask 0" in check_qr_matrix(qr_matrix(TEXT), QUIET_ZONE)


def _flipped(matrix, row, col):
    rows = [list(r) for r in matrix]
    rows[row][col] = not rows[row][col]
    return tuple(tuple(r) for r in rows)


@pytest.mark.parametrize(("row", "col", "reason"), [
    (QUIET_ZONE + 3, QUIET_ZONE + 3, "finder pattern"),        # the centre of the top-left finder
    (QUIET_ZONE + 6, QUIET_ZONE + 10, "timing pattern"),
    (QUIET_ZONE + 8, QUIET_ZONE + 2, "two copies of the format information differ"),
    (0, 5, "quiet zone"),
])
def test_the_qr_check_refuses_a_damaged_matrix(row, col, reason):
    with pytest.raises(SelfTestFailure, match=reason):
        check_qr_matrix(_flipped(qr_matrix(TEXT), row, col), QUIET_ZONE)


def test_the_qr_check_reads_the_format_information():
    # A valid code, but with another mask and error level than the app's: the BCH-checked
    # format bits say so.
    code = segno.make(TEXT, error="h", micro=False, boost_error=False, mask=3)
    matrix = tuple(tuple(bool(v) for v in row) for row in code.matrix_iter(border=QUIET_ZONE))
    with pytest.raises(SelfTestFailure, match=r"level bits 10, mask 3"):
        check_qr_matrix(matrix, QUIET_ZONE)


@pytest.mark.slow
def test_the_module_runs_as_a_process_and_exits_0(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "app.selftest"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"self-test passed: {len(CHECKS)} checks"


def test_linkdesk_self_test_flag_runs_it(qapp):
    from app.cli import main

    out, err = io.StringIO(), io.StringIO()
    assert main(["--self-test"], out=out, err=err) == 0
    assert out.getvalue().splitlines()[-1] == f"self-test passed: {len(CHECKS)} checks"


def test_self_test_with_a_command_is_refused(capsys):
    from app.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--self-test", "history"])
    assert exit_info.value.code == 2
    assert "--self-test takes no command" in capsys.readouterr().err
