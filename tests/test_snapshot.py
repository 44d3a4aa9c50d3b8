"""The snapshot: docs that build from committed reports where no framework can be imported.

Every build here is a real ``sphinx-build`` (or ``python -m sphinx_modelsummary``)
in a subprocess of a copy of ``tests/roots/test-snapshot``. The framework-free
builds run with a ``sitecustomize`` that makes importing TensorFlow, Keras,
torch or JAX fail and writes down every attempt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sphinx_modelsummary.report import ModelReport, report_digest

ROOT = Path(__file__).parent / "roots" / "test-snapshot"
BLOCKED = ("tensorflow", "keras", "tf_keras", "torch", "torchvision", "jax", "jaxlib", "flax")

BLOCKER = f'''
import os, sys

BLOCKED = {BLOCKED!r}


class NoFrameworks:
    """Refuses the frameworks, as an environment without them would."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            with open(os.environ["FRAMEWORK_ATTEMPTS"], "a") as log:
                log.write(name + "\\n")
            raise ImportError(f"{{name}} is not installed here")
        return None


sys.meta_path.insert(0, NoFrameworks())
'''


def run(args, cwd, blocked: bool = False, **env):
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env}
    if blocked:
        site = cwd / "no-frameworks"
        site.mkdir(exist_ok=True)
        (site / "sitecustomize.py").write_text(BLOCKER)
        environment["PYTHONPATH"] = os.pathsep.join([str(site), environment.get("PYTHONPATH", "")])
        environment["FRAMEWORK_ATTEMPTS"] = str(cwd / "attempts.txt")
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=environment
    )


def sphinx(cwd, *settings, out="html", blocked=True):
    """``sphinx-build`` of ``docs`` into ``out`` (incremental: the doctrees are kept)."""
    options = [item for setting in settings for item in ("-D", setting)]
    return run(
        ["-m", "sphinx", "-b", "html", *options, "-d", "doctrees", "docs", out], cwd, blocked
    )


def attempts(cwd) -> list[str]:
    log = cwd / "attempts.txt"
    return log.read_text().split() if log.exists() else []


def entries(docs) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((docs / "_models").iterdir())}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A copy of the test root and its snapshot, written once by ``snapshot``."""
    cwd = tmp_path_factory.mktemp("snapshot")
    shutil.copytree(ROOT, cwd / "docs")
    done = run(["-m", "sphinx_modelsummary", "snapshot", "docs"], cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    return cwd, entries(cwd / "docs")


@pytest.fixture
def project(written, tmp_path):
    """A fresh copy of the project with the snapshot written by :func:`written`."""
    source, _ = written
    shutil.copytree(source / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("_build"))
    return tmp_path


def test_snapshot_holds_one_portable_entry_per_request_and_is_byte_identical_when_rewritten(
    written, tmp_path
):
    cwd, first = written
    assert sorted(name.rsplit("-", 1)[0] for name in first) == [
        "snapmodels.nets.small",
        "snapmodels.nets.wide",
    ]
    small = json.loads(next(text for name, text in first.items() if ".small-" in name))
    assert small["request"] == {"target": "snapmodels.nets:small"}
    assert sorted(small["sources"]) == [
        "snapmodels/__init__.py",  # imported while the builder ran: a package file is a source too
        "snapmodels/blocks.py",
        "snapmodels/nets.py",
    ]
    assert small["report"]["build_seconds"] == 0.0
    assert small["report"]["totals"]["params"] == 26
    for text in first.values():
        assert str(cwd).encode() not in text and text.endswith(b"}\n")

    # Another checkout elsewhere, with no cache: every builder runs again.
    shutil.copytree(ROOT, tmp_path / "docs")
    done = run(["-m", "sphinx_modelsummary", "snapshot", "docs", "--force"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert entries(tmp_path / "docs") == first


def test_off_mode_renders_every_directive_from_the_snapshot_without_any_framework(project):
    done = sphinx(project, "modelsummary_execution_mode=off")
    assert done.returncode == 0, done.stdout + done.stderr
    assert attempts(project) == []
    page = (project / "html" / "index.html").read_text(encoding="utf-8")
    assert "The small model has 26 parameters." in re.sub(r"<[^>]+>", "", page)
    assert page.count("Total params") >= 1 and "hidden (Dense)" in page
    text = re.sub(r"<[^>]+>", "", page)
    assert "(3 + 1)·4" in text and "(4 + 1)·2" in text  # both formulas, with their numbers
    # the model is summarised on the page it is drawn on: the SVG is inline, linked to the rows
    assert '<svg class="modelsummary-diagram"' in page and "modelsummary-box" in page, page
    assert "+24" in page
    assert "could not" not in page and "no longer matches" not in page


def test_the_framework_blocker_really_blocks(project):
    """The guard of the tests above: a build that must run a builder fails under it."""
    done = sphinx(project, "modelsummary_execution_mode=force")
    assert done.returncode == 1
    assert "keras" in attempts(project)


def test_editing_a_model_file_makes_the_off_build_fail_at_the_directive_line(project):
    assert sphinx(project, "modelsummary_execution_mode=off").returncode == 0
    blocks = project / "docs" / "snapmodels" / "blocks.py"
    blocks.write_text(blocks.read_text().replace('name="hidden"', 'name="hidden_layer"'))
    done = sphinx(project, "modelsummary_execution_mode=off")
    assert done.returncode == 1
    message = (
        "ERROR: model-summary snapmodels.nets:small: the snapshot of snapmodels.nets:small is "
        "stale: snapmodels/blocks.py changed; run python -m sphinx_modelsummary snapshot docs "
        "to refresh"
    )
    assert f"index.rst:4: {message}" in done.stderr, done.stderr
    stale = re.findall(r"index\.rst:(\d+): ERROR: .*is stale: snapmodels/blocks.py", done.stderr)
    assert stale == ["4", "10", "12", "14"]
    assert attempts(project) == []


def test_a_request_missing_from_the_snapshot_is_an_error_at_its_line(project):
    index = project / "docs" / "index.rst"
    directive = ".. model-summary:: snapmodels.nets:small\n   :input-shape: (None, 3)\n"
    index.write_text(index.read_text() + "\n" + directive)
    done = sphinx(project, "modelsummary_execution_mode=off")
    assert done.returncode == 1
    assert re.search(
        r"index\.rst:17: ERROR: model-summary snapmodels\.nets:small: the snapshot has no entry "
        r"for snapmodels\.nets:small \(input_shapes=\[\[None, 3\]\]\) \(snapmodels\.nets\.small-"
        r"[0-9a-f]{12}\.json\); run python -m sphinx_modelsummary snapshot docs to add it",
        done.stderr,
    ), done.stderr


def test_auto_mode_uses_a_fresh_snapshot_entry_instead_of_running_the_builder(project):
    done = sphinx(project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert attempts(project) == []


def test_auto_mode_runs_the_builder_for_a_stale_entry_and_checks_the_promise_against_it(project):
    """After a model edit, ``auto`` must not serve the old entry: the page shows the new count,
    and ``:expect-params: 26``, true of the stale entry, now fails."""
    assert sphinx(project).returncode == 0
    nets = project / "docs" / "snapmodels" / "nets.py"
    nets.write_text(nets.read_text().replace("blocks.head(4)", "blocks.head(5)"))
    done = sphinx(project, blocked=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "index.rst:4: ERROR: snapmodels.nets:small: params: the page promises 26, the code builds "
        "32; params: the lockfile models.lock.json promises 26, the code builds 32"
    ) in done.stderr, done.stderr
    assert (
        "index.rst:14: ERROR: snapmodels.nets:small vs snapmodels.nets:wide: difference: the "
        "page promises +24, the code gives +18"
    ) in done.stderr
    page = re.sub(r"<[^>]+>", "", (project / "html" / "index.html").read_text(encoding="utf-8"))
    assert "The small model has 32 parameters." in page  # (3 + 1)·5 + (5 + 1)·2


def test_an_entry_written_before_a_report_field_was_added_still_renders(project):
    """The digest is taken of the report as the entry holds it: a field the report gained
    later (here ``base_classes``, absent from every layer) does not make old entries "edited"."""
    for entry in (project / "docs" / "_models").glob("*.json"):
        data = json.loads(entry.read_text())
        for layer in data["report"]["layers"]:
            del layer["base_classes"]
        data["digest"] = report_digest(data["report"])  # as the older version wrote it
        entry.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    done = sphinx(project, "modelsummary_execution_mode=off")
    assert done.returncode == 0, done.stderr
    page = re.sub(r"<[^>]+>", "", (project / "html" / "index.html").read_text(encoding="utf-8"))
    assert "The small model has 26 parameters." in page


def test_check_reports_a_hand_edited_entry_as_drift_naming_the_entry(project):
    small = next((project / "docs" / "_models").glob("snapmodels.nets.small-*.json"))
    shutil.copy(small, small.with_name("stray-000000000000.json"))
    done = run(["-m", "sphinx_modelsummary", "check", "docs"], project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "modelsummary: 1 snapshot entry no page uses (stray-000000000000); run python -m "
        "sphinx_modelsummary snapshot docs to remove them"
    ) in done.stdout

    small.write_text(small.read_text().replace('"params": 26', '"params": 27', 1))
    next((project / "docs" / "_models").glob("snapmodels.nets.wide-*.json")).unlink()
    done = run(["-m", "sphinx_modelsummary", "check", "docs"], project)
    assert done.returncode == 1
    results = json.loads((project / "docs/_build/modelcheck/modelcheck.json").read_text())
    assert results["summary"] == {"total": 4, "ok": 0, "drift": 4, "error": 0}
    message = results["results"][0]["messages"][-1]
    assert message.startswith(
        f"the snapshot entry docs/_models/{small.name} differs from the live build: "
    )
    assert "report.totals.params: snapshot 27, live 26" in message
    compared = results["results"][3]["messages"]
    assert len(compared) == 2 and compared[0].startswith("the snapshot entry docs/_models/")
    assert re.match(
        r"the snapshot has no entry for snapmodels\.nets:wide \(snapmodels\.nets\.wide-"
        r"[0-9a-f]{12}\.json\); run python -m sphinx_modelsummary snapshot docs to add it$",
        compared[1],
    ), compared


def test_check_reports_a_layer_change_that_keeps_every_total(project):
    """Renaming a layer changes no count: only the layers tell the entry is stale."""
    blocks = project / "docs" / "snapmodels" / "blocks.py"
    blocks.write_text(blocks.read_text().replace('name="hidden"', 'name="middle"'))
    done = run(["-m", "sphinx_modelsummary", "check", "docs"], project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(
        r"index\.rst:4: ERROR: .* the snapshot entry docs/_models/snapmodels\.nets\.small-"
        r"[0-9a-f]{12}\.json differs from the live build: snapmodels/blocks\.py changed; .*"
        r'report\.layers\[hidden\]\.name: snapshot "hidden", live "middle"',
        done.stderr,
    ), done.stderr
    assert "report.totals" not in done.stderr


def test_check_passes_a_comment_only_edit_saying_only_the_hashes_changed(project):
    """The report is identical, so nothing differs: the entry is current and only its recorded
    source hash is old (an ``off`` build, which cannot tell, would call the entry stale)."""
    nets = project / "docs" / "snapmodels" / "nets.py"
    nets.write_text(nets.read_text() + "\n# a comment changes the file\n")
    done = run(["-m", "sphinx_modelsummary", "check", "docs"], project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "differs" not in done.stdout + done.stderr
    assert re.search(
        r"index\.rst:4: snapmodels\.nets:small: the snapshot entry docs/_models/snapmodels"
        r"\.nets\.small-[0-9a-f]{12}\.json is current; only its recorded source hashes changed "
        r"\(snapmodels/nets\.py changed\); run python -m sphinx_modelsummary snapshot docs to "
        r"record them",
        done.stdout,
    ), done.stdout


def test_rewriting_removes_entries_no_page_uses_and_keeps_those_whose_builder_fails(project):
    conf = project / "docs" / "conf.py"  # `snapshot` builds even where conf.py says "off"
    conf.write_text(conf.read_text() + 'modelsummary_execution_mode = "off"\n')
    index = project / "docs" / "index.rst"
    index.write_text(index.read_text().split(".. model-compare::")[0])
    nets = project / "docs" / "snapmodels" / "nets.py"
    nets.write_text(nets.read_text().replace("def small():\n", "def small():\n    1 / 0\n"))
    before = entries(project / "docs")
    done = run(["-m", "sphinx_modelsummary", "snapshot", "docs"], project)
    assert done.returncode == 1
    assert "index.rst:4: ERROR: model-summary snapmodels.nets:small: " in done.stderr
    after = entries(project / "docs")
    assert [name.rsplit("-", 1)[0] for name in after] == ["snapmodels.nets.small"]
    assert after == {name: text for name, text in before.items() if ".small-" in name}
    assert "removed 1 unused: snapmodels.nets.wide-" in done.stdout


def one_more_bias(entry: Path) -> None:
    """Rewrite a cache entry as another build of the extension might have written it: one more
    output bias, the counts and the digest to match (an entry edited any other way is refused).
    """
    data = json.loads(entry.read_text())
    report = data["report"]
    out = next(layer for layer in report["layers"] if layer["path"] == "out")
    bias = next(weight for weight in out["weights"] if weight["name"] == "bias")
    bias["shape"][0] += 1
    for counts in (out, report["totals"]):
        counts["params"] += 1
        counts["trainable"] += 1
    data["digest"] = ModelReport.from_dict(report).digest()
    entry.write_text(json.dumps(data))


def test_force_ignores_a_stale_cache(project):
    shutil.rmtree(project / "docs" / "_models")
    settings = ("modelsummary_cache_dir=cache",)
    assert sphinx(project, *settings, blocked=False).returncode == 0
    for entry in (project / "cache").glob("*.json"):
        if json.loads(entry.read_text())["report"]["name"] == "small":
            one_more_bias(entry)
    index = project / "docs" / "index.rst"
    index.write_text(index.read_text().replace("   :expect-params: 26\n", ""))

    done = sphinx(project, *settings, blocked=False)
    page = (project / "html" / "index.html").read_text(encoding="utf-8")
    assert "The small model has 27 parameters." in re.sub(r"<[^>]+>", "", page)

    done = sphinx(project, *settings, "modelsummary_execution_mode=force", blocked=False)
    assert done.returncode == 0, done.stderr
    page = (project / "html" / "index.html").read_text(encoding="utf-8")
    assert "The small model has 26 parameters." in re.sub(r"<[^>]+>", "", page)


#: What a build says when the cached ``wide`` model has one more bias than its snapshot entry.
WIDE_DRIFT = (
    r"index\.rst:14: ERROR: .* the snapshot entry docs/_models/snapmodels\.nets\.wide-"
    r"[0-9a-f]{12}\.json differs from the live build: report\.totals\.params: snapshot 50, "
    r"live 51"
)


def widen_cached_wide_model(cache: Path) -> None:
    """Give the cached build of ``wide`` one more output bias (see :func:`one_more_bias`)."""
    entries = [
        e for e in cache.glob("*.json") if json.loads(e.read_text())["report"]["name"] == "wide"
    ]
    assert entries, cache
    for entry in entries:
        one_more_bias(entry)


def test_the_modelcheck_builder_compares_every_entry_when_no_page_changed_since_its_last_run(
    project,
):
    """``sphinx-build -b modelcheck`` is documented as equal to ``check``, also when run
    again without ``-E`` (CI keeps its doctrees): unchanged pages are not read again, and
    the snapshot must still be compared with what the code builds now."""
    command = ["-m", "sphinx", "-b", "modelcheck", "-d", "doctrees", "docs", "out"]
    assert run(command, project).returncode == 0
    widen_cached_wide_model(project / "doctrees" / "modelsummary-cache")
    done = run(command, project)
    assert done.returncode == 1, done.stderr
    assert re.search(WIDE_DRIFT, done.stderr), done.stderr


def test_check_compares_every_entry_with_a_live_build_that_changed_under_it(project):
    """A live build may change without any page changing (a new extension or framework)."""
    assert run(["-m", "sphinx_modelsummary", "check", "docs"], project).returncode == 0
    # what a new Keras release might now build
    widen_cached_wide_model(project / "docs/_build/modelcheck/.doctrees/modelsummary-cache")
    done = run(["-m", "sphinx_modelsummary", "check", "docs"], project)
    assert done.returncode == 1
    assert re.search(WIDE_DRIFT, done.stderr), done.stderr
