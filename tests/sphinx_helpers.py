"""What the Sphinx tests read from a test app: its warnings as plain text."""

from __future__ import annotations

import re


def warnings_of(app) -> str:
    """The app's warning stream without colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", app._warning.getvalue())
