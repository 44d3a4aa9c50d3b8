"""``python -m sphinx_modelsummary``: see :mod:`sphinx_modelsummary.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
