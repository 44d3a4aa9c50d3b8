"""The worker process: builds models for the engine, one JSON request per line.

Run as ``python -m sphinx_modelsummary.worker``. It answers on its original
standard output; anything the user's code prints goes to standard error, so it
cannot corrupt the answers. It exits when its input closes.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import types
from typing import Any

from .errors import ModelSummaryError, is_user_file
from .execute import BuildRequest, build_report
from .target import parse_target


def project_files(module_name: str) -> list[str]:
    """Source files of the project that a target's module uses, directly or through others.

    Follows the module's globals (imported modules, and the modules that
    defined its functions and classes) but only through project files, so
    editing a model re-renders exactly the pages that use it.
    """
    found: set[str] = set()
    pending = [sys.modules.get(module_name)]
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module is None or module.__name__ in seen:
            continue
        seen.add(module.__name__)
        path = getattr(module, "__file__", None)
        if not path or not is_user_file(path):
            continue
        found.add(os.path.abspath(path))
        for value in list(vars(module).values()):
            pending.append(_defining_module(value))
    return sorted(found)


def _defining_module(value: Any) -> types.ModuleType | None:
    if isinstance(value, types.ModuleType):
        return value
    if inspect.isclass(value) or inspect.isfunction(value):
        return sys.modules.get(getattr(value, "__module__", "") or "")
    return None


def exit_message(target: str, stop: SystemExit) -> str:
    return f"target {target!r} called sys.exit({stop.code!r}) instead of returning a model"


def handle(message: dict[str, Any]) -> dict[str, Any]:
    sys.path[:] = message["sys_path"]
    os.chdir(message["cwd"])
    shapes = message["input_shapes"]
    target = parse_target(message["target"])
    request = BuildRequest(
        target=target,
        input_shapes=tuple(tuple(shape) for shape in shapes) if shapes else None,
        shape_only=message["shape_only"],
    )
    try:
        report = build_report(request)
    except ModelSummaryError as error:
        return {"ok": False, "kind": getattr(error, "kind", "builder"), "message": str(error)}
    except SystemExit as stop:
        # Not a crash: the worker (and its imported TensorFlow) can serve the next target.
        return {"ok": False, "kind": "builder", "message": exit_message(message["target"], stop)}
    return {"ok": True, "report": report.to_dict(), "sources": project_files(target.module)}


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # user prints go to stderr
    for line in sys.stdin:
        answer = handle(json.loads(line))
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
