"""Sphinx glue: thin directives, a role, a builder and events around the core steps."""
