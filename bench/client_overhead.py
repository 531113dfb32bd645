"""CPU cost per Account Link: Linkdesk's StripeClient against Stripe's own Python SDK.

Both clients create links, one at a time, against the built-in sandbox running in its own
process (so its work is not counted). The figure is this process's CPU time
(``time.process_time``) per link, which leaves out network and server time. The two clients
take turns in several rounds after a warm-up, so drift (caches, CPU frequency) hits both alike.

    .venv/bin/python bench/client_overhead.py [--links 2000] [--rounds 8]

Target: ours <= 0.9x the SDK. The SDK runs with its httpx client (``stripe.HTTPXClient``), the
same HTTP stack as ours, and with telemetry off (less work for it, so the ratio is conservative).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Awaitable, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import stripe  # noqa: E402  (test-only dependency)

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY  # noqa: E402
from app.stripe import ApiKey, LinkRequest, StripeClient  # noqa: E402
from app.stripe.client import DEFAULT_STRIPE_VERSION  # noqa: E402
from app.stripe.ratelimit import RateLimiter  # noqa: E402

ACCOUNT = DEMO_ACCOUNTS["custom_due"]
PARAMS = {
    "account": ACCOUNT,
    "type": "account_onboarding",
    "refresh_url": "https://linkdesk.example.com/onboarding/refresh",
    "return_url": "https://linkdesk.example.com/onboarding/return",
    "collection_options": {"fields": "eventually_due", "future_requirements": "include"},
}
REQUEST = LinkRequest(
    ACCOUNT, "account_onboarding", PARAMS["refresh_url"], PARAMS["return_url"], "eventually_due", "include"
)
WARMUP = 50


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    """``python -m app.sandbox`` on a free port, without rate limit; returns it and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app.sandbox", "--port", "0", "--rate-limit", "none", "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    url = process.stdout.readline().strip() if process.stdout else ""
    if not url.startswith("http"):
        process.kill()
        raise SystemExit(f"sandbox did not start (printed {url!r})")
    return process, url


async def cpu_per_link(create: Callable[[], Awaitable[object]], links: int) -> float:
    """CPU milliseconds per link over ``links`` sequential creations."""
    start = time.process_time()
    for _ in range(links):
        await create()
    return (time.process_time() - start) * 1000 / links


async def run(url: str, links: int, rounds: int) -> None:
    # A limiter too generous to ever wait: its bookkeeping is counted, its pacing is not.
    ours = StripeClient(ApiKey(DEMO_API_KEY), api_base=url, rate_limiter=RateLimiter(1e9, share=1.0))
    sdk_http = stripe.HTTPXClient()
    sdk = stripe.StripeClient(
        DEMO_API_KEY, http_client=sdk_http, base_addresses={"api": url},
        stripe_version=DEFAULT_STRIPE_VERSION, max_network_retries=2,
    )
    contenders: dict[str, Callable[[], Awaitable[object]]] = {
        "linkdesk": lambda: ours.create_account_link(REQUEST),
        "stripe-sdk": lambda: sdk.v1.account_links.create_async(PARAMS),
    }
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    try:
        for create in contenders.values():
            await cpu_per_link(create, WARMUP)
        per_round = links // rounds
        for i in range(rounds):
            order = list(contenders.items()) if i % 2 == 0 else list(contenders.items())[::-1]
            for name, create in order:
                samples[name].append(await cpu_per_link(create, per_round))
    finally:
        await ours.aclose()
        await sdk_http.close_async()

    print(f"{per_round * rounds} links per client in {rounds} alternating rounds; CPU ms per link")
    for name, values in samples.items():
        print(f"  {name:<11} median {statistics.median(values):.3f}   mean {statistics.mean(values):.3f}   "
              f"min {min(values):.3f}   max {max(values):.3f}")
    ratio = statistics.median(samples["linkdesk"]) / statistics.median(samples["stripe-sdk"])
    print(f"  ratio linkdesk / stripe-sdk (medians): {ratio:.2f}x   (target <= 0.90x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=2000, help="links per client (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds (default %(default)s)")
    args = parser.parse_args()
    stripe.enable_telemetry = False  # no telemetry file in $HOME, no telemetry header work
    # The SDK hands httpx its body as data=<str>, which httpx deprecates; not ours to fix.
    warnings.filterwarnings("ignore", message="Use 'content=", category=DeprecationWarning)
    process, url = start_sandbox()
    try:
        print(f"sandbox {url} (pid {process.pid}); stripe {stripe.VERSION}; python {sys.version.split()[0]}")
        asyncio.run(run(url, args.links, args.rounds))
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
