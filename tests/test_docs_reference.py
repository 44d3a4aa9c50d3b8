"""The reference pages cannot fall behind the code: every option and config value is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sphinx_modelsummary.sphinx.compare import ModelCompareDirective
from sphinx_modelsummary.sphinx.config import CONFIG_VALUES
from sphinx_modelsummary.sphinx.diagram import ModelDiagramDirective
from sphinx_modelsummary.sphinx.directives import ModelFormulasDirective, ModelSummaryDirective

DOCS = Path(__file__).parent.parent / "docs"


def test_every_config_value_is_in_the_configuration_reference_with_its_default():
    page = (DOCS / "configuration.rst").read_text(encoding="utf-8")
    for value in CONFIG_VALUES:
        assert f"``{value.name}``" in page, value.name
        default = f'"{value.default}"' if isinstance(value.default, str) else value.default
        section = page.split(f"``{value.name}``", 1)[1].split("* - ``modelsummary_", 1)[0]
        assert (
            f"``{default:g}``" in section
            if isinstance(default, float)
            else (f"``{default}``" in section)
        ), value.name


@pytest.mark.parametrize(
    ("directive", "pages"),
    [
        (ModelSummaryDirective, ["directives.rst"]),
        (ModelFormulasDirective, ["directives.rst"]),
        (ModelDiagramDirective, ["diagram.rst", "directives.rst"]),
        (ModelCompareDirective, ["compare.rst"]),
    ],
)
def test_every_option_is_documented(directive, pages):
    text = "".join((DOCS / page).read_text(encoding="utf-8") for page in pages)
    for option in directive.option_spec:
        assert f"``:{option}:``" in text, option


def test_every_test_the_reliability_page_names_exists():
    """A guarantee names the test that shows it; a renamed or removed test must not leave the
    page pointing at nothing (the interrupt guarantee once named a test that was replaced)."""
    page = (DOCS / "reliability.rst").read_text(encoding="utf-8")
    named = set(re.findall(r"``(test_\w+)``", page))
    assert len(named) >= 10
    defined = {
        name
        for path in Path(__file__).parent.glob("test_*.py")
        for name in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    assert named - defined == set()
