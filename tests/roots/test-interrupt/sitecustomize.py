"""Holds a model worker as it starts, before it imports its framework (the tests put
this folder on PYTHONPATH; processes that are not workers go on at once)."""

import os

if "SPHINX_MODELSUMMARY_PARENT" in os.environ and "MODELSUMMARY_TEST_MARKS" in os.environ:
    from pathlib import Path

    from hold import hold

    marks = Path(os.environ["MODELSUMMARY_TEST_MARKS"])
    (marks / f"start-{os.getpid()}").touch()
    hold("starting")
    if len(list(marks.glob("start-*"))) >= 2:
        hold("replacing")  # the second worker: the first ended before its next job
