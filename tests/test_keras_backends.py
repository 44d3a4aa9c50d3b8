"""Keras 3 on the JAX, torch and TensorFlow backends: the same reports, no TensorFlow
where the model does not need it.

Tests marked ``keras_backend`` run in the pytest process under whatever backend it has
(``KERAS_BACKEND=jax python -m pytest -m keras_backend``, and =torch, =tensorflow); the
others start real processes, one per backend, and compare what they report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent

#: Target → (total, trainable, non-trainable): the numbers every backend must give.
TOTALS = {
    "example_project.fire:fire_module_functional": (32_624, 32_480, 144),
    "example_project.fire:FireModuleWithSlip|(None, 128, 128, 50, 1)": (128_624, 128_480, 144),
    "example_project.fire:FireModule|(None, 128, 128, 50, 1)": (32_624, 32_480, 144),
    "example_project.shared:shared_base_network": (9_394_755, 9_394_755, 0),
    "example_project.shared:rebuilt_base_network": (54_725_635, 54_725_635, 0),
    "example_project.resnet:cifar_resnet": (197_418, 196_298, 1_120),
    "example_project.denoise:denoising_unet": (372_771, 371_415, 1_356),
    "example_project.basics:rgb_conv": (448, 448, 0),
    "example_project.transformer:text_classifier": (587_266, 587_266, 0),
    "composite_models:layer_blocks": (4_490, 4_410, 80),
    "composite_models:functional_of_layer_blocks": (144, 136, 8),
    "builders:Unbuilt|(None, 3)": (26, 26, 0),
    "keras.applications:MobileNetV2(weights=None)": (3_538_984, 3_504_872, 34_112),
    "keras.applications:ResNet50(weights=None)": (25_636_712, 25_583_592, 53_120),
}

#: The subset each backend builds in its own process for the comparison (a few seconds each).
COMPARED = [
    "example_project.fire:FireModuleWithSlip|(None, 128, 128, 50, 1)",
    "example_project.shared:shared_base_network",
    "example_project.denoise:denoising_unet",
    "example_project.transformer:text_classifier",
    "composite_models:layer_blocks",
    "composite_models:functional_of_layer_blocks",
    "builders:Unbuilt|(None, 3)",
    "keras.applications:MobileNetV2(weights=None)",
]


def _probe(backend: str, targets: list[str]) -> dict:
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), str(ROOT / "example_project"), str(TESTS), os.environ.get("PYTHONPATH", "")]
        ),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    result = subprocess.run(
        [sys.executable, str(TESTS / "backend_probe.py"), *targets],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def probes() -> dict[str, dict]:
    return {backend: _probe(backend, COMPARED) for backend in ("tensorflow", "jax", "torch")}


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_give_the_reports_tensorflow_gives(probes, backend):
    assert probes[backend]["backend"] == backend
    reference = probes["tensorflow"]["reports"]
    for target, report in probes[backend]["reports"].items():
        expected = reference[target]
        for index, (layer, other) in enumerate(zip(report["layers"], expected["layers"])):
            assert layer == other, f"{target}: layer {index} ({other['path']}) differs"
        assert report == expected, target


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_never_import_tensorflow(probes, backend):
    assert probes[backend]["tensorflow_imported"] is False
    assert probes["tensorflow"]["tensorflow_imported"] is True


# --- in the pytest process, under its own backend ------------------------------------------


@pytest.mark.keras_backend
@pytest.mark.parametrize("target", sorted(TOTALS))
def test_the_same_numbers_on_this_backend(target):
    from backend_probe import probe

    report = probe([target])["reports"][target]
    totals = report["totals"]
    assert (totals["params"], totals["trainable"], totals["non_trainable"]) == TOTALS[target]
    assert report["build_mode"] == "shape-only"
    assert not report["formula_disagreements"]


@pytest.mark.keras_backend
def test_open_dimensions_stay_open_on_this_backend():
    from backend_probe import probe

    target = "composite_models:bert"
    pytest.importorskip("keras_hub")
    report = probe([target])["reports"][target]
    layers = {layer["path"]: layer for layer in report["layers"]}
    assert layers["transformer_layer_0"]["output_shapes"] == (((None, None, 16),),)
    assert layers["get_item"]["output_shapes"] == (((None, 16),),)
    assert layers["pooled_dense"]["inbound"] == ("get_item",)


@pytest.mark.keras_backend
def test_a_huge_model_is_summarised_shape_only_on_this_backend():
    """A 2.69-billion-parameter Dense stack: no weight memory on any backend."""
    from backend_probe import probe

    target = "composite_models:huge_dense_stack"
    report = probe([target])["reports"][target]
    assert report["totals"]["params"] == 2_684_518_400
    assert report["build_mode"] == "shape-only"


@pytest.mark.keras_backend
def test_a_failed_trace_names_the_users_layer_not_our_wrappers():
    from backend_probe import probe

    from sphinx_modelsummary.errors import BuildError

    with pytest.raises(BuildError) as caught:
        probe(["composite_models:PickyModel|(None, 3)"])
    message = caught.value.message
    assert "Picky needs 8 features, got 4" in message and "\x1b" not in message
    assert "Picky.call()" in message and "composite_models.py" in message
    assert "Arguments received by Picky.call():" in message
    assert "_original" not in message and "_node" not in message
    assert "bound method" not in message and "sphinx_modelsummary" not in message


@pytest.mark.keras_backend
def test_weights_that_depend_on_an_open_dimension_are_an_error_on_this_backend():
    from backend_probe import probe

    from sphinx_modelsummary.errors import BuildError

    with pytest.raises(BuildError) as caught:
        probe(["composite_models:FlattenDense|(None, None, None, 3)"])
    assert caught.value.kind == "builder"
    assert "(None, None, None, 3)" in caught.value.message
    report = probe(["composite_models:FlattenDense|(None, 8, 8, 3)"])["reports"]
    assert report["composite_models:FlattenDense|(None, 8, 8, 3)"]["totals"]["params"] == 386


# --- the backend the project configures ----------------------------------------------------


@pytest.mark.sphinx("html", testroot="kerasbackend", freshenv=True)
def test_the_configured_backend_builds_the_models(app):
    from sphinx_helpers import warnings_of

    app.build()
    assert app.statuscode == 0, warnings_of(app)
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "dense_on_jax" in page and "dense_on_tensorflow" not in page


def test_the_backend_keys_the_cache(monkeypatch, tmp_path):
    from sphinx_modelsummary.cache import request_key
    from sphinx_modelsummary.request import BuildRequest
    from sphinx_modelsummary.target import parse_target

    target = parse_target("example_project.basics:rgb_conv")
    keys = {
        backend: request_key(BuildRequest(target, keras_backend=backend))
        for backend in ("tensorflow", "jax", "torch")
    }
    assert len(set(keys.values())) == 3
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert request_key(BuildRequest(target)) == keys["torch"]
    monkeypatch.delenv("KERAS_BACKEND")
    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    assert request_key(BuildRequest(target)) == keys["jax"]
    (tmp_path / "keras.json").unlink()
    assert request_key(BuildRequest(target)) == keys["tensorflow"]
