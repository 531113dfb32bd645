"""Injected faults: each kind, how many requests it hits, and what it leaves behind."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY

LINK = {
    "account": DEMO_ACCOUNTS["custom_due"],
    "type": "account_onboarding",
    "refresh_url": "https://example.com/refresh",
    "return_url": "https://example.com/return",
}


def post_link(api, key: str = "idem-1") -> httpx.Response:
    return api.post("/v1/account_links", data=LINK, headers={"Idempotency-Key": key})


@pytest.mark.parametrize(("should_retry", "header"), [(None, None), (True, "true"), (False, "false")])
def test_500_is_stripes_api_error(sandbox, api, should_retry, header):
    sandbox.inject_fault("500", should_retry=should_retry)
    response = api.get("/v1/account")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["type"] == "api_error" and error["message"]
    assert response.headers["request-id"].startswith("req_")
    assert response.headers.get("stripe-should-retry") == header
    assert api.get("/v1/account").status_code == 200


def test_count_and_status_options(sandbox, api):
    sandbox.inject_fault("500", count=2, status=503)
    assert [api.get("/v1/account").status_code for _ in range(3)] == [503, 503, 200]
    assert sandbox.faults.pending() == 0


def test_400_is_stripe_refusing_a_named_parameter(sandbox, api):
    message = f"No such account: '{LINK['account']}'"
    sandbox.inject_fault("400", path="/v1/account_links", param="account", code="resource_missing", message=message)
    assert api.get(f"/v1/accounts/{LINK['account']}").status_code == 200  # the look-up is not hit
    response = post_link(api)
    assert response.status_code == 400
    assert response.json() == {"error": {
        "code": "resource_missing", "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
        "message": message, "param": "account", "type": "invalid_request_error"}}
    assert response.headers["request-id"].startswith("req_")
    assert post_link(api, "idem-2").status_code == 200
    with pytest.raises(ValueError, match="4xx"):
        sandbox.inject_fault("400", status=500)


def test_a_fault_can_wait_for_a_given_path_and_method(sandbox, api):
    sandbox.inject_fault("500", path="/v1/account_links", method="POST")
    assert api.get("/v1/account").status_code == 200
    assert api.get("/v1/accounts").status_code == 200
    assert post_link(api).status_code == 500
    assert post_link(api).status_code == 200


def test_a_refused_request_is_not_saved_under_its_idempotency_key(sandbox, api):
    sandbox.inject_fault("500")
    assert post_link(api, "k").status_code == 500
    retried = post_link(api, "k")
    assert retried.status_code == 200 and "idempotent-replayed" not in retried.headers


def test_502_html_is_a_proxy_page(sandbox, api):
    sandbox.inject_fault("502_html")
    response = api.get("/v1/account")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert "<h1>502 Bad Gateway</h1>" in response.text
    assert "request-id" not in response.headers  # Stripe never saw it
    with pytest.raises(ValueError):
        response.json()


@pytest.mark.parametrize(("code", "retry_header"), [("rate_limit", None), ("lock_timeout", "true")])
def test_429(sandbox, api, code, retry_header):
    sandbox.inject_fault("429", code=code, should_retry=retry_header == "true" or None)
    response = api.get("/v1/account")
    assert response.status_code == 429
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", code)
    assert response.headers.get("stripe-should-retry") == retry_header


def test_timeout_answers_late(sandbox, api):
    sandbox.inject_fault("timeout", delay=0.05)
    assert api.get("/v1/account").status_code == 200


def test_timeout_outlasts_the_client_and_then_the_server_serves_again(sandbox, api):
    sandbox.inject_fault("timeout", delay=30)
    with pytest.raises(httpx.ReadTimeout):
        api.get("/v1/account", timeout=0.2)
    assert api.get("/v1/account").status_code == 200


def test_a_pending_timeout_does_not_hold_up_stop(sandbox):
    sandbox.inject_fault("timeout", delay=60)
    failures: list[BaseException] = []

    def call() -> None:
        with httpx.Client(verify=False, base_url=sandbox.url, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as c:
            try:
                c.get("/v1/account", timeout=30)
            except httpx.HTTPError as exc:
                failures.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    while sandbox.faults.pending():
        threading.Event().wait(0.01)
    stopper = threading.Thread(target=sandbox.stop)
    stopper.start()
    stopper.join(10)
    caller.join(10)
    assert not stopper.is_alive() and not caller.is_alive()
    assert len(failures) == 1 and isinstance(failures[0], httpx.RemoteProtocolError)


def test_drop_closes_without_an_answer_and_runs_nothing(sandbox, api):
    sandbox.inject_fault("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        post_link(api, "k")
    retried = post_link(api, "k")
    assert retried.status_code == 200 and "idempotent-replayed" not in retried.headers


def test_drop_after_processing_loses_only_the_answer(sandbox, api):
    sandbox.inject_fault("drop", after_processing=True)
    with pytest.raises(httpx.RemoteProtocolError):
        post_link(api, "k")
    retried = post_link(api, "k")
    assert retried.status_code == 200 and retried.headers["idempotent-replayed"] == "true"


def test_truncate_sends_part_of_the_body_then_a_retry_replays_it_whole(sandbox, api):
    sandbox.inject_fault("truncate")
    with pytest.raises(httpx.RemoteProtocolError):
        post_link(api, "k")
    retried = post_link(api, "k")
    assert retried.headers["idempotent-replayed"] == "true"
    assert retried.json()["object"] == "account_link"


def test_truncated_answer_is_shorter_than_its_content_length(sandbox):
    sandbox.inject_fault("truncate")
    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(f"GET /v1/account HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEMO_API_KEY}\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    assert head.startswith(b"HTTP/1.1 200")
    assert 0 < len(body) < length


def test_bad_fault_requests_are_refused(sandbox):
    with pytest.raises(ValueError):
        sandbox.inject_fault("503")
    with pytest.raises(ValueError):
        sandbox.inject_fault("500", count=0)
    with pytest.raises(TypeError):
        sandbox.inject_fault("drop", delay=3)
    with pytest.raises(ValueError):
        sandbox.inject_fault("429", code="too_many")
    assert sandbox.faults.pending() == 0
