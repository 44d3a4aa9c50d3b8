"""model-compare through a real Sphinx build."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup


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
