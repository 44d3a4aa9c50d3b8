"""Stop at a chosen moment of a build, say so, and wait until told to go.

The interrupt tests set ``MODELSUMMARY_TEST_HOLD`` to the moment and
``MODELSUMMARY_TEST_MARKS`` to a folder: on reaching that moment a process writes
``MOMENT-PID`` there and waits for a file ``go``; the test signals the build when
the mark appears, so it never guesses with a sleep.
"""

import os
import time
from pathlib import Path


def hold(moment: str) -> None:
    if os.environ.get("MODELSUMMARY_TEST_HOLD") != moment:
        return
    marks = Path(os.environ["MODELSUMMARY_TEST_MARKS"])
    (marks / f"{moment}-{os.getpid()}").touch()
    while not (marks / "go").exists():
        time.sleep(0.05)
