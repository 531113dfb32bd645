"""The sandbox's HTTP side: a keep-alive HTTP/1.1 server on a daemon thread.

:class:`SandboxServer` owns everything it starts: the listening socket, the serving thread and
one thread per connection. :meth:`SandboxServer.stop` shuts the loop down, cuts every open
connection (so keep-alive readers and pending "timeout" faults wake up), joins all threads and
closes the socket, so no thread or socket outlives it (tests run with warnings as errors).
"""

from __future__ import annotations

import email.utils
import selectors
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from .api import Request, SandboxApi
from .errors import PROXY_502_HTML
from .faults import FaultQueue, error_for
from .accounts import AccountSpec
from .state import AccountStore

_MAX_BODY = 1 << 20


class SandboxServer:
    """A local, stateful, Stripe-compatible server for the endpoints Linkdesk uses.

    ``clock`` is the wall clock (Unix seconds) for link timestamps, demo deadlines, idempotency
    expiry and the rate limit; ``latency`` (real seconds) is added to every request.
    ``rate_limit_model`` is ``"bucket"`` (a burst of one second's worth, then ``rate_limit`` per
    second) or ``"window"`` (at most ``rate_limit`` requests in any one-second window, strict).
    ``log``, if given, receives one access-log line per request (request line and status only:
    never a key, never a link URL).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        demo: bool = True,
        synthetic_accounts: int = 0,
        live: bool = False,
        latency: float = 0.0,
        rate_limit: float | None = None,
        rate_limit_model: str = "bucket",
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.clock = clock
        self.live = live
        self.latency = float(latency)
        self.log = log
        self.store = AccountStore(demo=demo, synthetic=synthetic_accounts, seed_now=int(clock()))
        self.api = SandboxApi(store=self.store, clock=clock, live=live, rate_limit=rate_limit,
                              rate_limit_model=rate_limit_model)
        self.faults = FaultQueue()
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lifecycle = threading.Lock()
        self._stopped = False

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "SandboxServer":
        with self._lifecycle:
            if self._stopped:
                raise RuntimeError("a stopped SandboxServer cannot be started again")
            if self._httpd is not None:
                return self
            self._httpd = _HTTPServer(self._address, self)
            self._thread = threading.Thread(
                target=self._httpd.serve, name=f"sandbox-{self._httpd.server_address[1]}", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections, join every thread, close the socket. Idempotent."""
        with self._lifecycle:
            if self._stopped:
                return
            self._stopped = True
            httpd, thread = self._httpd, self._thread
        self._stopping.set()
        if httpd is None:
            return
        httpd.request_stop()
        if thread is not None:
            thread.join()
        httpd.close_connections()
        httpd.server_close()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the sandbox has not been started")
        host, port = self._httpd.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"

    @property
    def running(self) -> bool:
        return self._httpd is not None and not self._stopped

    def inject_fault(self, kind: str, count: int = 1, **opts: Any) -> None:
        """Make the next ``count`` (matching) requests fail as ``kind``; see app.sandbox.faults."""
        self.faults.add(kind, count, **opts)

    def add_account(self, spec: AccountSpec) -> None:
        """Test hook: a connected account created now (e.g. while a client pages the list)."""
        self.store.add(spec)

    def update_account(self, account_id: str, **changes: Any) -> None:
        """Test hook: an account changes (a seller onboarding: ``details_submitted=True``...)."""
        self.store.update(account_id, **changes)

    @property
    def open_connections(self) -> int:
        """Connections being served right now (keep-alive ones included)."""
        return 0 if self._httpd is None else self._httpd.connection_count()

    def _wait_unless_stopping(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if the server began stopping meanwhile."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()

    def __repr__(self) -> str:
        where = self.url if self.running else "not running"
        return f"SandboxServer({where}, accounts={len(self.store)}, live={self.live})"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # connections are cut and joined by close_connections()

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.sandbox = sandbox
        self._connections: dict[threading.Thread, socket.socket] = {}
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)
        self._stop_requested = False
        self._wake_r, self._wake_w = socket.socketpair()

    def serve(self) -> None:
        """Accept connections until :meth:`request_stop`; sleeps in select() between them,
        and wakes at once when asked to stop (no polling)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stop_requested:
                for key, _ in selector.select():
                    if self._stop_requested:
                        break
                    if key.fileobj is self:
                        self._handle_request_noblock()

    def request_stop(self) -> None:
        self._stop_requested = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def server_close(self) -> None:
        super().server_close()  # also called by __init__ when binding fails
        for sock in (getattr(self, "_wake_r", None), getattr(self, "_wake_w", None)):
            if sock is not None:
                sock.close()

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection, args=(request, client_address), daemon=True,
            name="sandbox-connection",
        )
        with self._connections_lock:
            self._connections[thread] = request
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._connections_lock:
                self._connections.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client (or stop()) cut the connection: nothing to report
        super().handle_error(request, client_address)

    def connection_count(self) -> int:
        with self._connections_lock:
            return len(self._connections)

    def close_connections(self) -> None:
        with self._connections_lock:
            open_connections = list(self._connections.items())
        for _, sock in open_connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread, _ in open_connections:
            thread.join(timeout=10)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server_version = "nginx"
    sys_version = ""
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        body = self._read_body()
        if body is None:
            return
        if sandbox._wait_unless_stopping(sandbox.latency):
            self.close_connection = True
            return
        path = self.path.partition("?")[0]
        fault = sandbox.faults.take(self.command, path)
        kind, opts = (fault.kind, fault.opts) if fault is not None else (None, {})
        request = Request(self.command, self.path, self.headers, body)
        if kind == "timeout" and sandbox._wait_unless_stopping(float(opts["delay"])):
            kind = "drop"  # stopping: give up on this answer
        if kind == "drop":
            if opts.get("after_processing"):
                sandbox.api.handle(request)
            self.close_connection = True
        elif kind == "502_html":
            self._send(502, {"Content-Type": "text/html"}, PROXY_502_HTML.encode())
        elif kind in ("500", "429", "400"):
            response = sandbox.api.error_response(error_for(fault), request)  # type: ignore[arg-type]
            self._send(response.status, response.headers, response.body)
        else:
            response = sandbox.api.handle(request)
            cut = None
            if kind == "truncate":
                self.close_connection = True
                cut = len(response.body) // 2
            self._send(response.status, response.headers, response.body, cut=cut)

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.isdigit() or int(length) > _MAX_BODY:
            self.close_connection = True
            self.send_error(413 if length.isdigit() else 400)
            return None
        return self.rfile.read(int(length))

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                self.close_connection = True
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > _MAX_BODY:
                self.close_connection = True
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header on the sandbox's clock, like every other time it reports: clients
        compare it with a link's ``created`` (an idempotent replay's age)."""
        return email.utils.formatdate(self.server.sandbox.clock() if timestamp is None else timestamp, usegmt=True)

    def _send(self, status: int, headers: dict[str, str], body: bytes, *, cut: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body if cut is None else body[:cut])
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        log = self.server.sandbox.log
        if log is not None:
            log(f"{self.address_string()} {format % args}")
