"""The engine: the one door through which Sphinx and the CLI get reports.

The execution modes (:mod:`.report_source`) go through it too: ``cached``
reads the cache without building, ``report`` builds what is not cached; the
cache and the counts of what was built stay inside.

Reports come from the cache when their sources are unchanged; otherwise a
worker process builds them, one per framework (chosen from the target's
imports before anything runs). A worker is started on the first cache miss of
its framework and reused, so TensorFlow is imported at most once per build and
never when every model is cached; a builder that hangs is killed at its
timeout and one that crashes its process becomes an error, while the build
goes on.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TextIO

from .allowlist import refusal
from .cache import ReportCache
from .errors import BuildError, BuildKind, ModelSummaryError
from .execute import execute
from .frameworks import framework_of, record_of
from .lifetime import dies_with_this_process
from .messages import Job, Started, decode, encode
from .request import BuildRequest, Built, Failed, Outcome
from .sources import own_files
from .worker import JOB_MARKER, PARENT_VARIABLE, SELF_SIGNAL_MARKER

DEFAULT_TIMEOUT = 300.0
#: Seconds a worker may take to start and import its framework, when the builder's own timeout
#: is shorter: a builder's timeout runs only once the worker has begun its job.
STARTUP_TIMEOUT = 300.0
_STDERR_TAIL = 2000
#: The longest single wait for a worker's answer (a selector refuses a timeout of 1e10 s).
_LONGEST_WAIT = 3600.0
#: Signals a process gets from its own faults (or ``abort()``); any other signal that ends a
#: worker whose builder did not send it came from outside (the out-of-memory killer, a kill).
_FAULTS = frozenset(
    getattr(signal, name)
    for name in ("SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT", "SIGTRAP", "SIGSYS", "SIGPIPE")
    if hasattr(signal, name)
)


class Engine:
    """Builds or fetches reports; one engine serves a whole docs build.

    Each framework is built in a worker process of its own (a process never
    imports two frameworks). ``isolated=False`` builds in this process instead
    (for tests of the build itself), as long as the request's framework is the
    first one built here; timeouts then do not apply.
    A request that failed is not built again for the rest of the build.
    """

    def __init__(
        self,
        cache_dir: str | None = None,
        timeout: float | None = None,
        warn: Callable[[str], None] | None = None,
        isolated: bool = True,
        allowed_modules: tuple[str, ...] | None = None,
        builder_output: TextIO | None = None,
    ) -> None:
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.warn = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))
        self._cache = ReportCache(cache_dir, self.warn) if cache_dir else None
        self.isolated = isolated
        #: When given, targets outside the project, the model zoos and these are refused.
        self.allowed_modules = allowed_modules
        #: Where what a builder printed is copied once it answered (``show``: standard error).
        self.builder_output = builder_output
        self.workers_started = 0
        self.built = 0
        #: Models whose report came from the cache, each counted once (not per directive).
        self.from_cache = 0
        #: Every model asked for, once however many directives share it.
        self.models: set[BuildRequest] = set()
        self._workers: dict[tuple[str, str | None], _Worker] = {}
        self._in_process: str | None = None
        self._failed: dict[BuildRequest, Failed] = {}

    def report(self, request: BuildRequest, timeout: float | None = None) -> Built:
        """The request's report; raises BuildError for anything the user must fix."""
        outcome = self.outcome(request, timeout)
        if isinstance(outcome, Failed):
            raise outcome.error()
        return outcome

    def cached(self, request: BuildRequest) -> Built | None:
        """The request's report from the cache, if it holds a valid one; no builder runs.

        Counted in ``from_cache`` once per model: a model built or read earlier
        in this build is served from the cache to its next directive.
        """
        found = self._cache.get(request) if self._cache else None
        if found is None:
            return None
        if request not in self.models:
            self.from_cache += 1
        self.models.add(request)
        return Built(report=found[0], source_files=found[1], cached=True)

    def outcome(self, request: BuildRequest, timeout: float | None = None) -> Outcome:
        """The request's outcome, from the cache, this build's earlier failures, or a build."""
        cached = self.cached(request)
        if cached is not None:
            return cached
        self.models.add(request)
        if request in self._failed:
            return self._failed[request]
        outcome = self._build(request, timeout or self.timeout)
        if isinstance(outcome, Failed):
            self._failed[request] = outcome
            return outcome
        if self._cache:
            self._cache.put(request, outcome.report, outcome.source_files)
        self.built += 1
        return outcome

    def _build(self, request: BuildRequest, timeout: float) -> Outcome:
        if self.allowed_modules is not None:
            refused = refusal(request.target.module, self.allowed_modules)
            if refused:
                return Failed("not-allowed", f"target {str(request.target)!r}: {refused}")
        try:
            framework = framework_of(request.target)
        except BuildError as error:
            return Failed(error.kind, error.message, own_files(request.target.module))
        if not self.isolated and request.keras_backend is None:
            self._in_process = self._in_process or framework
            if framework == self._in_process:
                return execute(request)
        job = Job(request=request, sys_path=tuple(sys.path), cwd=os.getcwd())
        try:
            return self._ask(framework, job, timeout)
        except _WorkerGone as gone:
            failure = gone
        if failure.before_job:  # it died while idle (killed, out of memory): ask a new one
            try:
                return self._ask(framework, job, timeout)
            except _WorkerGone as gone:
                failure = gone
        message = f"target {str(request.target)!r}: {failure}"
        return Failed(failure.kind, message, own_files(request.target.module))

    def _ask(self, framework: str, job: Job, timeout: float) -> Outcome:
        """The job's outcome from its framework's worker; a worker that is gone is forgotten."""
        worker = self._worker_for(framework, job.request)
        try:
            outcome = worker.ask(job, timeout)
        except _WorkerGone:
            self._workers.pop(_worker_key(framework, job.request), None)
            raise
        if self.builder_output is not None:
            self.builder_output.write(worker.builders_output())
        return outcome

    def _worker_for(self, framework: str, request: BuildRequest) -> _Worker:
        key = _worker_key(framework, request)
        worker = self._workers.get(key)
        if worker is None or not worker.usable():
            worker = self._workers[key] = _Worker(*key)
            self.workers_started += 1
        return worker

    def has_entry(self, request: BuildRequest) -> bool:
        """Whether the cache holds an entry for the request (without reading it)."""
        return self._cache is not None and self._cache.has(request)

    def prestart(self, requests: list[BuildRequest]) -> None:
        """Start the workers that these requests will need, without waiting for them: each
        imports its framework while the caller goes on (``sphinx/prefetch.py``)."""
        if not self.isolated:
            return
        for request in requests:
            if request in self._failed or (
                self.allowed_modules is not None
                and refusal(request.target.module, self.allowed_modules)
            ):
                continue
            try:
                framework = framework_of(request.target)
            except BuildError:
                continue  # building it will say so
            self._worker_for(framework, request)

    def close(self) -> None:
        """Stop the workers (only the process that started them may)."""
        while self._workers:
            self._workers.popitem()[1].stop()


def _worker_key(framework: str, request: BuildRequest) -> tuple[str, str | None]:
    """Which worker builds a request: one per framework, and per Keras backend."""
    return record_of(framework).worker_key(request.keras_backend)


class _WorkerGone(ModelSummaryError):
    """The worker ended without answering; ``before_job`` when it never began the job."""

    def __init__(self, kind: str, message: str, before_job: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.before_job = before_job


class _Worker:
    """A ``python -m sphinx_modelsummary.worker FRAMEWORK`` process and its pipes."""

    def __init__(self, framework: str, keras_backend: str | None = None) -> None:
        self.owner = os.getpid()
        self.stderr = tempfile.TemporaryFile()
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", PARENT_VARIABLE: str(self.owner)}
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, environment.get("PYTHONPATH")) if p
        )
        environment.update(record_of(framework).worker_environment(keras_backend))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sphinx_modelsummary.worker", framework],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=environment,
            start_new_session=True,
            preexec_fn=dies_with_this_process(),
        )
        self.framework = framework
        self.buffer = b""

    def usable(self) -> bool:
        """A worker belongs to the process that started it (``-j`` forks) and must be alive."""
        return self.owner == os.getpid() and self.process.poll() is None

    def ask(self, job: Job, timeout: float) -> Outcome:
        """The job's outcome. ``timeout`` is the builder's: it runs from the moment the worker
        begins the job, so a worker still importing its framework (seconds on a busy machine)
        does not eat into it; that start-up has a bound of its own."""
        try:
            self.process.stdin.write(encode(job))
            self.process.stdin.flush()
        except BrokenPipeError:
            raise self._gone(started=False) from None
        started = False
        deadline = time.monotonic() + max(timeout, STARTUP_TIMEOUT)
        while True:
            line = self._line_before(deadline)
            if line is None:
                self.stop()
                if not started:
                    raise _WorkerGone(
                        "timeout",
                        f"the worker for {self.framework} did not start within "
                        f"{max(timeout, STARTUP_TIMEOUT):g} s (importing {self.framework} "
                        "never ended) and was stopped",
                    )
                raise _WorkerGone(
                    "timeout",
                    f"the builder did not finish within {timeout:g} s and was stopped; "
                    "if it really needs longer, raise :timeout: or modelsummary_timeout",
                )
            if line == b"":
                raise self._gone(started)
            answer = decode(line)
            if isinstance(answer, Started):
                started = True
                deadline = time.monotonic() + timeout
            elif isinstance(answer, Job):
                raise _WorkerGone("crash", "the worker answered with a job")
            else:
                return answer

    def _line_before(self, deadline: float) -> bytes | None:
        """The worker's next line; ``b""`` when its output ended, None at the deadline."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                if not selector.select(min(remaining, _LONGEST_WAIT)):
                    continue  # a long timeout is waited for in steps the selector accepts
                chunk = os.read(self.process.stdout.fileno(), 1 << 16)
                if not chunk:
                    return b""
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def _gone(self, started: bool) -> _WorkerGone:
        """The worker ended without answering: say how, with the end of what it printed.
        ``started`` says whether it had begun the job; if not, the job did not kill it. A
        signal the builder did not send and no fault raises came from outside: that is
        said, and the failure is ``killed`` (the next build tries again), not a crash."""
        status = self.process.wait()
        builders = self.builders_output(marked=True)
        tail = builders.replace(SELF_SIGNAL_MARKER, "")[-_STDERR_TAIL:].strip()
        detail = f"; its last output:\n{tail}" if tail else ""
        if status < 0 and -status not in _FAULTS and SELF_SIGNAL_MARKER not in builders:
            return _WorkerGone(
                BuildKind.KILLED,
                f"the worker building it was killed from outside (signal "
                f"{signal.Signals(-status).name}) while it worked on this model: the out-of-memory "
                "killer or someone's kill, not known to be the builder's fault, so the next "
                f"build tries it again{detail}",
                before_job=not started,
            )
        if status < 0:
            how = f"killed by signal {signal.Signals(-status).name}"
        else:
            how = f"exited with status {status}"
        return _WorkerGone(
            BuildKind.CRASH,
            f"the builder crashed the process that ran it ({how}){detail}",
            before_job=not started,
        )

    def builders_output(self, marked: bool = False) -> str:
        """What the last job's builder wrote, not the worker's start-up log; ``marked`` keeps
        the note of a signal the builder sent its own process."""
        self.stderr.seek(0)
        output = self.stderr.read().decode(errors="replace")
        _, marker, since = output.rpartition(JOB_MARKER)
        builders = since.partition("\n")[2] if marker else output
        return builders if marked else builders.replace(SELF_SIGNAL_MARKER, "")

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
