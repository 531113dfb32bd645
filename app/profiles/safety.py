"""Live-mode safety that does not need a window: the first-live-link confirmation, the https
rule, and naming test/live mix-ups with the platform's name.

* :class:`LiveGate` remembers, per session and profile, whether the operator has confirmed
  making live links; :meth:`LiveGate.question` is the confirmation text (platform and account).
* :func:`check_live_redirects` refuses http redirect URLs for a live profile before anything is
  sent (it is :meth:`LinkRequest.validated` with the profile's mode, one place for the rule).
* :func:`explain_mode_mixup` turns Stripe's "a similar object exists in test mode, but a live
  mode key was used" into "this account exists in test mode; you are using the live key of
  Platform X".
"""

from __future__ import annotations

import re

from app.stripe.errors import StripeError
from app.stripe.validation import LinkRequest

from .model import Profile

_SIMILAR = re.compile(r"similar object exists in (test|live) mode", re.IGNORECASE)
# Older wordings of the same refusal, kept by app.stripe.explain too.
_TEST_WORDS = ("testmode", "test mode", "test account")
_LIVE_WORDS = ("livemode", "live mode")


class LiveGate:
    """Whether this session may make live links for a profile without asking first."""

    def __init__(self) -> None:
        self._confirmed: set[str] = set()

    def needs_confirmation(self, profile: Profile) -> bool:
        return profile.live and profile.index_key not in self._confirmed

    def confirm(self, profile: Profile) -> None:
        self._confirmed.add(profile.index_key)

    def forget(self) -> None:
        self._confirmed.clear()

    @staticmethod
    def question(profile: Profile, account: str, account_name: str | None = None) -> str:
        who = f"{account_name} ({account})" if account_name else account
        return (f"Make a LIVE Account Link for {who} on {profile.platform}? It is a real onboarding link "
                "for a real seller, valid for a few minutes and for one visit. Linkdesk asks once per session.")


def check_live_redirects(request: LinkRequest, profile: Profile) -> LinkRequest:
    """``request`` normalised for ``profile``'s mode; ValidationError naming the URL field if a
    live profile is given an http (or otherwise unusable) redirect URL. Nothing is sent."""
    return request.validated(live=profile.live)


def explain_mode_mixup(error: StripeError, profile: Profile, account: str | None = None) -> str | None:
    """The mix-up named, with the platform, when ``error`` says the account lives in the other
    mode; None when it is some other error."""
    message = error.message or ""
    match = _SIMILAR.search(message)
    lowered = message.lower()
    if match:
        exists_in = match.group(1).lower()
    elif profile.live and any(w in lowered for w in _TEST_WORDS):
        exists_in = "test"
    elif not profile.live and any(w in lowered for w in _LIVE_WORDS) and error.param not in ("refresh_url", "return_url"):
        exists_in = "live"
    else:
        return None
    if exists_in == profile.mode:
        return None
    the_account = f"Account {account}" if account else "This account"
    switch = "test" if exists_in == "test" else "live"
    return (f"{the_account} exists in {exists_in} mode; you are using the {profile.mode} key of "
            f"{profile.platform}. Switch to a {switch}-mode profile of that platform to work with it.")
