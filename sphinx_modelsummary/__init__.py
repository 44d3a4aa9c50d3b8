"""sphinx-modelsummary: document neural-network models from the code that builds them.

Add ``"sphinx_modelsummary"`` to ``extensions`` in ``conf.py``.
"""

from __future__ import annotations

from typing import Any

from .version import __version__


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point: register directives, role, builder, config values and events."""
    from .sphinx import (
        builder,
        compare,
        config,
        diagram,
        directives,
        domain,
        events,
        links,
        lockfile,
        nodes,
        prefetch,
        role,
        snapshot,
        state,
    )

    config.register(app)
    state.setup(app)
    app.add_domain(domain.ModelSummaryDomain)
    app.add_directive("model-summary", directives.ModelSummaryDirective)
    app.add_directive("model-formulas", directives.ModelFormulasDirective)
    app.add_directive("model-diagram", diagram.ModelDiagramDirective)
    app.add_directive("model-compare", compare.ModelCompareDirective)
    app.add_role("model-params", role.ModelParamsRole())
    app.add_node(role.model_params)
    nodes.setup(app)
    links.setup(app)
    app.add_builder(builder.ModelCheckBuilder)
    for event, handler in (
        ("builder-inited", events.builder_inited),
        ("doctree-resolved", role.fill_figures),
        ("env-get-outdated", lockfile.pages_to_reread),
        ("env-get-outdated", events.pages_to_retry),
        ("env-before-read-docs", events.pages_to_read),
        ("build-finished", lockfile.update_lockfile),
        ("build-finished", events.build_finished),
    ):
        app.connect(event, handler)
    snapshot.setup(app)
    prefetch.setup(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
