"""Words the window shows before anything else is loaded (no imports: the welcome view is built
before the first paint, which must not wait for the Stripe layer)."""

RESTRICTED_KEY_ADVICE = (
    "Best: a restricted key (rk_…) with write access to Connect and read access to Accounts, made for "
    "Linkdesk in Dashboard → Developers → API keys. A secret key (sk_…) works too."
)
