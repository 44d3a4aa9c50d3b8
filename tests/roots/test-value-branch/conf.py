import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extensions = ["sphinx_modelsummary"]
# ``BRANCH_CASE``: a Keras 3 backend (its page keras.rst), ``tf_keras`` (tf_keras.rst) or
# ``pytorch`` (torch.rst).
_case = os.environ["BRANCH_CASE"]
_page = {"tf_keras": "tf_keras", "pytorch": "torch"}.get(_case, "keras")
if _page == "keras":
    modelsummary_keras_backend = _case
exclude_patterns = [f"{page}.rst" for page in ("keras", "tf_keras", "torch") if page != _page]
