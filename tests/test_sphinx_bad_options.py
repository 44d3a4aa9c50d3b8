"""Options through a real Sphinx build: an unknown or malformed one is an error that fails it."""

from __future__ import annotations

import re

import pytest
from sphinx_helpers import warnings_of


@pytest.mark.sphinx("html", testroot="badoptions", freshenv=True)
def test_unknown_and_malformed_options_fail_the_build_at_their_line(app):
    app.build()
    warnings = warnings_of(app)
    expected = {
        4: ":expect-param: is not an option of model-summary; did you mean :expect-params:?",
        7: ":max-depth: '²' must be a whole number, 0 or more",
        10: ":input-dtype: 'int65' is not one of bfloat16, bool, float16, float32",
        13: ":batch-size: '²' must be a whole number, 1 or more",
        16: ":expect-diference: is not an option of model-compare; did you mean "
        ":expect-difference:?",
        22: ":expect-params: '1.2345K' has more decimals than K has digits",
    }
    for line, message in expected.items():
        assert re.search(rf"index\.rst:{line}: ERROR: .*{re.escape(message)}", warnings), (
            line,
            warnings,
        )
    assert warnings.count("ERROR") == len(expected), warnings
    assert "Traceback" not in warnings
    assert app.statuscode == 1


@pytest.mark.sphinx("html", testroot="badlock", freshenv=True)
def test_a_lockfile_value_that_is_not_a_count_is_an_error_at_the_directive(app):
    app.build()
    warnings = warnings_of(app)
    assert re.search(
        r"index\.rst:4: ERROR: the lockfile .*models\.lock\.json cannot be read: "
        r"'option_models:small' has params '15', not a count",
        warnings,
    ), warnings
    assert "Traceback" not in warnings and "TypeError" not in warnings
    assert app.statuscode == 1
