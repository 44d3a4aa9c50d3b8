"""Records, at the end of a build, whether this Sphinx process imported a framework."""

import json
import os
import sys


def _record(app, exception):
    loaded = sorted(name for name in ("tensorflow", "keras", "torch") if name in sys.modules)
    with open(os.path.join(app.outdir, "frameworks.json"), "w") as file:
        json.dump(loaded, file)


def setup(app):
    app.connect("build-finished", _record)
    return {"parallel_read_safe": True}
