import os
import sys

# the models of tests/flax_builders.py, which the adapter tests build too
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
extensions = ["sphinx_modelsummary"]
