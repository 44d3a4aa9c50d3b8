"""Files written atomically: a reader sees the old file or the new one, never part of one.

The cache, the snapshot, the lockfile and the diagrams share a folder with
concurrent builds (``-j N``, CI jobs sharing a cache) and may meet a full disk.
This is the one place that writes such a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any


def write_atomically(path: str, data: bytes, create_folder: bool = True) -> None:
    """Write to a temporary file beside ``path``, then rename: never a partial file at ``path``.

    The temporary name starts with a dot, so no search for ``name.*`` (Sphinx's
    candidates of an image, the cache's entries) picks it up, and a failed
    write (a full disk, an interrupt) removes it: nothing is left behind.
    ``create_folder=False`` leaves a missing folder an error (OSError): where
    the user names the file, a missing folder is a typo to report, not to make.
    """
    folder, name = os.path.split(path)
    if create_folder:
        os.makedirs(folder or os.curdir, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder or None, prefix=f".{name}.", suffix=".tmp")
    try:
        os.fchmod(handle, _mode_of_a_new_file())  # mkstemp's file is private to its writer
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _mode_of_a_new_file() -> int:
    """What ``open(path, "w")`` gives a new file: read and write for all, less the umask.
    A lockfile, a snapshot entry and a diagram are read by others (git, a web server)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def reviewable_json(data: Any) -> str:
    """Sorted, indented JSON with a trailing newline, for files people commit and review:
    a diff shows what changed, nothing else."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
