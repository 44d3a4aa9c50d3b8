"""The version, in a module of its own: the cache key reads it without importing the package's
Sphinx entry point."""

__version__ = "0.1.0"
