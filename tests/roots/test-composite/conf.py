import os
import sys

# composite_models.py lives in tests/, two levels up
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
extensions = ["sphinx_modelsummary"]
