import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
extensions = ["sphinx_modelsummary"]
# ``BRANCH_CASE``: a Keras 3 backend (its page keras.rst), or ``tf_keras`` (tf_keras.rst).
_case = os.environ["BRANCH_CASE"]
if _case != "tf_keras":
    modelsummary_keras_backend = _case
exclude_patterns = ["keras.rst" if _case == "tf_keras" else "tf_keras.rst"]
