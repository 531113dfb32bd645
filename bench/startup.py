"""How fast Linkdesk starts, against what a user would compare it with, side by side.

    .venv/bin/python bench/startup.py [--runs 7] [--only window|link]

(a) Start -> window shown: the ``linkdesk`` command (no subcommand: the window, with the built-in
    sandbox) against a bare PySide6 QMainWindow (1280x820) shown the same way. "Shown" is the
    window's first paint event, stamped with ``time.monotonic()`` in the child (system-wide on
    Linux: ``LINKDESK_REPORT_SHOWN=1``) and compared with the instant just before the parent
    started it; the window closes at once (``LINKDESK_TEST_CLOSE_AFTER_MS=0``). Target <= 1.5x.
(b) One link: a whole ``linkdesk link ... --json`` process (start, parse, key, client, one POST,
    the history row, exit) against a plain stripe-python script making the same link with the
    SDK's defaults, both against the same sandbox running in its own process (no rate limit,
    no latency). Wall time from start to exit. Target <= 1.0x.

Each pair runs in alternating order (which goes first flips every round), after one warm-up
round that fills the OS file cache and the .pyc caches; medians of ``--runs`` rounds, and the
ratio of the medians. Offscreen unless QT_QPA_PLATFORM says otherwise. Needs the test extra
(stripe) for (b).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui_latency import BARE  # noqa: E402  (one definition of "a bare window shown the same way")

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY  # noqa: E402

ACCOUNT = DEMO_ACCOUNTS["custom_due"]
REFRESH, RETURN = "https://example.com/reauth", "https://example.com/return"

STRIPE_SCRIPT = r"""
import sys
import stripe

client = stripe.StripeClient(sys.argv[1], base_addresses={"api": sys.argv[2]})
link = client.v1.account_links.create(params={
    "account": sys.argv[3], "type": "account_onboarding",
    "refresh_url": sys.argv[4], "return_url": sys.argv[5],
})
print(link.expires_at)
"""


def linkdesk_command() -> list[str]:
    """The installed console script next to this interpreter (what a user runs), else -m app."""
    script = Path(sys.executable).with_name("linkdesk")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "app"]


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - start
    if result.returncode != 0:
        raise SystemExit(f"{cmd[0]} … exited {result.returncode}: {result.stderr.strip()[-400:]}")
    return took, result.stdout


def _shown_after_start(cmd: list[str], env: dict[str, str]) -> float:
    start = time.monotonic()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120).stdout
    shown = [line for line in out.splitlines() if line.startswith("shown ")]
    if not shown:
        raise SystemExit(f"no 'shown' line from {cmd}: {out!r}")
    return float(shown[0].split()[1]) - start


def _alternate(runs: int, pair: dict[str, callable]) -> dict[str, list[float]]:
    names = list(pair)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(runs + 1):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            took = pair[name]()
            if i:  # round 0 warms the file and .pyc caches
                times[name].append(took)
    return times


def _report(title: str, times: dict[str, list[float]], base: str, ours: str, target: float) -> float:
    b, o = statistics.median(times[base]), statistics.median(times[ours])
    ratio = o / b
    print(title)
    for name in (base, ours):
        values = ", ".join(f"{t * 1000:.0f}" for t in times[name])
        print(f"    {name:<22} median {statistics.median(times[name]) * 1000:6.0f} ms   ({values})")
    print(f"    ratio {ratio:.2f}x (target <= {target:.1f}x) {'met' if ratio <= target else 'NOT met'}")
    return ratio


def bench_window(runs: int, scratch: Path) -> float:
    env = dict(os.environ, LINKDESK_DATA_DIR=str(scratch / "data"), XDG_CONFIG_HOME=str(scratch / "config"),
               LINKDESK_REPORT_SHOWN="1", LINKDESK_TEST_CLOSE_AFTER_MS="0")
    env.pop("STRIPE_API_KEY", None)
    linkdesk = linkdesk_command()
    times = _alternate(runs, {
        "bare QMainWindow": lambda: _shown_after_start([sys.executable, "-c", BARE], env),
        "linkdesk (window)": lambda: _shown_after_start(linkdesk, env),
    })
    return _report(f"(a) start -> window shown, {runs} alternating pairs; linkdesk = {' '.join(Path(c).name for c in linkdesk)}",
                   times, "bare QMainWindow", "linkdesk (window)", 1.5)


def bench_link(runs: int, scratch: Path) -> float:
    try:
        import stripe
    except ImportError:
        raise SystemExit("(b) needs stripe-python: pip install -e '.[test]'") from None
    sandbox = subprocess.Popen([sys.executable, "-m", "app.sandbox", "--port", "0", "--rate-limit", "none", "--quiet"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = (sandbox.stdout.readline() if sandbox.stdout else "").strip()
        if not url.startswith("http"):
            raise SystemExit(f"sandbox did not start ({url!r})")
        env = dict(os.environ, STRIPE_API_KEY=DEMO_API_KEY, LINKDESK_DATA_DIR=str(scratch / "data"),
                   XDG_CONFIG_HOME=str(scratch / "config"), HOME=str(scratch))
        ours = linkdesk_command() + ["link", ACCOUNT, "--type", "account_onboarding", "--refresh-url", REFRESH,
                                     "--return-url", RETURN, "--api-base", url, "--json"]
        theirs = [sys.executable, "-c", STRIPE_SCRIPT, DEMO_API_KEY, url, ACCOUNT, REFRESH, RETURN]
        times = _alternate(runs, {
            f"stripe-python {stripe.VERSION}": lambda: _run(theirs, env)[0],
            "linkdesk link": lambda: _run(ours, env)[0],
        })
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    return _report(f"(b) one link, whole process, {runs} alternating pairs, same sandbox",
                   times, f"stripe-python {stripe.VERSION}", "linkdesk link", 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=("window", "link"))
    args = parser.parse_args()
    import PySide6

    print(f"python {sys.version.split()[0]}, PySide6 {PySide6.__version__}, {os.cpu_count()} CPUs, "
          f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}")
    scratch = Path(tempfile.mkdtemp(prefix="linkdesk-startup-"))
    try:
        if args.only in (None, "window"):
            bench_window(args.runs, scratch)
        if args.only in (None, "link"):
            bench_link(args.runs, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
