"""Profiles (issue 9): platforms and their keys, the settings file, live-mode safety. No Qt.

* :mod:`.model` -- :class:`Profile` (never holds a key), the built-in Sandbox and Environment.
* :mod:`.store` -- ``profiles.json`` in the config folder: versioned, atomic, mode 0600.
* :mod:`.secrets` -- :class:`KeyStore` (the OS keyring) and :class:`KeyVault` (keyring, session
  or a file the user chose); :class:`KeyringUnavailable` when there is no keyring.
* :mod:`.check` -- :func:`check_key`: GET /v1/account and GET /v1/accounts, every failure explained.
* :mod:`.safety` -- :class:`LiveGate`, :func:`check_live_redirects`, :func:`explain_mode_mixup`.
* :mod:`.registry` -- :class:`ProfileRegistry`: which profile a run uses; add, remove, use.
"""
