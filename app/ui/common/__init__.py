"""Pieces every screen shares: palette-aware helpers and field errors (:mod:`.widgets`), the
tracker of running tasks (:mod:`.tasks`), and :mod:`.host`, the interface through which the
flows act on the window without importing it."""
