"""``python -m app.sandbox`` and ``linkdesk sandbox``: run the sandbox in the foreground.

:func:`serve_forever` parses its own arguments, prints the URL and the demo key, serves until
Ctrl-C or SIGTERM (or until ``stop`` is set, for callers off the main thread) and stops cleanly.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Callable, Sequence, TextIO

# The sandbox itself (server, API, demo accounts: ~40 ms of imports) loads in serve_forever():
# every command's parser is built from this module's add_parser(), and `linkdesk link` must
# not pay for a server it does not start.

DEFAULT_PORT = 12112  # next to stripe-mock's 12111, so both can run at once


def add_parser(sub: "argparse._SubParsersAction", add_global_options: Callable[..., None]) -> None:
    # Listed for --help only: main() hands `linkdesk sandbox ...` to this module's own parser.
    sub.add_parser("sandbox", help="run the built-in sandbox API server in the foreground "
                                   "(see `linkdesk sandbox --help`)")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return serve_forever([], out=out, prog="linkdesk sandbox")


def _rate(text: str) -> float | None:
    if text.strip().lower() in ("none", "off", "0"):
        return None
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive, or 'none'")
    return value


def build_parser(prog: str = "python -m app.sandbox") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run Linkdesk's local Stripe-compatible sandbox (Account Links and Accounts).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one (default %(default)s)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS", help="delay added to every request")
    parser.add_argument("--rate-limit", type=_rate, default=25.0, metavar="N|none",
                        help="requests per second before 429 (default 25, Stripe's test-mode limit)")
    parser.add_argument("--rate-limit-model", choices=("bucket", "window"), default="bucket",
                        help="bucket: a burst of one second's worth, then N per second (default); "
                             "window: at most N requests in any one-second window (strict)")
    parser.add_argument("--live", action="store_true", help="also accept live keys (and demand https redirect URLs from them)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="add N synthetic accounts")
    parser.add_argument("--no-demo", dest="demo", action="store_false", help="leave out the demo accounts")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser


def serve_forever(
    argv: Sequence[str] | None = None,
    *,
    prog: str = "python -m app.sandbox",
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run the sandbox until interrupted; returns the process exit status."""
    from app.sandbox.seed import DEMO_API_KEY
    from app.sandbox.server import SandboxServer

    args = build_parser(prog).parse_args(argv)
    out = out or sys.stdout
    stop = stop or threading.Event()
    err = sys.stderr
    server = SandboxServer(
        demo=args.demo, synthetic_accounts=args.synthetic, live=args.live, latency=args.latency,
        rate_limit=args.rate_limit, rate_limit_model=args.rate_limit_model, host=args.host, port=args.port,
        log=None if args.quiet else (lambda line: print(line, file=err, flush=True)),
    )
    try:
        server.start()
    except OSError as exc:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=err)
        return 2
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        print(server.url, file=out, flush=True)
        print(f"Linkdesk sandbox: {len(server.store)} accounts; API key {DEMO_API_KEY}. "
              "Ctrl-C stops it.", file=err, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.stop()
    return 0
