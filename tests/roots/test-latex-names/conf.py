import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extensions = ["sphinx_modelsummary"]
project = "names"
latex_engine = "pdflatex"
latex_documents = [("index", "names.tex", "Names", "tests", "howto")]
