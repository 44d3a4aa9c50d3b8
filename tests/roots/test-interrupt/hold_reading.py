"""A Sphinx extension that holds the build before it reads any page (no worker yet)."""

from hold import hold


def setup(app):
    # before sphinx-modelsummary's own handler (priority 500), which may start workers
    app.connect("env-before-read-docs", lambda app, env, docnames: hold("reading"), priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
