"""The directives and the role, through real Sphinx builds of the projects in tests/roots."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import latex_tables, warnings_of


def html_of(app, docname: str = "index") -> BeautifulSoup:
    html = (app.outdir / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def text_of(soup) -> str:
    """The visible text with whitespace folded, as a reader sees it."""
    return " ".join(soup.get_text().split())


@pytest.mark.sphinx("html", testroot="basic", freshenv=True)
def test_summary_formulas_and_role_in_html(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    assert warnings_of(app) == ""
    page = html_of(app)
    summary = page.select_one("table.modelsummary-summary")
    assert summary.select_one(".caption-text").get_text() == "The functional FireModule"
    headers = [th.get_text(strip=True) for th in summary.select("thead th")]
    assert headers == ["Layer (type)", "Output shape", "Params", "Connected to", "Trainable"]
    rows = {
        tr.select("td")[0].get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in summary.select("tbody tr")
    }
    assert rows["fire_expand_2_conv (Conv3D)"][1:4] == [
        "(None, 128, 128, 50, 32)",
        "32,032",
        "fire_squeeze_1_relu",
    ]
    assert rows["fire_concatenate (Concatenate)"][3] == (
        "fire_expand_1_batch_norm, fire_expand_2_batch_norm"
    )
    totals = text_of(page.select_one(".modelsummary-totals"))
    assert "Total params: 32,624 (127.44 KB)" in totals
    assert "Non-trainable params: 144 (576 B)" in totals
    formulas = page.select_one("table.modelsummary-formulas")
    last = [td.get_text(strip=True) for td in formulas.select("tbody tr")[-1].select("td")]
    assert last[0] == "Total" and last[1:3] == ["128,624", "144"]
    headers = [th.get_text(strip=True) for th in formulas.select("thead th")]
    assert headers == ["Layer", "Params", "Non-trainable", "Formula", "With numbers"]
    text = text_of(page)
    assert "The functional module has 32,624 parameters, 144 of them not trainable" in text
    assert "the slip has 128,624 in 11 layers (502.44 KB)" in text
    other = text_of(html_of(app, "other"))
    assert "Seen from another page: 32,480 trainable parameters." in other
    costs = html_of(app, "other")
    headers = [th.get_text(strip=True) for th in costs.select("table.modelsummary-summary th")]
    assert headers == ["Layer (type)", "Params", "MACs", "Activations"]
    dense = costs.select("table.modelsummary-summary tbody tr")[-1]
    assert [td.get_text(strip=True) for td in dense.select("td")] == [
        "dense (Dense)",
        "650",
        "640",
        "80 B",
    ]
    block = " ".join(text_of(line) for line in costs.select("p.modelsummary-totals"))
    assert "MACs per sample: 28.76 M" in block
    assert "Input size (batch 2): 24.00 KB" in block
    assert "Forward/backward pass size: 7.25 MB" in block  # twice the batch-1 figure
    folded = costs.select_one("table.modelsummary-formulas")
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in folded.select("tr")[1:]]
    assert rows[2][0] == "conv_block_2 (ConvBlock)"
    assert rows[2][1:3] == ["128,160", "64"] and rows[2][-1] == "128,032 + 128"
    assert rows[-1][1:3] == ["128,624", "144"]
    assert (app.outdir / "_static" / "modelsummary.css").exists()


@pytest.mark.sphinx("text", testroot="basic", freshenv=True)
def test_text_builder(app):
    app.build()
    assert app.statuscode == 0
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert "\nfire_expand_2_conv (Conv3D)  " in text
    assert "32,032" in text and "128,624" in text
    assert "The functional module has 32,624 parameters" in text


@pytest.mark.sphinx("latex", testroot="basic", freshenv=True)
def test_latex_builder(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    tex = next(app.outdir.glob("*.tex")).read_text(encoding="utf-8")
    assert "fire\\_expand\\_2\\_conv (Conv3D)" in tex.replace("\\allowbreak{}", "")
    assert "32,032" in tex
    tables = {table[1][0]: table for table in latex_tables(tex)}
    summary = tables["volume (InputLayer)"]
    assert summary[0] == ["Layer (type)", "Output shape", "Params", "Connected to", "Trainable"]
    assert summary[6] == [
        "fire_expand_2_conv (Conv3D)", "(None, 128, 128, 50, 32)", "32,032", "fire_squeeze_1_relu",
        "yes",
    ]  # fmt: skip
    assert re.search(r"Total params[^0-9]{0,80}32,624 \(127\.44 KB\)", tex)
    assert tables["conv_block/conv3d (Conv3D)"][-1] == ["Total", "128,624", "144", "", ""]


@pytest.mark.sphinx("html", testroot="drift", freshenv=True)
def test_drift_is_an_error_at_its_line_and_fails_the_build(app):
    app.build()
    warnings = warnings_of(app)
    assert app.statuscode == 1
    assert re.search(
        r"index\.rst:\d+: ERROR: example_project\.fire:FireModuleWithSlip.*params: the page "
        r"promises 32,624, the code builds 128,624",
        warnings,
    ), warnings
    assert "non-trainable" not in warnings.split("ERROR")[1].split("\n")[0]  # 144 still holds
    assert "modelsummary: 1 problem in the documented models" in app._status.getvalue()
    page = html_of(app)
    problem = text_of(page.select_one(".modelsummary-problem"))
    assert "the code builds 128,624" in problem
    assert "128,624" in page.select_one(".modelsummary-totals").get_text()
    assert (app.outdir / "fine.html").exists()


@pytest.mark.sphinx(
    "html", testroot="drift", freshenv=True, confoverrides={"modelsummary_on_drift": "warning"}
)
def test_on_drift_warning_does_not_fail_the_build(app):
    app.build()
    assert app.statuscode == 0
    assert "WARNING: example_project.fire:FireModuleWithSlip" in warnings_of(app)


@pytest.mark.sphinx(
    "html", testroot="drift", freshenv=True, confoverrides={"modelsummary_on_drift": "fatal"}
)
def test_unknown_on_drift_value_is_named_and_drift_still_fails(app):
    app.build()
    warnings = warnings_of(app)
    assert "ERROR: modelsummary_on_drift 'fatal' is not one of 'error', 'warning'" in warnings
    assert app.statuscode == 1


@pytest.mark.sphinx(
    "html",
    testroot="drift",
    freshenv=True,
    confoverrides={"suppress_warnings": ["modelsummary.drift"]},
)
def test_suppressed_drift_is_silent(app):
    app.build()
    assert app.statuscode == 0
    assert warnings_of(app) == ""


@pytest.mark.sphinx("html", testroot="problems", freshenv=True)
def test_every_bad_input_is_an_error_at_its_line(app):
    app.build()
    warnings = warnings_of(app)
    assert app.statuscode == 1
    expected = [
        (8, "no module named 'no_such_package'"),
        (10, "has no attribute 'hostile_namez'; did you mean 'hostile_names'"),
        (12, "ValueError: the block needs an even number of filters"),
        (14, "gave a builtins.list, not a model"),
        (16, "give one with :input-shape:"),
        (18, ":expect-params: 'lots' is not a parameter count"),
        (21, ":input-shape: input shape '(None, banana)' is not a literal shape"),
        (24, ":columns: colour is not known"),
        (28, ":timeout: '-3' must be more than 0 and at most 86400 seconds"),
        (32, ":expand-nested: takes no value, or one of yes/no"),
        (36, "is not a literal"),
        (38, ":model-params: names 'nobody'"),
        (38, ":model-params:`a b c`: write a model's :name:"),
        (47, ":batch-size: '0' must be a whole number, 1 or more"),
    ]
    entries = re.split(r"\n(?=\S+\.rst:\d+: )", warnings)
    for line, message in expected:
        found = [e for e in entries if f"index.rst:{line}: ERROR: " in e and message in e]
        assert found, (line, message, warnings)
    assert "Traceback" not in warnings
    assert "sphinx_modelsummary/" not in warnings
    assert "root_models.py" in warnings  # the user's own frame of the raising builder
    page = html_of(app)
    assert len(page.select(".modelsummary-problem")) == 12
    assert "This one works: 18." in text_of(page)
    unknown = page.select_one(".modelsummary-unknown")
    assert unknown.get_text() == "[unknown model 'nobody']"
    # A role naming a labelled directive whose builder failed: only the directive's error.
    assert "escaping.rst:11: ERROR: model-summary root_models:raises" in warnings
    assert "names 'broken'" not in warnings
    escaping = html_of(app, "escaping")
    assert escaping.select_one(".modelsummary-unknown").get_text() == "[not built model 'broken']"


@pytest.mark.sphinx("html", testroot="problems", freshenv=True)
def test_model_supplied_text_is_escaped(app):
    app.build()
    raw = (app.outdir / "escaping.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is not a width" in raw
    assert "dense&gt;1 (Dense)" in raw
    assert "<em>caption</em>" not in raw
    assert "&lt;em&gt;caption&lt;/em&gt; &amp; more" in raw


@pytest.mark.sphinx("html", testroot="myst", freshenv=True)
def test_directives_and_role_work_in_myst_markdown(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    page = html_of(app)
    assert "524,544" in page.select_one("table.modelsummary-summary").get_text()
    assert "The 1×1 convolution has 524,544 parameters." in text_of(page)
