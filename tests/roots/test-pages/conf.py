extensions = ["sphinx_modelsummary"]
project = "pages"
latex_documents = [("index", "pages.tex", "Pages", "tests", "howto")]
