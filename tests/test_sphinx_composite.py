"""Composite layers in real Sphinx builds: :max-depth: in the summary and formula tables,
calls told apart in "Connected to", graph ops as rows."""

from __future__ import annotations

from importlib.util import find_spec

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import warnings_of

pytestmark = pytest.mark.skipif(find_spec("keras_hub") is None, reason="keras-hub not installed")


def _tables(app) -> dict[str, list[list[str]]]:
    page = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    tables = {}
    for table in page.select("table"):
        caption = table.select_one(".caption-text")
        rows = [
            [cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in table.select("tbody tr")
        ]
        tables[caption.get_text(strip=True) if caption else ""] = rows
    return tables


@pytest.mark.sphinx("html", testroot="composite", freshenv=True)
def test_composite_layers_in_html(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    tables = _tables(app)

    layers = [row[0] for row in tables["ViT one level deep"]]
    assert any(cell.startswith("transformer_block_1-2 (ViTEncoderBlock) ×2") for cell in layers)
    assert any(cell.startswith("patch_embedding (Conv2D)") for cell in layers)
    assert not any(cell.startswith(("ln_1 ", "mha ", "dense_1 ")) for cell in layers)

    folded = {row[0]: row for row in tables["ViT formulas one level deep"]}
    assert "vit_encoder/transformer_block_1-2 (ViTEncoderBlock) ×2" in folded  # two alike
    assert folded["vit_encoder/transformer_block_1-2 (ViTEncoderBlock) ×2"][1] == (
        "2 × 2,224 = 4,448"
    )
    assert not any("/mha" in name for name in folded)
    assert folded["vit_patching_and_embedding (ViTPatchingAndEmbedding)"][1] == "16"
    full = {row[0] for row in tables["ViT formulas all the way down"]}
    assert "vit_encoder/transformer_block_1-2/mha (MultiHeadAttention) ×2" in full

    joined = {row[0]: row for row in tables["One block called twice"]}
    assert joined["join (Concatenate)"][3] == "block#1, block#2"
    assert joined["block (ConvBlock) ×2"][3] == "left, right"

    bert = {row[0]: row for row in tables["BERT"]}
    assert bert["get_item (GetItem)"][1:4] == ["(None, 16)", "0", "transformer_layer_1"]
    assert bert["pooled_dense (Dense)"][3] == "get_item"
