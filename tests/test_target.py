"""Targets are parsed, never evaluated."""

from __future__ import annotations

import pytest

from sphinx_modelsummary.target import (
    Target,
    TargetError,
    call_arguments,
    parse_shape_spec,
    parse_target,
)


def test_plain_attribute_is_not_a_call():
    target = parse_target("pkg.models:MODEL")
    assert target == Target(module="pkg.models", attribute="MODEL")
    assert not target.is_call
    assert str(target) == "pkg.models:MODEL"


def test_call_with_literal_arguments_round_trips():
    text = 'pkg.mod:build(32, padding="same", widths=[64, 128], opts={"a": (1, None)})'
    target = parse_target(text)
    args, kwargs = call_arguments(target)
    assert args == [32]
    assert kwargs == {"padding": "same", "widths": [64, 128], "opts": {"a": (1, None)}}
    assert str(target) == text.replace('"', "'")
    assert parse_target(str(target)) == target


def test_targets_are_hashable_and_equal_across_spellings():
    first = parse_target("m:f( 1 ,x=[1,2])")
    second = parse_target("m:f(1, x=[1, 2])")
    assert first == second
    assert len({first, second}) == 1


def test_empty_call_is_a_call():
    target = parse_target("keras.applications:ResNet50(weights=None)")
    assert target.is_call
    assert call_arguments(parse_target("m:Model()")) == ([], {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no_colon", "has no ':'"),
        ("pkg..mod:f", "not a dotted module name"),
        ("pkg.mod:", "is not a name"),
        ("pkg.mod:f(", "do not parse"),
        ("pkg.mod:f(1)(2)", "expected one call"),
        ("pkg.mod:f(*args)", "'*' arguments"),
        ("pkg.mod:f(**kw)", "'**' arguments"),
        ("pkg.mod:f(x)", "'x' is not a literal"),
        ("pkg.mod:f(1 + 2j * y)", "is not a literal"),
        ("pkg.mod:f(a=lambda: 1)", "is not a literal"),
    ],
)
def test_malformed_targets_are_rejected_with_a_reason(text, message):
    with pytest.raises(TargetError, match=message.replace("(", r"\(").replace("*", r"\*")):
        parse_target(text)


def test_code_in_arguments_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(TargetError, match="not a literal"):
        parse_target(f'm:f(__import__("os").system("touch {marker}"))')
    with pytest.raises(TargetError, match="not a literal"):
        parse_target('m:f(os.system("x"))')
    assert not marker.exists()


def test_shape_specs():
    assert parse_shape_spec("(None, 128, 128, 50, 1)") == ((None, 128, 128, 50, 1),)
    assert parse_shape_spec("[(None, None, 4), (None, None, 3)]") == (
        (None, None, 4),
        (None, None, 3),
    )
    assert parse_shape_spec("(3,)") == ((3,),)


@pytest.mark.parametrize("text", ["(None, -1)", "(1.5, 2)", "128", "[]", "(", "('a',)", "((1,),)"])
def test_malformed_shapes_are_rejected(text):
    with pytest.raises(TargetError, match="input shape"):
        parse_shape_spec(text)
