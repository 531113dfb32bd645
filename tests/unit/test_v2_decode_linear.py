"""Decoding a v2 answer costs time in proportion to its size (issue 18): 120,000 distinct
``applied_configurations`` took 69 s of CPU when duplicates were looked up in a list.

The budget is CPU time, enforced by the kernel on a child process (RLIMIT_CPU), not a stopwatch:
the linear decoder needs well under a second of it; the quadratic one is killed at the limit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent('''
    import json, resource
    resource.setrlimit(resource.RLIMIT_CPU, (15, 15))
    from app.stripe.decode import loads
    from app.stripe.v2_models import MAX_ENTRIES, MAX_NAMES, AccountLinkV2, AccountV2

    N = 120_000
    names = [f"configuration_{i}" for i in range(N)]
    account = {"id": "acct_1BigAnswer000001", "object": "v2.core.account", "applied_configurations": names,
               "requirements": {"entries": [{"description": f"item_{i}", "awaiting_action_from": "user"}
                                            for i in range(N)]}}
    link = {"object": "v2.core.account_link", "account": "acct_1BigAnswer000001",
            "created": "2026-01-01T00:00:00.000Z", "expires_at": "2026-01-01T00:10:00.000Z",
            "url": "https://accounts.stripe.com/r/acct_1BigAnswer000001#alu_x",
            "use_case": {"type": "account_onboarding", "account_onboarding": {"configurations": names + names}}}
    a = AccountV2.from_api(loads(json.dumps(account)), asked="acct_1BigAnswer000001")
    l = AccountLinkV2.from_api(loads(json.dumps(link)), asked="acct_1BigAnswer000001")
    assert a.applied_configurations == tuple(names[:MAX_NAMES]), a.applied_configurations[:3]
    assert l.configurations == tuple(names[:MAX_NAMES])
    assert len(a.requirements.entries) == MAX_ENTRIES
    print("decoded")
''')


def test_a_v2_answer_with_120000_distinct_configurations_decodes_within_a_cpu_budget():
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")}
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])  # -SIGXCPU: over the budget
    assert done.stdout.strip() == "decoded"


def test_duplicates_are_dropped_in_order_and_the_first_spelling_is_kept():
    from app.stripe.v2_models import AccountV2

    account = AccountV2.from_api({"id": "acct_1", "applied_configurations": [
        "recipient", "merchant", "recipient", 7, "", None, "merchant", "customer"]})
    assert account.applied_configurations == ("recipient", "merchant", "customer")
