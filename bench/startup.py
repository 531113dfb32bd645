"""How fast Linkdesk starts, against what a user would compare it with, side by side.

    .venv/bin/python bench/startup.py [--runs 7] [--only window|link]

(a) Start -> the form ready to type: the ``linkdesk`` command (no subcommand: the window, on the
    built-in Sandbox profile, as an operator who has used it before starts it: no welcome
    view) against a bare PySide6 QMainWindow (1280x820) shown the same way. "Ready to type" is
    the moment the running event loop delivers a key to the account field, enabled and with the
    keyboard focus, after the window's contents were painted (``typable``); the bare window's
    figure is its first paint. Both are stamped with ``time.monotonic()`` in the child
    (system-wide on Linux: ``LINKDESK_REPORT_SHOWN=1``) and compared with the instant just before
    the parent started it; the window closes at once (``LINKDESK_TEST_CLOSE_AFTER_MS=0``).
    Target <= 1.4x. Reference rows, from the same linkdesk runs: the frame's first paint
    (``shown``) and the contents' first paint (``ready``); and the bare window with one QLabel
    (fonts loaded).
(b) One link: a whole ``linkdesk link ... --json`` process (start, parse, key, client, one POST,
    the history row, exit) against a plain stripe-python script making the same link with the
    SDK's defaults, both against the same sandbox running in its own process (no rate limit,
    no latency). Wall time from start to exit. Target <= 1.0x.

Each pair runs in alternating order (which goes first flips every round), after one warm-up
round that fills the OS file cache and the .pyc caches; medians of ``--runs`` rounds, and the
ratio of the medians. Each figure comes twice: wall time, and the CPU time (user + system) the
child used (by the moment measured for (a), to exit for (b)); on a machine shared with other work the
CPU ratio is the steadier one. Offscreen unless QT_QPA_PLATFORM says otherwise. Needs the test
extra (stripe) for (b).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Children run as an installed app does: with bytecode caches. With PYTHONDONTWRITEBYTECODE set
# (some shells and CI images set it), every run of ``linkdesk`` would compile all of app/ from
# source while PySide6 and stripe load from the .pyc files pip wrote; the warm-up round below
# writes app/'s caches once.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY  # noqa: E402

ACCOUNT = DEMO_ACCOUNTS["custom_due"]
REFRESH, RETURN = "https://example.com/reauth", "https://example.com/return"

# The bare window both start-up benches compare with (bench/bare_window.py).
from bare_window import BARE, BARE_WITH_TEXT  # noqa: E402 - bench/ is on sys.path as a script

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


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time from start to exit, and the CPU time (user + system) the process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{cmd[0]} … exited {result.returncode}: {result.stderr.strip()[-400:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _stamps_after_start(cmd: list[str], env: dict[str, str], labels: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """For each label (``shown``, ``ready``, ``typable``): wall time from start to that moment,
    and the CPU time the child had used by then. A missing label fails the bench."""
    start = time.monotonic()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120).stdout
    stamps = {}
    for label in labels:
        lines = [line.split() for line in out.splitlines() if line.startswith(f"{label} ")]
        if not lines or len(lines[0]) < 4:
            raise SystemExit(f"no '{label} <time> cpu <time>' line from {cmd}: {out!r}")
        stamps[label] = (float(lines[0][1]) - start, float(lines[0][3]))
    return stamps


def _alternate_stamps(runs: int, pair: dict[str, Callable[[], dict[str, tuple[float, float]]]]
                      ) -> dict[str, list[tuple[float, float]]]:
    """As :func:`_alternate`, for runs that give several named figures each."""
    names = list(pair)
    times: dict[str, list[tuple[float, float]]] = {}
    for i in range(runs + 1):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            stamps = pair[name]()
            if i:  # round 0 warms the file and .pyc caches
                for label, took in stamps.items():
                    times.setdefault(label, []).append(took)
    return times


def _alternate(runs: int, pair: dict[str, Callable[[], tuple[float, float]]]) -> dict[str, list[tuple[float, float]]]:
    names = list(pair)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for i in range(runs + 1):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            took = pair[name]()
            if i:  # round 0 warms the file and .pyc caches
                times[name].append(took)
    return times


def _report(title: str, times: dict[str, list[tuple[float, float]]], base: str, ours: str, target: float) -> None:
    print(title)
    ratios = []
    for index, what in ((0, "wall"), (1, "CPU")):
        b = statistics.median(t[index] for t in times[base])
        o = statistics.median(t[index] for t in times[ours])
        ratios.append(o / b)
        for name in (base, ours):
            values = ", ".join(f"{t[index] * 1000:.0f}" for t in times[name])
            print(f"    {what:<4} {name:<22} median {statistics.median(t[index] for t in times[name]) * 1000:6.0f} ms   ({values})")
        print(f"    {what:<4} ratio {o / b:.2f}x (target <= {target:.1f}x) {'met' if o / b <= target else 'NOT met'}")
        for name in times:
            if name not in (base, ours):  # reference rows
                ref = statistics.median(t[index] for t in times[name])
                print(f"    {what:<4} reference: {name} median {ref * 1000:.0f} ms ({ref / b:.2f}x the bare window)")


# The rows of (a): the headline first, then the reference rows from the same runs.
READY_TO_TYPE = "linkdesk ready to type"
WINDOW_ROWS = {"typable": READY_TO_TYPE, "shown": "linkdesk frame painted", "ready": "linkdesk contents painted"}


def bench_window(runs: int, scratch: Path) -> None:
    env = dict(os.environ, LINKDESK_DATA_DIR=str(scratch / "data"), XDG_CONFIG_HOME=str(scratch / "config"),
               LINKDESK_REPORT_SHOWN="1", LINKDESK_TEST_CLOSE_AFTER_MS="0")
    env.pop("STRIPE_API_KEY", None)
    env.pop("LINKDESK_PROFILE", None)
    linkdesk = linkdesk_command()
    # A returning operator: the Sandbox chosen before, so the window opens on the form (a first
    # start shows the welcome view instead).
    _run(linkdesk + ["profile", "use", "Sandbox"], env)

    def ours() -> dict[str, tuple[float, float]]:
        stamps = _stamps_after_start(linkdesk, env, tuple(WINDOW_ROWS))
        return {WINDOW_ROWS[label]: took for label, took in stamps.items()}

    times = _alternate_stamps(runs, {
        "bare QMainWindow": lambda: {"bare QMainWindow": _stamps_after_start([sys.executable, "-c", BARE], env,
                                                                             ("shown",))["shown"]},
        "linkdesk": ours,
        "bare + one QLabel": lambda: {"bare + one QLabel": _stamps_after_start(
            [sys.executable, "-c", BARE_WITH_TEXT], env, ("shown",))["shown"]},
    })
    _report(f"(a) start -> the form ready to type (a key delivered to the focused account field), {runs} "
            f"alternating rounds; linkdesk = {' '.join(Path(c).name for c in linkdesk)}",
            times, "bare QMainWindow", READY_TO_TYPE, 1.4)


def bench_link(runs: int, scratch: Path) -> None:
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
            f"stripe-python {stripe.VERSION}": lambda: _run(theirs, env),
            "linkdesk link": lambda: _run(ours, env),
        })
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    _report(f"(b) one link, whole process, {runs} alternating pairs, same sandbox",
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
