import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extensions = ["myst_parser", "sphinx_modelsummary"]
