import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extensions = ["sphinx_modelsummary"]
modelsummary_keras_backend = os.environ["STATE_KERAS_BACKEND"]
# Each backend has its page; ``-t alone`` builds the probes without the leaking builders.
exclude_patterns = [
    f"*_{backend}.rst" for backend in ("jax", "torch") if backend != modelsummary_keras_backend
]
if tags.has("alone"):  # noqa: F821 - Sphinx's tags
    exclude_patterns.append("leaks_*")
