"""The frozen build's entry script: one analysis, two executables (packaging/linkdesk.spec).

``linkdesk-gui`` (windowed on Windows, run by the desktop entry) opens the window;
``linkdesk`` (a console program) is the whole command line, as the pip-installed command is.
"""

import sys
from pathlib import Path

if Path(sys.executable).stem.lower().endswith("-gui"):
    from app.cli import gui_main as entry
else:
    from app.cli import main as entry

raise SystemExit(entry())
