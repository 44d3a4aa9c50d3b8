extensions = ["myst_parser", "sphinx_modelsummary"]
myst_enable_extensions = []
