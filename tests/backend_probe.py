"""Build targets with the Keras backend of this process and print what the reports say.

Run as ``KERAS_BACKEND=jax python tests/backend_probe.py TARGET [TARGET ...]``: prints one
JSON object with each target's report (without its timing) and whether TensorFlow was
imported. ``tests/test_keras_backends.py`` runs it for every backend in a real subprocess.
A target ``pkg.mod:fn|(None, 32)`` is built with that input shape.
"""

from __future__ import annotations

import ast
import json
import sys

from sphinx_modelsummary.execute import BuildRequest, build_report
from sphinx_modelsummary.target import parse_target


def probe(targets: list[str]) -> dict:
    reports = {}
    for text in targets:
        target, _, shape = text.partition("|")
        shapes = (tuple(ast.literal_eval(shape)),) if shape else None
        report = build_report(BuildRequest(parse_target(target), shapes)).to_dict()
        report.pop("build_seconds")
        reports[text] = report
    import keras

    return {
        "backend": keras.backend.backend(),
        "tensorflow_imported": "tensorflow" in sys.modules,
        "reports": reports,
    }


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1:])))
