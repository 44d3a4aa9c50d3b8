"""model-compare through a real Sphinx build."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import warnings_of


@pytest.mark.sphinx("html", testroot="compare", freshenv=True)
def test_compare_directive(app):
    app.build()
    warnings = re.sub(r"\x1b\[[0-9;]*m", "", app._warning.getvalue())
    assert app.statuscode == 1
    assert "index.rst:14: ERROR: example_project.basics:rgb_conv vs " in warnings
    assert "difference: the page promises -1, the code gives +524,096" in warnings
    assert "index.rst:17: ERROR: model-compare" in warnings and "'lots'" in warnings
    assert warnings.count("ERROR") == 2
    page = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    first, second = page.select("table.modelsummary-compare")[:2]
    marked = [
        [cell.get_text(strip=True) for cell in row.select("td")]
        for row in first.select("tbody tr")
        if row.select("td")[0].get_text(strip=True) == "≠"
    ]
    assert marked == [
        [
            "≠",
            "fire_expand_2_conv (Conv3D)",
            "(None, 128, 128, 50, 32)",
            "32,032",
            "conv_block_2/conv3d_2 (Conv3D)",
            "(None, 128, 128, 50, 32)",
            "128,032",
            "+96,000",
        ]
    ]
    text = " ".join(page.get_text().split())
    assert "A fire_expand_2_conv: (5·5·5·8 + 1)·32 = 32,032" in text
    assert "B conv_block_2/conv3d_2: (5·5·5·32 + 1)·32 = 128,032" in text
    assert "Total params: A 32,624, B 128,624, difference +96,000" in text
    assert len(first.select("tr.modelsummary-differs")) == 1
    assert len(first.select("tr.modelsummary-only-a")) == 1
    assert len(second.select("tbody tr")) == 40  # only the differences: five more copies
    assert len(second.select("thead th")) == 6  # mark, A layer/params, B layer/params, diff


@pytest.mark.sphinx("html", testroot="compare-engine", freshenv=True)
def test_compare_honours_its_timeout_and_a_fixed_model_rechecks_the_page(app, make_app):
    app.build()
    warnings = warnings_of(app)
    assert re.search(
        r"hang\.rst:4: ERROR: model-compare compared_models:small vs compared_models:hangs: "
        r".*did not finish within 3 s",
        warnings,
    ), warnings  # :timeout: 3, not modelsummary_timeout = 120
    assert re.search(r"broken\.rst:4: ERROR: .*'broken_model:build' raised an error", warnings)
    assert "ValueError: not written yet" in warnings

    model = app.srcdir / "broken_model.py"
    fixed = "    x = keras.Input((4,))\n    return keras.Model(x, keras.layers.Dense(5)(x))"
    model.write_text(model.read_text().replace('    raise ValueError("not written yet")', fixed))
    again = make_app("html", srcdir=app.srcdir)
    again.build()
    status = re.sub(r"\x1b\[[0-9;]*m", "", again._status.getvalue())
    assert re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", status) == ["broken"]
    # 15 against 25 parameters: the page's +5 is now wrong, and says so
    assert re.search(
        r"broken\.rst:4: ERROR: .*difference: the page promises \+5, the code gives \+10",
        warnings_of(again),
    ), warnings_of(again)
