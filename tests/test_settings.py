"""Settings are read and checked once (#25): one table makes the checks and the typed settings,
the Sphinx glue reads the settings and never ``config.modelsummary_*``, one function assembles a
build request, and state lives in the domain or the build's state, never on ``env``."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from sphinx_modelsummary.sphinx.config import CONFIG_VALUES, Settings
from sphinx_modelsummary.sphinx.state import settings_of

PACKAGE = Path(__file__).parent.parent / "sphinx_modelsummary"
CONFIG_MODULE = PACKAGE / "sphinx" / "config.py"


def _sources(folder: Path) -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py"))}


def test_settings_have_one_field_per_config_value_in_the_tables_order():
    assert [field.name for field in fields(Settings)] == [value.field for value in CONFIG_VALUES]


def test_only_the_config_module_reads_raw_config_values():
    reads = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path, text in _sources(PACKAGE).items()
        if path != CONFIG_MODULE
        for number, line in enumerate(text.splitlines(), start=1)
        if re.search(r"config\.modelsummary_\w", line)
    ]
    assert reads == []


def test_one_function_assembles_a_build_request_in_the_sphinx_glue():
    made = [
        str(path.relative_to(PACKAGE))
        for path, text in _sources(PACKAGE / "sphinx").items()
        for _ in re.finditer(r"\bBuildRequest\(", text)
    ]
    assert made == ["sphinx/options.py"]


def test_no_state_is_set_on_the_environment():
    assignments = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path, text in _sources(PACKAGE / "sphinx").items()
        for number, line in enumerate(text.splitlines(), start=1)
        if re.search(r"\benv\.\w+ = |setattr\(env\b", line)
    ]
    assert assignments == []


def test_settings_hold_values_as_d_gives_them_converted(make_app, tmp_path):
    """``-D`` gives text: yes/no as "0"/"1", an empty path as ""; settings hold what it means."""
    (tmp_path / "conf.py").write_text(
        'extensions = ["sphinx_modelsummary"]\nmodelsummary_allowed_modules = ["rp"]\n',
        encoding="utf-8",
    )
    (tmp_path / "index.rst").write_text("Empty\n=====\n", encoding="utf-8")
    overrides = {
        "modelsummary_update_lockfile": "1",
        "modelsummary_update_snapshot": "0",
        "modelsummary_cache_dir": "",
        "modelsummary_timeout": "60",
    }
    app = make_app("html", srcdir=tmp_path, freshenv=True, confoverrides=overrides)
    settings = settings_of(app.config)
    assert settings.update_lockfile is True
    assert settings.update_snapshot is False
    assert settings.cache_dir is None
    assert settings.timeout == 60.0 and isinstance(settings.timeout, float)
    assert settings.allowed_modules == ("rp",)
    assert settings.lockfile_path(str(tmp_path)) is None
