"""The end-to-end tests' handle on a running app: start ``linkdesk-gui`` and drive it.

:meth:`RunningApp.start` runs the real GUI entry point in a subprocess, with a throwaway home, a
user's environment and the test driver (app/testing/driver.py) listening on a Unix socket
in a private folder. Tests then act as a user would, by objectName::

    app.click("trySandboxButton")
    app.type("accountInput", "acct_1LdCustomDue0001")
    app.key("Return")
    app.wait_visible("accountSummary")

After every action and every wait, :meth:`RunningApp.check` fails the test on an unexpected
error (banner, dialog or ``window.unexpected``), an ERROR line in ``linkdesk.log``, a visible
word-wrapped label shorter than its ``heightForWidth``, or a control of the flow (everything the
test acted on, and what it names) outside the screen's available area, its window, or a scroll
area's visible part. :meth:`RunningApp.close` and :meth:`RunningApp.terminate` then demand exit
status 0 with nothing alarming on stderr.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCREEN = (1366, 768)
XVFB_SCREEN = f"-screen 0 {SCREEN[0]}x{SCREEN[1]}x24"
START_TIMEOUT = 60.0  # a loaded CI machine; the app is usually up in about a second
# On stderr, any of these fails the run (a traceback, an asyncio complaint, a crash).
ALARMS = re.compile(r"Traceback|Exception ignored|Fatal Python error|Task was destroyed|"
                    r"Task exception was never retrieved|Error:|QApplication::exec|Cannot enter into task")
# Variables a user's shell does not have, or that would point the app elsewhere than this run.
STRIPPED_PREFIXES = ("PYTHON", "PYTEST", "LINKDESK_", "STRIPE_", "QT_", "XDG_")
STRIPPED = {"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "COV_CORE_SOURCE", "COV_CORE_CONFIG", "COV_CORE_DATAFILE"}


def gui_command() -> list[str]:
    """The ``linkdesk-gui`` script of this environment (as a user runs it), else its entry point."""
    script = Path(sys.executable).with_name("linkdesk-gui")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from app.cli import gui_main; raise SystemExit(gui_main())"]


def user_environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment as a user's shell has it: no PYTHON*/pytest variables, no
    STRIPE_API_KEY, no Linkdesk or Qt settings, HOME/XDG_* in ``home``, and no keyring."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(STRIPPED_PREFIXES) and k not in STRIPPED}
    env["HOME"] = str(home)
    # No keyring, as on CI: a key saved in a test must never land in the developer's own keyring
    # (a Secret Service keyring is reached over D-Bus, whatever HOME says).
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    for var, sub in (("XDG_DATA_HOME", ".local/share"), ("XDG_CONFIG_HOME", ".config"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state"),
                     ("XDG_RUNTIME_DIR", "run")):
        (home / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        env[var] = str(home / sub)
    env.update(extra or {})
    return env


def offscreen_platform(folder: Path, size: tuple[int, int] = SCREEN) -> str:
    """``QT_QPA_PLATFORM`` for an offscreen screen of ``size`` (Qt's offscreen plugin reads the
    screens from a JSON file)."""
    config = folder / "offscreen.json"
    config.write_text(json.dumps({
        "synchronousWindowSystemEvents": False, "windowFrameMargins": False,
        "screens": [{"name": "e2e", "x": 0, "y": 0, "width": size[0], "height": size[1],
                     "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}],
    }))
    return f"offscreen:configfile={config}"


def sandbox_options(server: Any) -> dict[str, Any]:
    """``launch(**sandbox_options(server))``: the app on a sandbox the test started (as with
    stripe-mock: ``--api-base`` and a test key in ``STRIPE_API_KEY``)."""
    from app.sandbox import DEMO_API_KEY

    return {"args": ("--api-base", server.url), "env": {"STRIPE_API_KEY": DEMO_API_KEY}}


class AppFailed(AssertionError):
    pass


class RunningApp:
    """One ``linkdesk-gui`` process and its driver connection."""

    def __init__(self, proc: subprocess.Popen, sock: socket.socket, workdir: Path, platform: str,
                 stderr: Path) -> None:
        self.proc = proc
        self.sock = sock
        self.reader = sock.makefile("rb")
        self.workdir = workdir
        self.platform = platform
        self.stderr_path = stderr
        self.next_id = 0
        self.flow: list[str] = []  # names every check also holds to (visible ones must fit)
        self.exited: int | None = None
        self.strict = True  # False (scripts only, never a test): a failed check is printed, not raised
        state = self.call("status")
        self.pid: int = state["pid"]
        self.data_dir = Path(state["data_dir"])
        self.log_path = self.data_dir / "linkdesk.log"

    # -- starting -------------------------------------------------------------------------------
    @classmethod
    def start(cls, workdir: Path, platform: str, args: tuple[str, ...] = (), env: dict[str, str] | None = None,
              screen: tuple[int, int] = SCREEN) -> "RunningApp":
        home = workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        private = Path(tempfile.mkdtemp(prefix="ld-e2e-"))  # 0700; short: a socket path has ~100 bytes
        sock_path = private / "driver.sock"
        extra = {"LINKDESK_TEST_DRIVER": str(sock_path), **(env or {})}
        command = [*gui_command(), *args]
        if platform == "offscreen":
            extra["QT_QPA_PLATFORM"] = offscreen_platform(workdir, screen)
        else:  # a real X server, as a user's desktop (no window manager)
            command = ["xvfb-run", "-a", "-s", f"-screen 0 {screen[0]}x{screen[1]}x24", *command]
        stdout, stderr = workdir / "stdout.txt", workdir / "stderr.txt"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            proc = subprocess.Popen(command, env=user_environment(home, extra), stdout=out, stderr=err,
                                    stdin=subprocess.DEVNULL, cwd=workdir, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            try:
                sock.connect(str(sock_path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    sock.close()
                    shutil.rmtree(private, ignore_errors=True)
                    raise AppFailed(f"the app never served its driver (exit {proc.returncode}); stderr:\n"
                                    + stderr.read_text(errors="replace")) from None
                time.sleep(0.05)
        sock.settimeout(120)
        shutil.rmtree(private, ignore_errors=True)  # connected: the socket file is no longer needed
        app = cls(proc, sock, workdir, platform, stderr)
        app.call("activate")  # what a window manager does for a new window
        return app

    # -- the protocol ---------------------------------------------------------------------------
    def call(self, cmd: str, **args: Any) -> Any:
        self.next_id += 1
        request = {"id": self.next_id, "cmd": cmd, "args": {k: v for k, v in args.items() if v is not None}}
        try:
            self.sock.sendall(json.dumps(request).encode() + b"\n")
            line = self.reader.readline()
        except OSError as exc:
            raise AppFailed(f"{cmd}: the driver connection failed ({exc}); {self._exit_note()}") from None
        if not line:
            raise AppFailed(f"{cmd}: the app went away; {self._exit_note()}")
        reply = json.loads(line)
        if not reply["ok"]:
            raise AppFailed(f"{cmd} {args}: {reply['error']}")
        return reply["result"]

    def _exit_note(self) -> str:
        code = self.proc.poll()
        return (f"exit status {code}; stderr:\n{self.stderr()}" if code is not None else "still running")

    # -- acting (each action is a step: checked afterwards) ---------------------------------------
    def click(self, name: str, *, button: str = "left", double: bool = False) -> None:
        self.call("click", name=name, button=button, double=double)
        self.check()

    def type(self, name: str, text: str, *, replace: bool = False) -> None:
        self.call("type", name=name, text=text, replace=replace)
        self.check()

    def key(self, keys: str, name: str | None = None) -> None:
        """Press ``keys`` in ``name``, or wherever the keyboard focus is."""
        self.call("key", keys=keys, name=name)
        self.check()

    def choose(self, name: str, text: str) -> None:
        self.call("choose", name=name, text=text)
        self.check()

    def scroll_to(self, name: str) -> None:
        """Scroll the scroll areas around ``name`` so that it is in view, as a user would."""
        self.call("scroll_to", name=name)
        self.check()

    def context_menu(self, name: str, row: int | None = None) -> None:
        self.call("context_menu", name=name, row=row)
        self.check()

    def menu_click(self, action: str) -> None:
        self.call("menu_click", action=action)
        self.check()

    def resize(self, width: int, height: int) -> None:
        self.call("resize", width=width, height=height)
        self.check()

    def clear_clipboard(self) -> None:
        self.call("clear_clipboard")

    # -- reading ----------------------------------------------------------------------------------
    def info(self, name: str) -> dict[str, Any]:
        return self.call("info", name=name)

    def find(self, name: str) -> dict[str, Any] | None:
        """The visible widget ``name``, or None."""
        return self.call("find", name=name)

    def visible(self, name: str) -> bool:
        return self.find(name) is not None

    def text(self, name: str) -> str:
        return self.info(name)["text"]

    def count(self, name: str) -> int:
        return self.call("count", name=name)

    def clipboard(self) -> str:
        return self.call("clipboard")

    def screen(self) -> dict[str, Any]:
        return self.call("screen")

    def window(self) -> dict[str, Any]:
        return self.call("window")

    def status(self) -> dict[str, Any]:
        return self.call("status")

    def screenshot(self, path: Path, name: str | None = None, *, screen: bool = False) -> list[int]:
        return self.call("screenshot", path=str(path), name=name, screen=screen)

    # -- waiting (each wait is a step too) --------------------------------------------------------
    def wait(self, *conditions: dict[str, Any], timeout: float = 30.0) -> list[Any]:
        result = self.call("wait", conditions=list(conditions), timeout=timeout)
        self.check()
        return result

    def wait_visible(self, name: str, timeout: float = 30.0) -> None:
        self.wait({"name": name, "visible": True}, timeout=timeout)

    def wait_hidden(self, name: str, timeout: float = 30.0) -> None:
        self.wait({"name": name, "visible": False}, timeout=timeout)

    def wait_text(self, name: str, contains: str, timeout: float = 30.0) -> str:
        return self.wait({"name": name, "text_contains": contains}, timeout=timeout)[0]["text"]

    def wait_enabled(self, name: str, timeout: float = 30.0) -> None:
        self.wait({"name": name, "enabled": True}, timeout=timeout)

    def wait_idle(self, *ignore: str, timeout: float = 30.0) -> None:
        """Until no task of the window's is in flight (but those named)."""
        self.wait({"idle": True, "ignore": list(ignore)}, timeout=timeout)

    # -- the checks -------------------------------------------------------------------------------
    def log_errors(self) -> list[str]:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        return [line for line in text.splitlines() if re.search(r"\b(ERROR|CRITICAL)\b", line)]

    def problems(self, *required: str) -> list[str]:
        found = list(self.call("check", flow=self.flow, required=list(required)))
        found += [f"linkdesk.log: {line}" for line in self.log_errors()]
        return found

    def check(self, *required: str) -> None:
        """Fail on any problem (see the module docstring); ``required`` controls must be visible
        and wholly reachable now."""
        problems = self.problems(*required)
        if problems:
            message = "the app fails its checks:\n  " + "\n  ".join(problems)
            if self.strict:
                raise AppFailed(message)
            print(f"warning: {message}", file=sys.stderr)

    # -- ending -----------------------------------------------------------------------------------
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def close(self) -> None:
        """Close the window as its close button does; the app must exit 0, cleanly."""
        self.call("close")
        self.wait_exit()

    def quit_by_key(self, keys: str = "Ctrl+Q") -> None:
        """Quit from the keyboard (File → Quit); the app must exit 0, cleanly."""
        self.call("key", keys=keys)
        self.wait_exit()

    def terminate(self) -> None:
        """SIGTERM to the app itself (not to xvfb-run): it must exit 0, cleanly."""
        os.kill(self.pid, signal.SIGTERM)
        self.wait_exit()

    def wait_exit(self, timeout: float = 60.0) -> None:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AppFailed(f"the app did not exit within {timeout} s; stderr:\n{self.stderr()}") from None
        self._disconnect()
        self.exited = code
        alarms = [line for line in self.stderr().splitlines() if ALARMS.search(line)]
        errors = self.log_errors()
        assert code == 0 and not alarms and not errors, (
            f"exit status {code}; alarming stderr lines: {alarms}; linkdesk.log errors: {errors}; "
            f"stderr:\n{self.stderr()}")

    def _disconnect(self) -> None:
        try:
            self.reader.close()
            self.sock.close()
        except OSError:
            pass

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._disconnect()
