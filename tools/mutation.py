"""Mutation testing of the modules that keep the promise (issue #19), with cosmic-ray.

Each module that decides whether a page can go stale (checks, the cache key, dependency
tracking, the lockfile, the formula registry, the engine) is mutated one small change at a time
by cosmic-ray, and a fast subset of the tests relevant to that module is run against each mutant.
A mutant the tests do not notice ("survived") is a bug the suite would let through.

    pip install -e ".[mutation]"
    python tools/mutation.py                       # every group, 25 mutants each, 40 min cap
    python tools/mutation.py --group checks --per-group 0   # every mutant of one group

Slow (each mutant is a pytest run), so it is not part of CI. Everything happens in a private
copy of the checkout under a temporary folder: mutants are written to disk there, never here.
Results: a table on standard output and ``--out`` (JSON with every survivor's diff).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Group:
    name: str
    #: Modules mutated (paths in the repository; missing ones are skipped with a note).
    modules: tuple[str, ...]
    #: The tests run against each mutant: the fast ones that concern these modules.
    tests: tuple[str, ...]


GROUPS = (
    Group(
        "checks",
        ("sphinx_modelsummary/checks.py",),
        (
            "tests/test_checks.py",
            "tests/test_promise.py::test_an_edited_lockfile_fails_the_next_builds",
        ),
    ),
    Group(
        "cache",
        ("sphinx_modelsummary/cache.py",),
        ("tests/test_promise.py", "tests/test_engine.py", "-k", "cache"),
    ),
    Group(
        "dependencies",
        ("sphinx_modelsummary/sources.py",),
        (
            "tests/test_promise.py::test_the_sources_of_a_build_are_the_project_files_it_imports",
            "tests/test_promise.py::"
            "test_editing_a_module_imported_inside_the_builder_shows_in_the_next_builds",
        ),
    ),
    Group(
        "lockfile",
        ("sphinx_modelsummary/lockfile.py", "sphinx_modelsummary/sphinx/lockfile.py"),
        (
            "tests/test_lockfile.py",
            "tests/test_promise.py::test_an_edited_lockfile_fails_the_next_builds",
        ),
    ),
    Group(
        "formulas",
        ("sphinx_modelsummary/formulas/registry.py", "sphinx_modelsummary/formulas/expr.py"),
        ("tests/test_formulas.py", "tests/test_costs.py"),
    ),
    Group(
        "engine",
        ("sphinx_modelsummary/engine.py",),
        (
            "tests/test_engine.py",
            "tests/test_promise.py::test_the_cache_key_covers_the_input_shape",
        ),
    ),
)

#: The operators kept: negated and off-by-one comparisons, swapped arithmetic, flipped
#: booleans and constants, skipped loops and broken exception handling. The other pairs
#: cosmic-ray knows (``+`` to ``<<``, ``==`` to ``is``, ...) multiply the count without
#: finding other bugs.
KEPT_OPERATORS = re.compile(
    r"core/("
    r"ReplaceComparisonOperator_(Eq_NotEq|NotEq_Eq|Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Is_IsNot|IsNot_Is"
    r"|Lt_GtE|Gt_LtE|In_NotIn|NotIn_In)"
    r"|ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Add|Mul_Div|Div_Mul|FloorDiv_Mul|Mod_FloorDiv)"
    r"|ReplaceUnaryOperator_USub_UAdd|AddNot|ReplaceTrueWithFalse|ReplaceFalseWithTrue"
    r"|ReplaceAndWithOr|ReplaceOrWithAnd|ReplaceBreakWithContinue|ReplaceContinueWithBreak"
    r"|ZeroIterationForLoop|NumberReplacer|ExceptionReplacer|RemoveDecorator"
    r")$"
)


def sandbox_copy() -> Path:
    """A copy of the checkout without .git and build output: the mutants' playground."""
    folder = Path(tempfile.mkdtemp(prefix="modelsummary-mutation-"))
    ignore = shutil.ignore_patterns(".git", "_build", "__pycache__", ".venv", "*.pyc", "mutants")
    shutil.copytree(REPO, folder / "repo", ignore=ignore)
    return folder / "repo"


def environment(sandbox: Path) -> dict[str, str]:
    paths = [str(sandbox), str(sandbox / "example_project")]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(paths),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def write_config(sandbox: Path, group: Group, modules: list[str], timeout: float) -> Path:
    tests = " ".join(group.tests)
    command = f"{sys.executable} -m pytest -x -q -p no:cacheprovider {tests}"
    config = sandbox / f"mutation-{group.name}.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(modules)}\n"
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n',
        encoding="utf-8",
    )
    return config


def select(session: Path, per_group: int, seed: int) -> tuple[int, int]:
    """Skip the operators not kept, then all but a reproducible sample of ``per_group``."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    with use_db(str(session), WorkDB.Mode.open) as db:
        kept, skipped = [], []
        for item in db.pending_work_items:
            operators = [mutation.operator_name for mutation in item.mutations]
            (kept if all(KEPT_OPERATORS.match(op) for op in operators) else skipped).append(item)
        kept.sort(key=lambda item: item.job_id)
        candidates = len(kept)
        if per_group and len(kept) > per_group:
            chosen = set(id(item) for item in random.Random(seed).sample(kept, per_group))
            skipped += [item for item in kept if id(item) not in chosen]
            kept = [item for item in kept if id(item) in chosen]
        for item in skipped:
            db.set_result(
                item.job_id,
                WorkResult(output="not selected", worker_outcome=WorkerOutcome.SKIPPED),
            )
        return candidates, len(kept)


def run_group(sandbox: Path, group: Group, args, deadline: float) -> dict:
    modules = [module for module in group.modules if (sandbox / module).exists()]
    missing = sorted(set(group.modules) - set(modules))
    summary: dict = {"group": group.name, "modules": modules, "missing": missing}
    if not modules:
        return {**summary, "selected": 0}
    env = environment(sandbox)
    config = write_config(sandbox, group, modules, args.mutant_timeout)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *group.tests]
    baseline = subprocess.run(command, cwd=sandbox, env=env, capture_output=True, text=True)
    if baseline.returncode != 0:  # a mutant "killed" by tests that fail anyway proves nothing
        return {**summary, "selected": 0, "baseline": baseline.stdout[-2000:]}
    session = sandbox / f"mutation-{group.name}.sqlite"
    init = [sys.executable, "-m", "cosmic_ray.cli", "init", str(config), str(session)]
    subprocess.run(init, cwd=sandbox, env=env, check=True, capture_output=True)
    summary["candidates"], summary["selected"] = select(session, args.per_group, args.seed)
    started = time.monotonic()
    runner = subprocess.Popen(
        [sys.executable, "-m", "cosmic_ray.cli", "exec", str(config), str(session)],
        cwd=sandbox,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        runner.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(runner.pid, signal.SIGKILL)  # the time cap: what is done is kept
        runner.wait()
        summary["capped"] = True
    summary["seconds"] = round(time.monotonic() - started)
    return {**summary, **collect(session, sandbox)}


def collect(session: Path, sandbox: Path) -> dict:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    counts = {"killed": 0, "survived": 0, "incompetent": 0, "not run": 0}
    survivors = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        results = dict(db.results)
        for item in db.work_items:
            result = results.get(item.job_id)
            if result is not None and result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if result is None:
                counts["not run"] += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                counts["survived"] += 1
                mutation = item.mutations[0]
                survivors.append(
                    {
                        "module": str(Path(mutation.module_path).relative_to(sandbox))
                        if Path(mutation.module_path).is_absolute()
                        else str(mutation.module_path),
                        "line": mutation.start_pos[0],
                        "operator": mutation.operator_name,
                        "occurrence": mutation.occurrence,
                        "diff": result.diff,
                    }
                )
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                counts["incompetent"] += 1
            else:  # killed, including a mutant whose tests time out or crash
                counts["killed"] += 1
    return {**counts, "survivors": survivors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", action="append", choices=[g.name for g in GROUPS])
    parser.add_argument("--per-group", type=int, default=25, help="mutants per group (0: all)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--time-cap", type=float, default=40.0, help="minutes for the whole run")
    parser.add_argument("--mutant-timeout", type=float, default=240.0, help="seconds per mutant")
    parser.add_argument("--out", default="mutation-results.json")
    parser.add_argument("--keep", action="store_true", help="keep the private copy")
    args = parser.parse_args(argv)
    groups = [g for g in GROUPS if not args.group or g.name in args.group]
    sandbox = sandbox_copy()
    deadline = time.monotonic() + args.time_cap * 60
    results = []
    try:
        for index, group in enumerate(groups):
            left = deadline - time.monotonic()
            if left <= 0:
                results.append({"group": group.name, "selected": 0, "capped": True})
                continue
            # each group gets its share of the time left, so one slow group cannot starve the rest
            share = time.monotonic() + left / (len(groups) - index)
            results.append(run_group(sandbox, group, args, share))
            print(line_of(results[-1]), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(sandbox.parent, ignore_errors=True)
    killed = sum(r.get("killed", 0) for r in results)
    survived = sum(r.get("survived", 0) for r in results)
    score = killed / (killed + survived) if killed + survived else 0.0
    print(f"total: {killed} killed, {survived} survived: {score:.1%} killed")
    Path(args.out).write_text(
        json.dumps({"score": score, "groups": results}, indent=2) + "\n", encoding="utf-8"
    )
    return 0


def line_of(result: dict) -> str:
    counts = ", ".join(
        f"{result.get(key, 0)} {key}" for key in ("killed", "survived", "incompetent", "not run")
    )
    extra = " (time cap reached)" if result.get("capped") else ""
    missing = f"; missing: {', '.join(result['missing'])}" if result.get("missing") else ""
    if "baseline" in result:
        return f"{result['group']}: its tests fail without any mutant; not run{missing}"
    return (
        f"{result['group']}: {result.get('selected', 0)} of {result.get('candidates', 0)} "
        f"mutants run: {counts}{extra}{missing}"
    )


if __name__ == "__main__":
    sys.exit(main())
