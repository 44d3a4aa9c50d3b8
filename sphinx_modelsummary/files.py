"""Files written atomically: a reader sees the old file or the new one, never part of one.

The cache, the snapshot and the diagrams share a folder with concurrent
builds (``-j N``, CI jobs sharing a cache) and may meet a full disk.
"""

from __future__ import annotations

import os
import tempfile


def write_atomically(path: str, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: never a partial file at ``path``.

    The temporary name starts with a dot, so no search for ``name.*`` (Sphinx's
    candidates of an image, the cache's entries) picks it up, and a failed
    write (a full disk, an interrupt) removes it: nothing is left behind.
    """
    folder, name = os.path.split(path)
    os.makedirs(folder or os.curdir, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder or None, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
