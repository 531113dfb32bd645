"""The suite runs its subprocesses in a user's environment (tests/conftest.py, issue 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SHOW = "import json, os; print(json.dumps(sorted(k for k in os.environ if k.startswith('PYTHON'))))"


def test_a_users_environment_has_no_python_variable_but_where_code_is(user_env):
    machine = {"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONWARNINGS": "error",
               "PYTHONIOENCODING": "latin-1", "PYTHONPATH": "/src", "HOME": "/home/u"}
    assert user_env(machine) == {"PYTHONPATH": "/src", "HOME": "/home/u"}
    assert user_env(machine, PYTHONDONTWRITEBYTECODE="1")["PYTHONDONTWRITEBYTECODE"] == "1"


def test_a_subprocess_inherits_no_python_variable_from_the_machine():
    shown = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, timeout=60, check=True)
    assert set(json.loads(shown.stdout)) <= {"PYTHONPATH", "PYTHONHOME"}


def test_a_test_can_still_set_one_on_purpose(monkeypatch, user_env):
    monkeypatch.setenv("PYTHONUTF8", "1")
    shown = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, timeout=60, check=True)
    assert "PYTHONUTF8" in json.loads(shown.stdout)
    chosen = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, timeout=60, check=True,
                            env=user_env(PYTHONDONTWRITEBYTECODE="1"))
    assert "PYTHONDONTWRITEBYTECODE" in json.loads(chosen.stdout)
