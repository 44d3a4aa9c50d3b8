"""Sphinx configuration of sphinx-modelsummary's own documentation."""

project = "sphinx-modelsummary"
author = "the sphinx-modelsummary developers"
copyright = "2026, the sphinx-modelsummary developers"

extensions = ["sphinx_modelsummary"]

html_theme = "furo"
html_title = "sphinx-modelsummary"
exclude_patterns = ["_build"]

# The pages promise counts with :expect-params:; a drift fails the docs build.
modelsummary_on_drift = "error"
