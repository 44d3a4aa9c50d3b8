"""The engine: the one door through which Sphinx and the CLI get reports.

Reports come from the cache when their sources are unchanged; otherwise a
worker process builds them. The worker is started on the first cache miss and
reused, so TensorFlow is imported at most once per build and never when every
model is cached; a builder that hangs is killed at its timeout and one that
crashes its process becomes an error, while the build goes on.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from .cache import ReportCache
from .errors import BuildError, ModelSummaryError
from .execute import BuildRequest, build_report
from .report import ModelReport
from .worker import exit_message, project_files

DEFAULT_TIMEOUT = 300.0
_STDERR_TAIL = 2000


@dataclass(frozen=True)
class BuildOutcome:
    report: ModelReport
    #: Project source files the builder used: editing one must rebuild the page.
    source_files: tuple[str, ...]
    cached: bool = False


class Engine:
    """Builds or fetches reports; one engine serves a whole docs build.

    ``isolated=False`` builds in this process instead of a worker (the
    ``show`` command, which has nothing to protect); then timeouts do not apply.
    """

    def __init__(
        self,
        cache_dir: str | None = None,
        timeout: float | None = None,
        warn: Callable[[str], None] | None = None,
        isolated: bool = True,
    ) -> None:
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.warn = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))
        self.cache = ReportCache(cache_dir, self.warn) if cache_dir else None
        self.isolated = isolated
        self.workers_started = 0
        self.built = 0
        self.from_cache = 0
        self._worker: _Worker | None = None

    def report(self, request: BuildRequest, timeout: float | None = None) -> BuildOutcome:
        """The request's report; raises BuildError for anything the user must fix."""
        cached = self.cache.get(request) if self.cache else None
        if cached is not None:
            self.from_cache += 1
            return BuildOutcome(report=cached[0], source_files=cached[1], cached=True)
        if self.isolated:
            report, sources = self._build_in_worker(request, timeout or self.timeout)
        else:
            try:
                report = build_report(request)
            except SystemExit as stop:
                raise BuildError("builder", exit_message(str(request.target), stop)) from None
            sources = tuple(project_files(request.target.module))
        if self.cache:
            self.cache.put(request, report, sources)
        self.built += 1
        return BuildOutcome(report=report, source_files=sources)

    def _build_in_worker(
        self, request: BuildRequest, timeout: float
    ) -> tuple[ModelReport, tuple[str, ...]]:
        worker = self._worker
        if worker is None or not worker.usable():
            worker = self._worker = _Worker()
            self.workers_started += 1
        message = {
            "target": str(request.target),
            "input_shapes": request.input_shapes,
            "shape_only": request.shape_only,
            "sys_path": list(sys.path),
            "cwd": os.getcwd(),
        }
        try:
            answer = worker.ask(message, timeout)
        except _WorkerGone as gone:
            self._worker = None
            raise BuildError(gone.kind, f"target {str(request.target)!r}: {gone}") from None
        if not answer["ok"]:
            raise BuildError(answer["kind"], answer["message"])
        return ModelReport.from_dict(answer["report"]), tuple(answer["sources"])

    def close(self) -> None:
        """Stop the worker (only the process that started it may)."""
        if self._worker is not None:
            self._worker.stop()
            self._worker = None


class _WorkerGone(ModelSummaryError):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Worker:
    """A ``python -m sphinx_modelsummary.worker`` process and its pipes."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.stderr = tempfile.TemporaryFile()
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, environment.get("PYTHONPATH")) if p
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sphinx_modelsummary.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=environment,
            start_new_session=True,
        )
        self.buffer = b""

    def usable(self) -> bool:
        """A worker belongs to the process that started it (``-j`` forks) and must be alive."""
        return self.owner == os.getpid() and self.process.poll() is None

    def ask(self, message: dict, timeout: float) -> dict:
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            raise self._gone() from None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise _WorkerGone(
                        "timeout",
                        f"the builder did not finish within {timeout:g} s and was stopped; "
                        "if it really needs longer, raise :timeout: or modelsummary_timeout",
                    )
                chunk = os.read(self.process.stdout.fileno(), 1 << 16)
                if not chunk:
                    raise self._gone()
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def _gone(self) -> _WorkerGone:
        """The worker died mid-build: say how, with the end of what it printed."""
        status = self.process.wait()
        if status < 0:
            how = f"killed by signal {signal.Signals(-status).name}"
        else:
            how = f"exited with status {status}"
        self.stderr.seek(0)
        tail = self.stderr.read().decode(errors="replace")[-_STDERR_TAIL:].strip()
        detail = f"; its last output:\n{tail}" if tail else ""
        return _WorkerGone("crash", f"the builder crashed the process that ran it ({how}){detail}")

    def stop(self) -> None:
        if self.owner != os.getpid():
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()
        self.stderr.close()
