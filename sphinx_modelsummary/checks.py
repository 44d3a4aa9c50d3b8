"""Checks: compare what a page promises with what the code builds.

``32,624``, ``32624`` and ``32_624`` promise an exact count; ``25.6M``,
``138K`` and ``6.74B`` promise a rounded one and match when the real count
rounds to the same figure. Knows nothing of Sphinx: it returns Findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ModelSummaryError
from .report import ModelReport, format_count

_EXACT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+(_\d+)*$")
_ROUNDED = re.compile(r"^(\d+)(?:\.(\d+))?\s*([KMBT])$", re.IGNORECASE)
_SCALE = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}

#: The counts an ``expect`` option can name, and how to read each from a report.
COUNTS = {
    "params": lambda report: report.totals.params,
    "trainable": lambda report: report.totals.trainable,
    "non-trainable": lambda report: report.totals.non_trainable,
}


class ExpectationError(ModelSummaryError):
    """An expect value that is not a count."""


@dataclass(frozen=True)
class Expectation:
    text: str
    value: int
    #: Decimals of the promised figure and its unit; None for an exact count.
    decimals: int | None = None
    unit: str | None = None

    def matches(self, actual: int) -> bool:
        if self.unit is None:
            return actual == self.value
        step = _SCALE[self.unit] // 10 ** (self.decimals or 0)  # the promise's last digit
        return (actual + step // 2) // step == self.value // step  # round half up


def parse_expectation(text: str) -> Expectation:
    """Read ``32,624`` / ``32624`` / ``32_624`` (exact) or ``25.6M`` / ``138K`` (rounded)."""
    value = text.strip()
    if _EXACT.match(value):
        return Expectation(text=value, value=int(value.replace(",", "").replace("_", "")))
    rounded = _ROUNDED.match(value)
    if rounded:
        whole, fraction, unit = rounded.groups()
        unit = unit.upper()
        decimals = len(fraction or "")
        if 10**decimals > _SCALE[unit]:
            raise ExpectationError(
                f"{text!r} has more decimals than {unit} has digits; write at most "
                f"{len(str(_SCALE[unit])) - 1} after the point, or the exact count"
            )
        number = int(whole) * _SCALE[unit] + (
            int(fraction) * _SCALE[unit] // 10**decimals if fraction else 0
        )
        return Expectation(text=value, value=number, decimals=decimals, unit=unit)
    raise ExpectationError(
        f"{text!r} is not a parameter count; write an exact count such as 32,624, 32624 or "
        "32_624, or a rounded one such as 25.6M, 138K or 6.74B"
    )


@dataclass(frozen=True)
class Finding:
    """One promise checked: what was expected, what the code builds, and whether they agree."""

    count: str
    expected: str
    actual: int
    ok: bool
    source: str = "page"
    #: How to accept the new count when the change is meant (a lockfile is rewritten).
    refresh: str = ""

    @property
    def message(self) -> str:
        verdict = "matches" if self.ok else "does not match"
        return (
            f"{self.count}: the {self.source} promises {self.expected}, the code builds "
            f"{format_count(self.actual)} ({verdict})"
        )


def drift_message(findings: list[Finding]) -> str:
    """Failed promises as one line, each source named once, then how to refresh it.

    ``params: the lockfile x.json promises 432, the code builds 448; trainable:
    promises 432, builds 448; if the new counts are right, rewrite the lockfile with ...``.
    """
    clauses = []
    named: set[str] = set()
    for finding in findings:
        if finding.ok:
            continue
        actual = format_count(finding.actual)
        if finding.source in named:
            clauses.append(f"{finding.count}: promises {finding.expected}, builds {actual}")
        else:
            named.add(finding.source)
            clauses.append(
                f"{finding.count}: the {finding.source} promises {finding.expected}, "
                f"the code builds {actual}"
            )
    refreshes = dict.fromkeys(finding.refresh for finding in findings if not finding.ok)
    return "; ".join([*clauses, *(refresh for refresh in refreshes if refresh)])


def check_expectations(
    report: ModelReport, expectations: dict[str, Expectation], source: str = "page"
) -> list[Finding]:
    """One Finding per expectation, in the order of :data:`COUNTS`."""
    findings = []
    for count, read in COUNTS.items():
        expectation = expectations.get(count)
        if expectation is None:
            continue
        actual = read(report)
        findings.append(
            Finding(
                count=count,
                expected=expectation.text,
                actual=actual,
                ok=expectation.matches(actual),
                source=source,
            )
        )
    return findings
