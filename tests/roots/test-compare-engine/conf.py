import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extensions = ["sphinx_modelsummary"]
modelsummary_timeout = 120  # far above the page's :timeout: 3
