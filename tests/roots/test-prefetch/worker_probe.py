"""Records, when Sphinx reads each document, which model workers are running under it.

Written to the file named by ``PROBE_LOG`` (one JSON line per document): the
process ids of the Sphinx process's children running ``sphinx_modelsummary.worker``.
"""

import json
import os


def _workers() -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as file:
            for child in file.read().split():
                try:
                    with open(f"/proc/{child}/cmdline", "rb") as command:
                        if b"sphinx_modelsummary.worker" in command.read():
                            found.append(int(child))
                except OSError:
                    continue
    return sorted(found)


def source_read(app, docname, source) -> None:
    log = os.environ.get("PROBE_LOG")
    if log:
        with open(log, "a") as file:
            file.write(json.dumps({"doc": docname, "workers": _workers()}) + "\n")


def setup(app):
    app.connect("source-read", source_read)
    return {"parallel_read_safe": True}
