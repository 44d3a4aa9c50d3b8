import os
import sys

# the models live in tests/, two levels up
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
extensions = ["sphinx_modelsummary"]
