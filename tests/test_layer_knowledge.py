"""Layer knowledge through real builds: a user's MAC rule and kind reach the page; a class
without a MAC rule is unknown, not 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx_helpers import warnings_of

from sphinx_modelsummary.costs import costs
from sphinx_modelsummary.engine import Engine
from sphinx_modelsummary.formulas import KINDS
from sphinx_modelsummary.render.diagram import KIND_COLOURS
from sphinx_modelsummary.request import BuildRequest
from sphinx_modelsummary.target import parse_target


def _tables(app) -> tuple[list[dict[str, str]], str, BeautifulSoup]:
    """Each table's last column by its first, the page's text, and the page."""
    page = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    tables = []
    for table in page.select("table"):
        rows = [
            [cell.get_text(strip=True) for cell in row.select("td")]
            for row in table.select("tbody tr")
        ]
        tables.append({row[0]: row[-1] for row in rows if row})
    return tables, page.get_text(" ", strip=True), page


@pytest.mark.sphinx("html", testroot="knowledge", freshenv=True)
def test_users_mac_rule_and_kind_reach_the_page_and_a_lambda_is_unknown(app):
    app.build()
    assert "ERROR" not in warnings_of(app), warnings_of(app)
    tables, text, page = _tables(app)
    scaled, with_lambda = tables[0], tables[1]
    assert scaled["scale (Scale)"] == "106"  # the rule registered beside the layer, in the worker
    assert scaled["dense (Dense)"] == "36"
    assert with_lambda["double (Lambda)"] == "n/a"
    assert with_lambda["dense (Dense)"] == "12"
    assert "MACs per sample: n/a (no MAC rule for Lambda)" in text.replace(" : ", ": ")
    # the page summarises the model it draws, so the figure is inline (linked to the rows)
    svg = str(page.select_one("svg.modelsummary-diagram"))
    assert KIND_COLOURS["norm"] in svg  # kind="norm" from register(); by its name it is "other"


def test_a_class_without_a_mac_rule_has_unknown_macs_with_the_reason(monkeypatch):
    # Built in a worker: the module registers a formula, which must not reach this process.
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "roots" / "test-knowledge"))
    engine = Engine()
    try:
        report = engine.report(BuildRequest(parse_target("knowledge_models:with_lambda"))).report
    finally:
        engine.close()
    layer = report.layer("double")
    assert (layer.macs, layer.macs_unknown) == (None, "no MAC rule for Lambda")
    model_costs = costs(report)
    assert model_costs.macs is None and model_costs.macs_reason == "no MAC rule for Lambda"
    assert model_costs.of("dense").macs == 12


def test_every_kind_has_a_colour():
    assert sorted(KIND_COLOURS) == sorted((*KINDS, "model"))
