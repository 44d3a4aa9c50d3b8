"""The worker process: builds models for the engine, one message per line.

Run as ``python -m sphinx_modelsummary.worker FRAMEWORK``: it imports that
framework's adapter (and so the framework) once, then answers each
:class:`~sphinx_modelsummary.messages.Job` with its outcome on its original
standard output; anything the user's code prints goes to standard error, so it
cannot corrupt the answers. It exits when its input closes, and dies with the
process that started it, whatever kills that one; the processes its builders started
die with it (see :func:`~sphinx_modelsummary.lifetime.group_ends_with_this_process`).
"""

from __future__ import annotations

import os
import sys

from . import adapters
from .errors import BuildError, is_user_file
from .execute import execute
from .lifetime import die_with_parent, group_ends_with_this_process
from .messages import Job, Started, decode, encode

#: Written to standard error before each build: the engine shows what follows the last one.
JOB_MARKER = "\n--- sphinx-modelsummary: building "
#: The engine's process id, so a worker can tell that it was orphaned.
PARENT_VARIABLE = "SPHINX_MODELSUMMARY_PARENT"
#: Written to standard error when a builder signals its own process (``os.kill(os.getpid(),
#: SIGKILL)``): the engine then knows that a death by that signal was the builder's doing.
SELF_SIGNAL_MARKER = "\n--- sphinx-modelsummary: the builder signals its own process ---\n"


def main() -> None:
    group_ends_with_this_process()
    die_with_parent(int(os.environ.get(PARENT_VARIABLE, os.getppid())))
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # user prints go to stderr
    if len(sys.argv) > 1:
        try:
            adapters.adapter(sys.argv[1])  # the framework's start-up output comes before any job
        except BuildError:
            pass  # the first job reports it, with its target
    sys.addaudithook(_note_signals_to_itself)
    for line in sys.stdin.buffer:
        job = decode(line)
        if not isinstance(job, Job):
            continue
        sys.path[:] = job.sys_path
        os.chdir(job.cwd)
        _forget_project_modules()
        sys.stderr.write(f"{JOB_MARKER}{job.request.target} ---\n")
        sys.stderr.flush()
        answers.write(encode(Started()))
        answers.flush()
        answers.write(encode(execute(job.request)))
        answers.flush()
    # Threads a builder left running must not keep the process alive.
    sys.stderr.flush()
    os._exit(0)


def _note_signals_to_itself(event: str, args: tuple) -> None:
    """Say on standard error when the builder is about to signal this process or its group,
    so that its death is not taken for a kill from outside."""
    if event not in ("os.kill", "os.killpg"):
        return  # the hook sees every audited event: the others cost one test
    group = os.getpgid(0)
    ours = (0, -1, os.getpid(), -group) if event == "os.kill" else (0, group)
    if args[0] in ours:
        sys.stderr.write(SELF_SIGNAL_MARKER)
        sys.stderr.flush()


def _forget_project_modules() -> None:
    """Import the project afresh for each build: its module-level code (which may set the
    framework's configuration) runs again, and every module it imports is seen."""
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and is_user_file(path):
            del sys.modules[name]


if __name__ == "__main__":
    main()
