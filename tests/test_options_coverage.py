"""Every documented option, configuration value, CLI flag and role form is used by some test.

The reference pages are read as they are (every ``list-table`` entry in docs/, every
``modelsummary_*`` value and every ``--flag`` the pages name), so an entry documented later by
anyone is caught too. "Used" means written where it takes effect: a directive option at the start
of an option line (in a test root or in reST that a test writes), a config value in ``conf.py``,
``confoverrides`` or ``-D``, a flag as a command-line argument, a role form inside the role.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
DOCS = TESTS.parent / "docs"
#: Tests that only read the docs: naming an entry there exercises nothing.
NOT_EXERCISING = {"test_options_coverage.py", "test_docs_reference.py"}

_TABLE_ENTRY = re.compile(r"^\s*\* - (.+)$", re.MULTILINE)
_LITERAL = re.compile(r"``([^`]+)``")


def _documented() -> dict[str, set]:
    """Entries by kind: {"option": {":timeout:", ...}, "flag": {("-j", "--jobs"), ...}, ...}."""
    found: dict[str, set] = {"option": set(), "config": set(), "flag": set(), "role": set()}
    for page in sorted(DOCS.rglob("*.rst")) + sorted(DOCS.rglob("*.md")):
        if "_build" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        for entry in _TABLE_ENTRY.findall(text):  # the first cell of each list-table row
            literals = _LITERAL.findall(entry)
            for literal in literals:
                if re.fullmatch(r":[a-z][a-z0-9-]*:", literal):
                    found["option"].add(literal)
                elif re.fullmatch(r"NAME [a-z-]+", literal):
                    found["role"].add(literal.split()[1])
            # one cell may name a flag's spellings (``-j N``, ``--jobs N``): either will do
            spellings = tuple(
                sorted(flag.split()[0] for flag in literals if re.match(r"-{1,2}[a-z]", flag))
            )
            if spellings:
                found["flag"].add(spellings)
        found["config"].update(re.findall(r"``(modelsummary_[a-z_]+)``", text))
        named = {spelling for group in found["flag"] for spelling in group}
        for flag in re.findall(r"``(--[a-z][a-z0-9-]*)\b", text):
            if flag not in named:
                found["flag"].add((flag,))
    return found


def _test_sources() -> str:
    """Every test file and test root (Python, reST, Markdown), as one text."""
    texts = []
    for path in sorted(TESTS.rglob("*")):
        if path.suffix in (".py", ".rst", ".md", ".txt") and path.name not in NOT_EXERCISING:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def _exercised(kind: str, entry, sources: str) -> bool:
    if isinstance(entry, tuple):  # several spellings of one flag
        return any(_exercised(kind, spelling, sources) for spelling in entry)
    name = re.escape(entry)
    patterns = {
        # at the start of a line, in a file or in a Python string ("\n   :full-build:\n")
        "option": rf"(?:^|\\n)[ \t]*{name}(?:[ \t]|\\n|$|[\"'])",
        # conf.py (or a line a test writes into one), a confoverrides dict, or -D NAME=VALUE
        "config": rf"(?:(?:^|[\"'])[ \t]*{name}[ \t]*=|[\"']{name}[\"'][ \t]*:|{name}=)",
        # an argument in a list or a command string
        "flag": rf"(?:[\"']{name}[\"'=]|[\"' ]{name}[ =])",
        "role": rf":model-params:`[^`\s]+ {name}`",
    }
    return re.search(patterns[kind], sources, re.MULTILINE) is not None


DOCUMENTED = _documented()


def test_the_reference_pages_are_read():
    """The scan finds what the pages are known to document, so it cannot pass on nothing."""
    assert {":input-shape:", ":full-build:", ":max-depth:", ":expect-difference:"} <= (
        DOCUMENTED["option"]
    )
    assert {"modelsummary_timeout", "modelsummary_shape_only"} <= DOCUMENTED["config"]
    assert {("--expand-nested",), ("--batch-size",), ("--input-shape-a",)} <= DOCUMENTED["flag"]
    assert {"trainable", "size"} <= DOCUMENTED["role"]


@pytest.mark.parametrize("kind", sorted(DOCUMENTED))
def test_every_documented_entry_is_exercised_by_a_test(kind):
    sources = _test_sources()
    missing = sorted(str(e) for e in DOCUMENTED[kind] if not _exercised(kind, e, sources))
    assert missing == [], f"documented but used by no test: {missing}"
