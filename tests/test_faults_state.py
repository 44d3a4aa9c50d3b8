"""Fault matrix: framework state and input values never change a page unseen.

State: each case is a builder that changes a process-wide setting and leaves it changed (as
careless code does, at import or inside the builder), followed in the same worker by a model
whose page depends on that setting. The model's numbers must be those it shows when built
alone. Values: a model whose ``call`` decides on its input's values has no count a page can
promise; every Keras path says so at the directive's line. Every build is a real
``sphinx-build`` process.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import totals_of

ROOTS = Path(__file__).parent / "roots"


def build_pages(tmp_path: Path, root: str, *tags: str, **environ: str) -> tuple[Path, str]:
    """Copy the test root and build it in a fresh ``sphinx-build`` with one worker: its
    output and its log. A page that failed shows no totals, which its case then reports."""
    source = tmp_path / "docs"
    shutil.copytree(ROOTS / f"test-{root}", source)
    out = tmp_path / "html"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-E", str(source), str(out)]
    for tag in tags:
        command += ["-t", tag]
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "NO_COLOR": "1", **environ}
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    log = done.stdout + done.stderr
    started = r"modelsummary: \d+ directives?, \d+ models?, 0 from the cache, 1 worker process "
    assert re.search(started + "started", log)
    return out, log


def section_totals(out: Path, page: str) -> dict[str, dict[str, str]]:
    """Section id → the totals its model shows."""
    html = (out / f"{page}.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for section in soup.select("section[id]"):
        blocks = totals_of(str(section))
        if len(blocks) == 1:
            found[section["id"]] = blocks[0]
    return found


@pytest.fixture(scope="module")
def torch_pages(tmp_path_factory) -> tuple[dict, dict]:
    """The torch probes built after every leaking builder, and built alone.

    A width drawn from the default generator differs from process to process (PyTorch seeds
    it at random), so "alone" for it is the same model built in the same worker before the
    leaking builders ran.
    """
    out, _ = build_pages(tmp_path_factory.mktemp("after"), "state-torch")
    alone, _ = build_pages(tmp_path_factory.mktemp("alone"), "state-torch", "alone")
    after, before = section_totals(out, "probes"), section_totals(out, "leaks")
    return after, {**section_totals(alone, "probes"), "random": before["before"]}


#: Probe section → what it shows in a fresh worker (None: depends on the machine).
TORCH_CASES = {
    "dtype": "15 (60 B)",  # torch.set_default_dtype(float64) in a builder
    "embedding": "40 (160 B)",  # the same, at a module's import
    "device": "15 (60 B)",  # torch.set_default_device("meta"), then a model built for real
    "grad": "15 (60 B)",  # torch.set_grad_enabled(False)
    "inference": "15 (60 B)",  # torch.inference_mode() entered and never left
    "deterministic": "15 (60 B)",  # torch.use_deterministic_algorithms(True)
    "anomaly": "15 (60 B)",  # torch.autograd.set_detect_anomaly(True)
    "random": None,  # torch.manual_seed(1234), and 1000 numbers drawn
    "threads": None,  # torch.set_num_threads(7)
    "autocast": "15 (60 B)",  # torch.set_autocast_enabled("cpu", True) and its dtype
    "matmul": "15 (60 B)",  # torch.set_float32_matmul_precision("medium")
    "cudnn": "15 (60 B)",  # torch.backends.cudnn.deterministic / benchmark
    "mkldnn": "15 (60 B)",  # torch.backends.mkldnn.enabled = False
    "tf32": "15 (60 B)",  # torch.backends.cuda.matmul.allow_tf32 / cudnn.allow_tf32
}


@pytest.mark.torch
@pytest.mark.parametrize("probe", sorted(TORCH_CASES))
def test_torch_state_a_builder_changes_never_reaches_the_next_model(torch_pages, probe):
    after, alone = torch_pages
    expected = TORCH_CASES[probe] or alone[probe]["Total params"]
    assert after.get(probe, {}).get("Total params") == expected
    assert alone[probe]["Total params"] == expected


@pytest.fixture(scope="module")
def keras_pages(tmp_path_factory):
    """Per Keras backend, built once: its probes after the leaking builders, and alone
    (a width drawn from a generator: the same model before the leaking builders)."""
    built: dict[str, tuple[dict, dict]] = {}

    def pages(backend: str) -> tuple[dict, dict]:
        if backend not in built:
            folder = tmp_path_factory.mktemp(backend)
            out, _ = build_pages(folder / "after", "state-keras", STATE_KERAS_BACKEND=backend)
            alone, _ = build_pages(
                folder / "alone", "state-keras", "alone", STATE_KERAS_BACKEND=backend
            )
            before = section_totals(out, f"leaks_{backend}")
            expected = section_totals(alone, f"probes_{backend}")
            drawn = ("numpy", "python") if backend == "jax" else ()
            expected.update({name: before[f"{name}-before"] for name in drawn})
            built[backend] = section_totals(out, f"probes_{backend}"), expected
        return built[backend]

    return pages


#: (backend, probe section) → what it shows in a fresh worker (None: as built alone).
KERAS_CASES = {
    ("jax", "x64"): "15 (60 B)",  # jax.config.update("jax_enable_x64", True)
    ("jax", "matmul"): "15 (60 B)",  # jax_default_matmul_precision
    ("jax", "rank"): "15 (60 B)",  # jax_numpy_rank_promotion="raise" broke the next trace
    ("jax", "numpy"): None,  # keras.utils.set_random_seed, then NumPy draws
    ("jax", "python"): None,  # keras.utils.set_random_seed reseeds Python's generator
    ("torch", "torch-dtype"): "15 (60 B)",  # torch.set_default_dtype on Keras's torch backend
    ("torch", "torch-threads"): None,  # torch.set_num_threads on Keras's torch backend
}


@pytest.mark.parametrize(("backend", "probe"), sorted(KERAS_CASES))
def test_keras_backend_state_a_builder_changes_never_reaches_the_next_model(
    keras_pages, backend, probe
):
    after, alone = keras_pages(backend)
    expected = KERAS_CASES[backend, probe] or alone[probe]["Total params"]
    assert after.get(probe, {}).get("Total params") == expected
    assert alone[probe]["Total params"] == expected


# Value-dependent control flow ----------------------------------------------------------------


@pytest.fixture(scope="module")
def branch_logs(tmp_path_factory):
    """Per Keras path (a Keras 3 backend, or tf_keras), built once: its log and pages."""
    built: dict[str, tuple[str, Path]] = {}

    def log_of(case: str) -> tuple[str, Path]:
        if case not in built:
            out, log = build_pages(tmp_path_factory.mktemp(case), "value-branch", BRANCH_CASE=case)
            built[case] = log.replace(str(out.parent / "docs") + os.sep, ""), out
        return built[case]

    return log_of


#: Page → model → (line of its directive, the line of its ``call`` that asks for a value).
BRANCHES = {
    "keras": {
        "Branchy": (4, "if ops.sum(x) > 0:"),
        "Repeats": (7, "for _ in range(int(x[0, 0])):"),
    },
    "tf_keras": {
        "Branchy": (4, "if tf.reduce_sum(x) > 0:"),
        "Repeats": (7, "for _ in tf.range(tf.cast(x[0, 0], tf.int32)):"),
    },
}
#: Keras 3 on each backend, and Keras 2.
BRANCH_CASES = [
    (case, model)
    for case in ("jax", "tensorflow", "torch", "tf_keras")
    for model in BRANCHES["keras"]
]


@pytest.mark.parametrize(("case", "model"), BRANCH_CASES)
def test_a_branch_on_input_values_is_an_error_naming_the_layer_and_line(branch_logs, case, model):
    """Keras on torch followed the branch of a tensor of ones and tf_keras built both
    branches (40 parameters, 15 or 25 on real data), silently; JAX and TensorFlow failed in
    their own words. Now every path says why, at the directive's line; the page goes on."""
    log, out = branch_logs(case)
    page = "keras" if case != "tf_keras" else "tf_keras"
    line, code = BRANCHES[page][model]
    found = re.search(
        rf"{page}\.rst:{line}: ERROR: model-summary {page}_branch:{model}: layer "
        rf"'{model.lower()}' \({model}\.call\(\)\) decides on the value of a tensor at "
        rf"{page}_branch\.py:\d+ \('{re.escape(code)}'\): which of its layers run \(or "
        r"how often\), and so which weights exist, then depend on the data",
        log,
    )
    assert found, log
    assert [block["Total params"] for block in totals_of((out / f"{page}.html").read_text())] == [
        "15 (60 B)"
    ]  # the plain model after them is documented


#: Module → (line of its directive, the lazy module the forward pass on zeros never ran).
LAZY_CASES = {"LazyBranchy": (4, "a"), "LazyUnused": (7, "spare")}


@pytest.mark.torch
@pytest.mark.parametrize("model", sorted(LAZY_CASES))
def test_a_lazy_module_the_forward_pass_never_ran_is_an_error_naming_it(branch_logs, model):
    """PyTorch's counts do not depend on the branch (parameters exist once the constructor
    ran), except for lazy modules, sized by their first input: one the forward pass on zeros
    did not run crashed the worker with PyTorch's "uninitialized parameter" traceback."""
    log, out = branch_logs("pytorch")
    line, module = LAZY_CASES[model]
    assert re.search(
        rf"torch\.rst:{line}: ERROR: model-summary torch_branch:{model}: target "
        rf"'torch_branch:{model}': '{module}' \(LazyLinear\) never ran in the forward pass on "
        r"\(1, 4\) float32, so the size of its lazy parameters, taken from its first input, "
        r"is unknown: forward may choose it by the value of a tensor",
        log,
    ), log
    assert [block["Total params"] for block in totals_of((out / "torch.html").read_text())] == [
        "15 (60 B)"
    ]
