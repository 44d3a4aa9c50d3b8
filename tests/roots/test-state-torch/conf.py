import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extensions = ["sphinx_modelsummary"]
root_doc = "index"
# ``-t alone`` builds the probes without the builders that leave state behind.
exclude_patterns = ["leaks.rst"] if tags.has("alone") else []  # noqa: F821 - Sphinx's tags
