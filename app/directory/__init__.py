"""The account directory (issue 10): a local, per-profile index of connected accounts, kept in
step with ``GET /v1/accounts`` and searched as the operator types. Qt-free.

* :mod:`app.directory.index`   -- the SQLite index and its search.
* :mod:`app.directory.sync`    -- the rate-limited, resumable, concurrent sync.
* :mod:`app.directory.background` -- a sync on its own thread (the window's).
* :mod:`app.directory.watch`   -- live onboarding progress while a link is active.
"""
