"""Runs of identical blocks fold into one ``×N`` row: far fewer rows, the same totals, the
first block's layers standing for each; blocks that differ in anything stay apart.

torch is imported only in the builders' worker processes, so the Keras and the PyTorch tests
share this module (the PyTorch ones are marked and run with ``-m torch``).
"""

from __future__ import annotations

from importlib.util import find_spec

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import latex_tables, totals_of, warnings_of

from sphinx_modelsummary.execute import build_report
from sphinx_modelsummary.render.rows import formula_rows, summary_rows
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target

SIX = "fold_keras:block_stack([32, 32, 32, 32, 32, 32])"
UNEVEN = "fold_keras:block_stack([32, 32, 32, 64, 32, 32])"


def built_tables(app) -> tuple[dict[str, list[list[str]]], list[dict[str, str]]]:
    """Build the page without a problem; its tables by caption (rows of cell texts) and its
    totals blocks."""
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    tables = {
        table.select_one(".caption-text").get_text(strip=True): [
            [cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in table.select("tbody tr")
        ]
        for table in BeautifulSoup(html, "html.parser").select("table")
    }
    return tables, totals_of(html)


def _names(rows: list[list[str]]) -> list[str]:
    """The first column: layer (type), or the formula table's layer."""
    return [row[0] for row in rows]


def _block_rows(block: str, count: int, layers: list[str]) -> list[str]:
    """A folded block's row and its first block's rows, each labelled as standing for all."""
    return [f"{block} ×{count}", *(f"{layer}, in each of {count}" for layer in layers)]


KERAS_BLOCK = ["up (Dense)", "down (Dense)", "norm (LayerNormalization)"]
TORCH_BLOCK = ["self_attn (MultiheadAttention)", "linear1 (Linear)", "dropout (Dropout)"]
TORCH_BLOCK += ["linear2 (Linear)", "norm1 (LayerNorm)", "norm2 (LayerNorm)"]
TORCH_BLOCK += ["dropout1 (Dropout)", "dropout2 (Dropout)"]


@pytest.mark.sphinx("html", testroot="fold", freshenv=True)
def test_keras_blocks_fold_into_one_row_and_keep_the_totals(app):
    tables, totals = built_tables(app)
    folded = tables["Six blocks folded"]
    assert _names(folded) == [
        "features (InputLayer)",
        *_block_rows("block_0-5 (MlpBlock)", 6, KERAS_BLOCK),
        "head (Dense)",
    ]
    assert folded[1][2] == "6 × 1,104 = 6,624"  # per block and in all
    assert [row[2] for row in folded[2:5]] == ["544", "528", "32"]  # one block's layers
    unfolded = tables["Six blocks unfolded"]
    assert len(unfolded) == 2 + 6 * 4
    assert [row[2] for row in unfolded if "(MlpBlock)" in row[0]] == ["1,104"] * 6
    assert totals[0] == totals[1]
    assert totals[0]["Total params"].startswith("6,675 ")

    formulas = {row[0]: row for row in tables["Formulas folded"]}
    assert list(formulas) == [
        "block_0-5/up (Dense) ×6",
        "block_0-5/down (Dense) ×6",
        "block_0-5/norm (LayerNormalization) ×6",
        "head (Dense)",
        "Total",
    ]
    up = formulas["block_0-5/up (Dense) ×6"]  # the count next to the name, then its formula
    assert (up[1], up[3]) == ("6 × 544 = 3,264", "(16 + 1)·32")
    unfolded_formulas = tables["Formulas unfolded"]
    assert len(unfolded_formulas) == 6 * 3 + 2
    assert formulas["Total"] == unfolded_formulas[-1] == ["Total", "6,675", "", ""]


@pytest.mark.sphinx("html", testroot="fold", freshenv=True)
def test_a_wider_block_breaks_the_run(app):
    tables, _ = built_tables(app)
    assert _names(tables["Fourth block wider"]) == [
        "features (InputLayer)",
        *_block_rows("block_0-2 (MlpBlock)", 3, KERAS_BLOCK),
        "block_3 (MlpBlock)",
        *KERAS_BLOCK,
        *_block_rows("block_4-5 (MlpBlock)", 2, KERAS_BLOCK),
        "head (Dense)",
    ]


@pytest.mark.sphinx("text", testroot="fold", freshenv=True)
def test_text_shows_the_multiplicity(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    text = (app.outdir / "index.txt").read_text(encoding="utf-8")
    assert "block_0-5 (MlpBlock) ×6" in text and "6 × 1,104 = 6,624" in text
    assert "block_0-5/up (Dense) ×6" in text and "up (Dense), in each of 6" in text


@pytest.mark.sphinx("latex", testroot="fold", freshenv=True)
def test_latex_shows_the_multiplicity(app):
    app.build()
    assert app.statuscode == 0, warnings_of(app)
    (tex,) = app.outdir.glob("*.tex")
    rows = [row for table in latex_tables(tex.read_text(encoding="utf-8")) for row in table]
    cells = {cell for row in rows for cell in row}
    times = r"\ensuremath{\times}"  # how every LaTeX engine sets ×
    assert f"block_0-5 (MlpBlock) {times}6" in cells and f"6 {times} 1,104 = 6,624" in cells
    assert f"block_0-5/up (Dense) {times}6" in cells
    assert "pdflatex cannot set" not in warnings_of(app)


def _report(target: str, shape: tuple[int, ...], dtype: str | None = None):
    return build_report(BuildRequest(parse_target(target), (shape,), dtype))


@pytest.mark.parametrize(
    ("target", "shape"),
    [
        (SIX, (None, 16)),
        (UNEVEN, (None, 16)),
        (UNEVEN.replace("fold_keras", "fold_tf_keras"), (None, 16)),
        pytest.param("fold_torch:encoder", (1, 10, 32), marks=pytest.mark.torch),
        pytest.param("fold_torch:uneven_stack", (1, 16), marks=pytest.mark.torch),
    ],
)
def test_folded_counts_times_their_multiplicity_add_up_to_the_total(target, shape):
    """Folding never changes a total: each formula row's count × its multiplicity sums to it."""
    report = _report(target, shape)
    folded = formula_rows(report)
    unfolded = formula_rows(report, fold_repeats=False)
    assert len(folded) < len(unfolded)
    assert {row.repeats for row in unfolded} == {1}
    for rows in (folded, unfolded):
        assert sum(row.count * row.repeats for row in rows) == report.totals.params


def test_tf_keras_blocks_fold_as_keras3_blocks_do():
    """tf_keras opens a layer of its own as Keras 3 does, so its blocks fold alike."""
    legacy = _report(UNEVEN.replace("fold_keras", "fold_tf_keras"), (None, 16))
    modern = _report(UNEVEN, (None, 16))
    assert [row.layer for row in summary_rows(legacy)] == [
        "features (InputLayer)",
        "block_0-2 (MlpBlock) ×3",
        "block_3 (MlpBlock)",
        "block_4-5 (MlpBlock) ×2",
        "head (Dense)",
    ]
    assert [row.layer for row in summary_rows(legacy)] == [
        row.layer for row in summary_rows(modern)
    ]
    assert [(row.layer, row.value) for row in formula_rows(legacy)] == [
        (row.layer, row.value) for row in formula_rows(modern)
    ]


@pytest.mark.torch
@pytest.mark.sphinx("html", testroot="fold-torch", freshenv=True)
def test_torch_encoder_of_six_layers_folds(app):
    tables, totals = built_tables(app)
    assert totals[0] == totals[1] and totals[0]["Total params"].startswith("51,264 ")
    assert len(tables["Encoder unfolded"]) == 1 + 6 * 9
    folded = tables["Encoder folded"]
    assert folded[1][2] == "6 × 8,544 = 51,264"
    assert _names(folded) == [
        "layers (ModuleList)",
        *_block_rows("0-5 (TransformerEncoderLayer)", 6, TORCH_BLOCK),
    ]

    formulas = tables["Encoder formulas folded"]
    assert _names(formulas) == [
        "layers/0-5/self_attn (MultiheadAttention) ×6",
        "layers/0-5/linear1 (Linear) ×6",
        "layers/0-5/linear2 (Linear) ×6",
        "layers/0-5/norm1 (LayerNorm) ×6",
        "layers/0-5/norm2 (LayerNorm) ×6",
        "Total",
    ]
    assert formulas[0][1] == "6 × 4,224 = 25,344"  # the count next to the name
    unfolded = tables["Encoder formulas unfolded"]
    assert len(unfolded) == 6 * 5 + 1 and formulas[-1] == unfolded[-1]

    assert _names(tables["Fourth block wider"]) == [
        *_block_rows("0-2 (Sequential)", 3, ["0 (Linear)", "1 (ReLU)", "2 (Linear)"]),
        "3 (Sequential)",
        "0 (Linear)",
        "1 (ReLU)",
        "2 (Linear)",
        *_block_rows("4-5 (Sequential)", 2, ["0 (Linear)", "1 (ReLU)", "2 (Linear)"]),
    ]


@pytest.mark.torch
@pytest.mark.skipif(find_spec("transformers") is None, reason="transformers is not installed")
def test_bert_folds_to_far_fewer_rows():
    """A BERT-base (12 layers) built from its config, without weights."""
    report = _report("fold_torch:bert", (1, 16), "int64")
    folded = summary_rows(report, expand_nested=True)
    unfolded = summary_rows(report, expand_nested=True, fold_repeats=False)
    assert any(row.layer == "0-11 (BertLayer) ×12" for row in folded)
    assert len(folded) * 5 < len(unfolded)
    rows = formula_rows(report)
    assert sum(row.count * row.repeats for row in rows) == report.totals.params
