"""The Qt layer: everything the operator sees, grouped by screen.

- :mod:`app.ui.shell`: the application (start-up, shutdown), the main window, its menus, toolbar
  and error banner.
- :mod:`app.ui.account`: the account panel and looking an account up.
- :mod:`app.ui.links`: the link form, creating links, link cards, the QR code, present mode and
  the clipboard guard.
- :mod:`app.ui.history`: the History tab (panel, model, filters, dialogs).
- :mod:`app.ui.common`: small pieces every screen uses (palette helpers, field errors, the task
  tracker, the :class:`~app.ui.common.host.WindowHost` interface the flows work through).

Nothing below ``app.ui`` imports this package; it imports the Qt-free core.
"""
