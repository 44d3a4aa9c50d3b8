"""sphinx-modelsummary: document neural-network models from the code that builds them."""

from __future__ import annotations

__version__ = "0.1.0"
