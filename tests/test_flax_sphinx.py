"""Flax models through a real Sphinx build: counts, the role, formulas and a diagram."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import warnings_of

pytestmark = pytest.mark.flax


@pytest.mark.sphinx("html", testroot="flax", freshenv=True)
def test_nnx_and_linen_pages_build_with_exact_counts(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    html = Path(app.outdir / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", BeautifulSoup(html, "html.parser").get_text(" "))
    assert "The NNX CNN has 1,466 parameters." in text
    assert "norm2 (BatchNorm)" in text and "Buffers" in text and "48" in text
    assert "(3·3·1 + 1)·8" in text  # the linen convolution's formula, c_in from its call
    assert "buffers, not parameters mean 8 + var 8 = 16" in text
    assert "Dense_0 (Dense)" in text
    (figure,) = BeautifulSoup(html, "html.parser").select("img.modelsummary-diagram")
    assert figure["alt"].endswith("54 parameters, again shared by 2 calls.")
