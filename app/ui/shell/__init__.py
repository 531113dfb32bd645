"""The shell of the window: the application's start and shutdown (:mod:`.app`), the main window
that composes the screens (:mod:`.main_window`), its menus and shortcuts (:mod:`.menus`), the
connection toolbar (:mod:`.toolbar`) and the error banner (:mod:`.error_banner`)."""
