"""Fault matrix for ``model-compare``: what a careless or hostile user writes, and what the page
and the build then say. One real ``sphinx-build`` builds a page per case; each case asserts the
exact errors at its directive's line, or the exact rows, which add up to the stated difference.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).parent / "roots" / "test-compare-faults"
#: The directive is on this line of every case's page.
LINE = 4


@dataclass(frozen=True)
class Case:
    name: str
    #: The directive's argument and option lines, as a user writes them.
    directive: str
    #: Every error the build reports at the directive's line, each as written after "ERROR: ".
    errors: tuple[str, ...] = ()
    #: The table's rows: mark, A layer, A params, B layer, B params, difference.
    rows: tuple[tuple[str, ...], ...] = ()
    #: The totals line under the table.
    total: str = ""
    #: Lines the formulas under the table must contain.
    formulas: tuple[str, ...] = ()


FC = ("", "fc (Linear)", "36", "fc (Linear)", "36", "")
SPARE = ("B only", "", "", "spare (Linear), not called", "27", "+27")
SCALES = ("B only", "", "", "scales (ParameterList), not called", "7", "+7")
#: The two layers of 8 → 8 units that two and three of them have in common.
TWO_SAME = tuple(("", f"{i} (Linear)", "72", f"{i} (Linear)", "72", "") for i in (0, 1))
SIZED = "faulty_models:sized(units=8, depth=2) faulty_models:sized(units=8, depth=3)"
TARGETS = "faulty_models:plain faulty_models:with_both"
BOTH = ":input-shape: (1, 8)\n   :columns: layer, params"
PAIR = TARGETS.replace(" ", " vs ")
DRIFT = f"{PAIR}: difference: the page promises"
OPTION = f"model-compare {PAIR}: :expect-difference:"
BAD_COUNT = "is not a signed count; write the difference B − A as +96,000, -1,680 or 0"
SPLIT = "model-compare {0}: the targets {0!r} cannot be split: {1}"
HOW_MANY = (
    "model-compare {0}: two targets are needed, A and B, separated by a space (spaces inside "
    "a call's brackets or quotes are part of it); found {1} in {0!r}"
)


def promising(name: str, promise: str, *errors: str, table: bool = True) -> Case:
    """The plain model against the one with a spare layer and a parameter list (+34),
    the page promising ``promise``; a table unless the promise cannot be read."""
    return Case(
        name,
        f"{TARGETS}\n   {BOTH}\n   :expect-difference: {promise}",
        errors=errors,
        rows=(FC, SPARE, SCALES) if table else (),
        total="Total params: A 36, B 70, difference +34" if table else "",
    )


CASES = [
    # Modules that never ran still hold parameters: every one is a row, marked, and counted.
    Case(
        "unused_linear",
        f"faulty_models:plain faulty_models:with_spare\n   {BOTH}\n   :expect-difference: +27",
        rows=(FC, SPARE),
        total="Total params: A 36, B 63, difference +27",
    ),
    Case(
        "parameter_list",
        f"faulty_models:plain faulty_models:with_scales\n   {BOTH}\n   :expect-difference: +7",
        rows=(FC, SCALES),
        total="Total params: A 36, B 43, difference +7",
    ),
    Case(
        "unused_block",
        f"faulty_models:plain faulty_models:with_block\n   {BOTH}\n   :expect-difference: +72",
        rows=(FC, ("B only", "", "", "spare_block (Sequential), not called", "72", "+72")),
        total="Total params: A 36, B 108, difference +72",
    ),
    promising("both_unused", "+34"),
    Case(
        "unused_on_both_sides",
        f"faulty_models:with_spare faulty_models:with_spare\n   {BOTH}\n   :expect-difference: 0",
        rows=(FC, ("", *SPARE[3:5], *SPARE[3:5], "")),
        total="Total params: A 63, B 63, difference +0",
    ),
    Case(
        "unused_removed",
        f"faulty_models:with_both faulty_models:plain\n   {BOTH}\n   :expect-difference: -34",
        rows=(
            FC,
            ("A only", "spare (Linear), not called", "27", "", "", "-27"),
            ("A only", "scales (ParameterList), not called", "7", "", "", "-7"),
        ),
        total="Total params: A 70, B 36, difference -34",
    ),
    # A tied head counts only its bias: its row says so, as model-formulas does.
    Case(
        "tied_head",
        "faulty_models:untied faulty_models:tied\n   :input-shape: (1, 4)\n"
        "   :input-dtype: int64\n   :columns: layer, params\n   :expect-difference: -800",
        rows=(
            ("", "emb (Embedding)", "800", "emb (Embedding)", "800", ""),
            ("≠", "head (Linear)", "850", "head (Linear), shared with emb, counted there", "50")
            + ("-800",),
        ),
        total="Total params: A 1,650, B 850, difference -800",
        formulas=(
            "A head: (16 + 1)·50 = 850",
            "B head: (16 + 1)·50 = 850 (shared with emb, counted there; this row: 50)",
        ),
    ),
    # A promised difference is a signed exact count: anything else is an error at the line.
    promising("sign_twice", "+-34", f"{OPTION} '+-34' {BAD_COUNT}", table=False),
    promising("minus_twice", "--34", f"{OPTION} '--34' {BAD_COUNT}", table=False),
    promising("sign_apart", "+ 34", f"{OPTION} '+ 34' {BAD_COUNT}", table=False),
    promising("promised_zero", "0", f"{DRIFT} +0, the code gives +34"),
    promising("wrong_sign", "-34", f"{DRIFT} -34, the code gives +34"),
    promising("no_sign_is_plus", "34"),
    # Targets whose calls hold spaces are split at the space between them, not inside a call.
    Case(
        "spaces_in_calls",
        f"{SIZED}\n   :input-shape: (1, 8)\n   :columns: layer, params\n   :expect-difference: +72",
        rows=(*TWO_SAME, ("B only", "", "", "2 (Linear)", "72", "+72")),
        total="Total params: A 144, B 216, difference +72",
    ),
    Case(
        "quoted_space_and_bracket",
        "faulty_models:labelled(\"a b )\") faulty_models:labelled('c')\n"
        "   :input-shape: (1, 4)\n   :columns: layer, params\n   :expect-difference: -20",
        rows=(("≠", "0 (Linear)", "25", "0 (Linear)", "5", "-20"),),
        total="Total params: A 25, B 5, difference -20",
    ),
    Case(
        "targets_on_two_lines",
        "faulty_models:sized(units=8,\n   depth=3)\n   faulty_models:sized(units=8, depth=2)\n"
        "   :input-shape: (1, 8)\n   :columns: layer, params\n   :expect-difference: -72",
        rows=(*TWO_SAME, ("A only", "2 (Linear)", "72", "", "", "-72")),
        total="Total params: A 216, B 144, difference -72",
    ),
    Case(
        "unclosed_call",
        "faulty_models:sized(units=8, depth=2 faulty_models:plain",
        errors=(
            SPLIT.format(
                "faulty_models:sized(units=8, depth=2 faulty_models:plain", "a '(' is never closed"
            ),
        ),
    ),
    Case(
        "stray_bracket",
        "faulty_models:plain) faulty_models:plain",
        errors=(
            SPLIT.format(
                "faulty_models:plain) faulty_models:plain",
                "')' at character 20 closes no bracket",
            ),
        ),
    ),
    Case(
        "unclosed_quote",
        "faulty_models:labelled('a b) faulty_models:plain",
        errors=(
            SPLIT.format(
                "faulty_models:labelled('a b) faulty_models:plain", """a "'" is never closed"""
            ),
        ),
    ),
    Case(
        "one_target",
        "faulty_models:sized(units=8, depth=2)",
        errors=(HOW_MANY.format("faulty_models:sized(units=8, depth=2)", 1),),
    ),
    Case(
        "three_targets",
        "faulty_models:plain faulty_models:plain faulty_models:plain",
        errors=(HOW_MANY.format("faulty_models:plain faulty_models:plain faulty_models:plain", 3),),
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """One real sphinx-build of a page per case; its HTML folder and its warnings."""
    source = tmp_path_factory.mktemp("compare-faults") / "src"
    shutil.copytree(ROOT, source)
    for case in CASES:
        title = f"Case {case.name}"
        page = f"{title}\n{'=' * len(title)}\n\n.. model-compare:: {case.directive}\n"
        (source / f"case_{case.name}.rst").write_text(page, encoding="utf-8")
    out = source.parent / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(source), str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=900,
    )
    assert done.returncode in (0, 1), done.stderr
    return out, done.stderr


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_compare_fault(built, case: Case) -> None:
    out, warnings = built
    errors = re.findall(
        rf"case_{case.name}\.rst:(\d+): ERROR: (.*?)(?: \[modelsummary\.\w+\])?$", warnings, re.M
    )
    assert errors == [(str(LINE), error) for error in case.errors], warnings
    page = BeautifulSoup((out / f"case_{case.name}.html").read_text("utf-8"), "html.parser")
    tables = page.select("table.modelsummary-compare")
    assert len(page.select(".modelsummary-problem")) == (1 if case.errors else 0)
    assert len(tables) == (1 if case.rows else 0)
    if not case.rows:
        return
    rows = [
        tuple(cell.get_text(" ", strip=True) for cell in row.select("td"))
        for row in tables[0].select("tbody tr")
    ]
    assert rows == list(case.rows)
    text = " ".join(page.get_text(" ").split())
    assert case.total in text
    stated = int(case.total.rpartition(" ")[2].replace(",", ""))
    assert sum(int(row[5].replace(",", "") or 0) for row in rows) == stated
    for line in case.formulas:
        assert line in text
