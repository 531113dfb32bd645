"""Profiles in the window (issue 9): the ``profileSelector`` in the header, the LIVE band and
title, the welcome view, adding a key, the first-live-link confirmation and the settings dialog.
:class:`~app.ui.profiles.controller.ProfileController` wires them into the main window."""
