"""Server lifecycle, keep-alive, latency, rate limiting and the foreground command."""

from __future__ import annotations

import http.client
import io
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import app
from app.cli.sandbox import serve_forever
from app.sandbox import DEMO_API_KEY, SandboxServer

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
REPO = Path(app.__file__).resolve().parents[1]


def sandbox_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("sandbox")]


def test_lifecycle_is_explicit_and_stop_is_idempotent(sandbox_clock):
    server = SandboxServer(clock=sandbox_clock.time)
    with pytest.raises(RuntimeError):
        server.url
    assert server.start() is server and server.start() is server
    assert server.running and server.url.startswith("http://127.0.0.1:")
    server.stop()
    server.stop()
    assert not server.running and not sandbox_threads()
    with pytest.raises(RuntimeError):
        server.start()


def test_context_manager(sandbox_clock):
    with SandboxServer(clock=sandbox_clock.time) as server:
        assert httpx.get(server.url + "/v1/account", verify=False, headers=AUTH).status_code == 200
    assert not sandbox_threads()


def test_keep_alive_serves_several_requests_on_one_connection(sandbox):
    conn = http.client.HTTPConnection(sandbox.url.removeprefix("http://"), timeout=5)
    try:
        sockets = []
        for _ in range(3):
            conn.request("GET", "/v1/account", headers=AUTH)
            response = conn.getresponse()
            assert response.status == 200 and response.version == 11
            assert response.getheader("Connection") != "close"
            response.read()
            sockets.append(conn.sock)
        assert sockets[0] is not None and sockets.count(sockets[0]) == 3
    finally:
        conn.close()


def test_stop_cuts_idle_keep_alive_connections(sandbox_clock):
    server = SandboxServer(clock=sandbox_clock.time).start()
    conn = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=5)
    try:
        conn.request("GET", "/v1/account", headers=AUTH)
        conn.getresponse().read()
        server.stop()  # the client still holds its connection open
        assert not sandbox_threads()
    finally:
        conn.close()


def test_rate_limit_is_a_token_bucket_on_the_injected_clock(make_sandbox, sandbox_clock):
    sandbox = make_sandbox(rate_limit=5)
    with httpx.Client(verify=False, base_url=sandbox.url, headers=AUTH) as client:
        assert [client.get("/v1/account").status_code for _ in range(6)] == [200] * 5 + [429]
        limited = client.get("/v1/account")
        error = limited.json()["error"]
        assert (limited.status_code, error["code"], error["type"]) == (429, "rate_limit", "invalid_request_error")
        assert error["message"].startswith("Testmode request rate limit exceeded")
        assert limited.headers["request-id"].startswith("req_")
        # As Stripe: its 429 names no wait (stripe-facts.md; its SDKs back off exponentially),
        # so the client must not depend on Retry-After.
        assert "retry-after" not in limited.headers
        sandbox_clock.advance(0.2)  # one token back
        assert [client.get("/v1/account").status_code for _ in range(2)] == [200, 429]
        sandbox_clock.advance(60)  # refills to the burst, not beyond
        assert [client.get("/v1/account").status_code for _ in range(6)] == [200] * 5 + [429]


def test_rate_limit_can_be_a_strict_one_second_window(make_sandbox, sandbox_clock):
    """Stripe's stated limit (25/s in test mode) as a strict sliding window: at most N requests
    in any one-second window, with no burst above it (the bench and the sync tests use it)."""
    sandbox = make_sandbox(rate_limit=5, rate_limit_model="window")
    with httpx.Client(verify=False, base_url=sandbox.url, headers=AUTH) as client:
        codes = []
        for _ in range(10):  # 0.0, 0.3, 0.6, ...: a token bucket (burst 5, 5/s) lets all through
            codes.append(client.get("/v1/account").status_code)
            codes.append(client.get("/v1/account").status_code)
            sandbox_clock.advance(0.3)
        assert codes.count(200) <= 5 * 3 + 2  # ~3 s of time: at most 5 per window
        assert codes[:5] == [200] * 5 and codes[5] == 429  # 0.0, 0.0, 0.3, 0.3, 0.6 then 0.6: full
        sandbox_clock.advance(1.0)
        assert [client.get("/v1/account").status_code for _ in range(6)] == [200] * 5 + [429]


def test_without_a_rate_limit_nothing_is_refused(api):
    assert {api.get("/v1/account").status_code for _ in range(40)} == {200}


def test_latency_delays_every_answer(make_sandbox):
    sandbox = make_sandbox(latency=0.15)
    with httpx.Client(verify=False, base_url=sandbox.url, headers=AUTH) as client:
        start = time.monotonic()
        assert client.get("/v1/account").status_code == 200
        assert time.monotonic() - start >= 0.15


def test_latency_does_not_hold_up_stop(sandbox_clock):
    server = SandboxServer(clock=sandbox_clock.time, latency=60).start()
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(httpx.get(server.url + "/v1/account", verify=False, headers=AUTH, timeout=30))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    while not server.open_connections:  # the request has reached the server
        time.sleep(0.005)
    server.stop()
    caller.join(10)
    assert not caller.is_alive()
    assert isinstance(outcome[0], httpx.RemoteProtocolError)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_python_m_app_sandbox_prints_its_url_and_stops_on_a_signal(signum):
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.sandbox", "--port", "0", "--rate-limit", "none", "--quiet"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url + "/v1/accounts/acct_1LdCustomDue0001", verify=False, headers=AUTH).status_code == 200
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_serve_forever_off_the_main_thread_stops_on_its_event():
    out, stop, codes = io.StringIO(), threading.Event(), []
    runner = threading.Thread(
        target=lambda: codes.append(serve_forever(["--port", "0", "--quiet", "--synthetic", "3", "--live"],
                                                  out=out, stop=stop))
    )
    runner.start()
    try:
        while not out.getvalue():
            time.sleep(0.005)
        url = out.getvalue().strip()
        page = httpx.get(url + "/v1/accounts", params={"limit": 100}, verify=False, headers={"Authorization": "Bearer sk_live_x1"})
        assert len(page.json()["data"]) == 14 + 3
    finally:
        stop.set()
        runner.join(10)
    assert codes == [0] and not sandbox_threads()


def test_busy_port_is_exit_status_2(sandbox, capsys):
    port = sandbox.url.rsplit(":", 1)[1]
    assert serve_forever(["--port", port, "--quiet"]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0.5x", "-3"])
def test_bad_rate_limit_argument_is_a_usage_error(value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        serve_forever(["--rate-limit", value])
    assert exit_info.value.code == 2
