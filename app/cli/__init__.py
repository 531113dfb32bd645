"""The ``linkdesk`` command line: the window with no command, and one module per command group.

- :mod:`app.cli.entry`: the parser and the dispatch (only argparse is imported before the window
  opens, so its first paint never waits for the rest).
- :mod:`app.cli.output`: what every command shares to speak: plain text for terminals, ``--json``,
  the exit codes and the way errors are reported.
- :mod:`app.cli.session`: building the services for one command and closing them again.
- :mod:`app.cli.link`, :mod:`app.cli.account`, :mod:`app.cli.history`, :mod:`app.cli.sandbox`:
  the commands themselves.
"""

from app.cli.entry import gui_main, main

__all__ = ["gui_main", "main"]
