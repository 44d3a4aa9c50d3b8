import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extensions = ["sphinx_modelsummary"]
exclude_patterns = ["_build"]
modelsummary_snapshot_dir = "_models"
modelsummary_lockfile = "models.lock.json"
