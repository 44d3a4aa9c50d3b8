"""The promise as a property: after an edit, a page shows the new numbers or the build fails.

For each kind of edit (a model's code, a helper module it imports, a directive option, the input
shape, the lockfile, a framework setting such as ``modelsummary_shape_only``), the test root
``test-promise`` is built, edited, then built again incrementally and with ``-E``; both builds
must show the new figures (or fail, for a lockfile that no longer matches), never the old ones.
Every figure is counted by hand in the comments of the models under ``tests/roots/test-promise``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sphinx_helpers import totals_of, warnings_of

from sphinx_modelsummary.engine import Engine
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target

ROOT = Path(__file__).parent / "roots" / "test-promise"
SUMMARY_PAGES = ("code", "helper", "inner", "shapes", "real")

#: What the untouched root shows. ``real`` is built shape-only, where its builder makes 5 units.
BEFORE = {
    "code": "15",  # Dense(3) on 4 inputs: 4·3 + 3
    "compare": "A 10, B 27, difference +17",  # A and B from different modules
    "helper": "27",  # helper's Dense(3): 15, BatchNormalization(3): 4·3
    "inner": "15",
    "shapes": "34",  # Flatten of 4·4·1, Dense(2): 16·2 + 2
    "real": "25",  # Dense(5): 4·5 + 5
}


def figures(outdir: Path) -> dict[str, str]:
    """The total each summary page shows, and the compare page's totals line."""
    shown = {}
    for page in SUMMARY_PAGES:
        (totals,) = totals_of((outdir / f"{page}.html").read_text(encoding="utf-8"))
        shown[page] = totals["Total params"].split(" ")[0]
    compare = (outdir / "compare.html").read_text(encoding="utf-8")
    (line,) = re.findall(r"Total params: (A [\d,]+, B [\d,]+, difference [+-][\d,]+)", compare)
    shown["compare"] = line
    return shown


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def project(tmp_path, make_app):
    """A fresh copy of the root, built once; ``project.build(**kw)`` builds it again."""

    class Project:
        srcdir = tmp_path / "docs"
        builddir = tmp_path / "build"

        def build(self, freshenv=False, confoverrides=None):
            app = make_app(
                "html",
                srcdir=self.srcdir,
                builddir=self.builddir,
                freshenv=freshenv,
                confoverrides=confoverrides or {},
            )
            app.build()
            return app

    shutil.copytree(ROOT, Project.srcdir)
    return Project()


def assert_new_figures_in_both_builds(project, expected, confoverrides=None):
    """The incremental build, then the ``-E`` build, each show exactly ``expected``."""
    for freshenv in (False, True):
        app = project.build(freshenv=freshenv, confoverrides=confoverrides)
        assert app.statuscode == 0, warnings_of(app)
        assert figures(app.outdir) == expected, "-E build" if freshenv else "incremental build"


def test_edits_of_code_helpers_options_and_shapes_show_in_the_next_builds(project):
    first = project.build()
    assert first.statuscode == 0, warnings_of(first)
    assert figures(first.outdir) == BEFORE
    src = project.srcdir
    # Each edit touches a different page, so each page depends on its own mechanism only.
    edit(src / "model_code.py", "Dense(3)", "Dense(5)")  # model code
    edit(src / "helper.py", "Dense(3)", "Dense(6)")  # a module the model's module imports
    edit(src / "shapes.rst", "(None, 4, 4, 1)", "(None, 6, 6, 1)")  # input shapes
    edit(src / "real.rst", "model_real:build\n", "model_real:build\n   :full-build:\n")  # option
    assert_new_figures_in_both_builds(
        project,
        {
            "code": "25",  # Dense(5): 4·5 + 5
            "compare": "A 10, B 54, difference +44",
            "helper": "54",  # Dense(6): 30, BatchNormalization(6): 24
            "inner": "15",
            "shapes": "74",  # 6·6·1·2 + 2
            "real": "15",  # with real weights the builder makes 3 units: 4·3 + 3
        },
    )


def test_editing_a_module_imported_inside_the_builder_shows_in_the_next_builds(project):
    assert figures(project.build().outdir) == BEFORE
    edit(project.srcdir / "inner_helper.py", "Dense(3)", "Dense(7)")
    assert_new_figures_in_both_builds(project, {**BEFORE, "inner": "35"})  # 4·7 + 7


def test_editing_only_model_b_of_a_comparison_shows_in_the_next_builds(project):
    """The compare page depends on the files of both of its models, not only on A's."""
    assert figures(project.build().outdir) == BEFORE
    edit(project.srcdir / "helper.py", "Dense(3)", "Dense(6)")  # B's helper; A untouched
    expected = {**BEFORE, "helper": "54", "compare": "A 10, B 54, difference +44"}
    assert_new_figures_in_both_builds(project, expected)


def test_a_framework_setting_shows_in_the_next_builds(project):
    assert figures(project.build().outdir) == BEFORE
    assert_new_figures_in_both_builds(
        project, {**BEFORE, "real": "15"}, confoverrides={"modelsummary_shape_only": False}
    )


def test_an_edited_lockfile_fails_the_next_builds(project):
    lockfile = project.srcdir / "models.lock.json"
    recorded = {
        "model_code:build": {"params": 15, "trainable": 15, "non_trainable": 0},
        "model_helper:build": {"params": 27, "trainable": 21, "non_trainable": 6},
    }
    lockfile.write_text(json.dumps({"models": recorded}), encoding="utf-8")
    settings = {"modelsummary_lockfile": "models.lock.json"}
    first = project.build(confoverrides=settings)
    assert first.statuscode == 0, warnings_of(first)
    # Totals kept, split changed: a check of the totals alone would pass.
    recorded["model_code:build"].update(trainable=14, non_trainable=1)
    recorded["model_helper:build"].update(trainable=20, non_trainable=7)
    lockfile.write_text(json.dumps({"models": recorded}), encoding="utf-8")
    for freshenv in (False, True):
        app = project.build(freshenv=freshenv, confoverrides=settings)
        warnings = warnings_of(app)
        assert app.statuscode == 1, warnings
        for page, trainable, non_trainable in (
            ("code", (14, 15), (1, 0)),
            ("helper", (20, 21), (7, 6)),
        ):
            (line,) = re.findall(rf"{page}\.rst:4: ERROR: (.*)", warnings)
            assert "models.lock.json" in line, line
            assert re.search(
                rf"(?<!non-)trainable: .*?promises {trainable[0]}, .*?builds {trainable[1]}", line
            ), line
            assert re.search(
                rf"non-trainable: .*?promises {non_trainable[0]}, .*?builds {non_trainable[1]}",
                line,
            ), line


@pytest.fixture
def on_path(monkeypatch):
    """The root's modules importable in this process, as the docs' conf.py makes them."""
    monkeypatch.syspath_prepend(str(ROOT))


def test_the_sources_of_a_build_are_the_project_files_it_imports(on_path):
    """What keys the cache and the page's dependencies: the model's module and its helper.

    The second builder of the module runs when everything is imported already, so its helper
    is found through the module's globals (the function it imported), not by watching imports.
    """
    engine = Engine(isolated=False)
    for target in ("model_helper:build", "model_helper:twin"):
        outcome = engine.report(BuildRequest(parse_target(target)))
        names = sorted(Path(path).name for path in outcome.source_files)
        assert names == ["helper.py", "model_helper.py"], target
        assert all(Path(path).parent == ROOT for path in outcome.source_files)


def test_the_cache_key_covers_the_input_shape(tmp_path, on_path):
    """Two shapes of one unbuilt model are two entries: a warm cache never serves the other."""
    totals = []
    for _ in range(2):  # cold, then warm: a build each, sharing the cache
        engine = Engine(cache_dir=str(tmp_path / "cache"), isolated=False)
        for shape in ((None, 4, 4, 1), (None, 6, 6, 1)):
            request = BuildRequest(parse_target("model_shapes:build"), (shape,))
            totals.append(engine.report(request).report.totals.params)
    assert totals == [34, 74, 34, 74]
    assert engine.from_cache == 2
