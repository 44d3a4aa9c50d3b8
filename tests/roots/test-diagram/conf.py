extensions = ["sphinx_modelsummary"]
