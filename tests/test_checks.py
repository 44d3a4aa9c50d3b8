"""Expect values: exact and rounded counts, and clear errors for anything else."""

from __future__ import annotations

import pytest

from sphinx_modelsummary.checks import ExpectationError, parse_expectation


@pytest.mark.parametrize("text", ["32,624", "32624", "32_624", " 32624 "])
def test_exact_spellings_match_only_the_exact_count(text):
    expectation = parse_expectation(text)
    assert expectation.matches(32_624)
    assert not expectation.matches(32_625)
    assert not expectation.matches(32_623)


@pytest.mark.parametrize(
    ("text", "matching", "not_matching"),
    [
        ("25.6M", [25_636_712, 25_550_000, 25_649_999], [25_650_000, 25_549_999]),
        ("138K", [138_357, 137_500], [138_500, 137_499]),
        ("138M", [138_357_544], [139_000_000]),
        ("6.74B", [6_738_415_616], [6_745_000_000]),
        ("3.5m", [3_538_984, 3_450_000], [3_449_999, 3_550_000]),
    ],
)
def test_rounded_counts_match_when_the_real_count_rounds_the_same(text, matching, not_matching):
    expectation = parse_expectation(text)
    for count in matching:
        assert expectation.matches(count), count
    for count in not_matching:
        assert not expectation.matches(count), count


@pytest.mark.parametrize(
    "text", ["lots", "", "32,62", "1,2345", "12.5", "3.2X", "-5", "1e6", "3__2"]
)
def test_anything_else_is_an_error_that_shows_the_accepted_forms(text):
    with pytest.raises(ExpectationError, match="32,624"):
        parse_expectation(text)
