"""Sphinx configuration of sphinx-modelsummary's own documentation."""

import os
import sys

# example_project's sources are found (not imported) from here when the docs
# build from the snapshot without it being installed, as on Read the Docs.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "example_project"))

project = "sphinx-modelsummary"
author = "the sphinx-modelsummary developers"
copyright = "2026, the sphinx-modelsummary developers"

extensions = ["sphinx_modelsummary"]

html_theme = "furo"
html_title = "sphinx-modelsummary"
exclude_patterns = ["_build", "_models"]

# The pages promise counts with :expect-params:; a drift fails the docs build.
modelsummary_on_drift = "error"

# Every model's report, committed; refresh with `python -m sphinx_modelsummary snapshot docs`.
modelsummary_snapshot_dir = "_models"
# Read the Docs installs no framework: the pages render from the snapshot.
if os.environ.get("READTHEDOCS"):
    modelsummary_execution_mode = "off"

# pdflatex typesets only the Unicode it was told about: the Greek letters and
# signs of the formula pages, as math (xelatex and lualatex need nothing).
latex_elements = {
    "preamble": r"""
\ifdefined\sphinxDUC
  \sphinxDUC{03B2}{\ensuremath{\beta}}
  \sphinxDUC{03B3}{\ensuremath{\gamma}}
  \sphinxDUC{2260}{\ensuremath{\neq}}
  \sphinxDUC{2212}{\ensuremath{-}}
  \sphinxDUC{00B7}{\ensuremath{\cdot}}
  \sphinxDUC{00D7}{\ensuremath{\times}}
\fi
""",
}
