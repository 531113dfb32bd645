"""Test-only code inside the app: the end-to-end tests' driver (:mod:`app.testing.driver`) and
the screenshots' dark desktop (:mod:`app.testing.dark`). Nothing here is imported unless
``LINKDESK_TEST_DRIVER`` is set (see app/ui/shell/app.py)."""
