"""Qt widgets of Linkdesk. The only package that imports PySide6."""
