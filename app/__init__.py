"""Linkdesk: create Stripe Connect Account Links at the desk.

The package is split so that everything but ``app.ui`` is free of Qt:
``app.stripe`` (API client), ``app.sandbox`` (a local Stripe-compatible server),
``app.history`` (SQLite storage), ``app.clock`` and ``app.countdown`` (time arithmetic).
"""

__version__ = "0.1.0"
