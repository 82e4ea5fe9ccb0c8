from decimal import Decimal

import pytest

from bangfu.indicators.expressions import (
    Comparison,
    ExpressionError,
    NotApplicable,
    evaluate,
    parse,
)


def test_it_respects_precedence_and_parentheses():
    values = {"a": Decimal(2), "b": Decimal(3)}
    assert evaluate(parse("a + b * 2"), values) == Decimal(8)
    assert evaluate(parse("(a + b) * 2"), values) == Decimal(10)
    assert evaluate(parse("-a + 10 / 4"), values) == Decimal("0.5")


def test_a_comparison_reports_its_names_and_both_sides():
    rule = Comparison.parse("employed_poor", "<=", "employed_total")
    assert rule.names == {"employed_poor", "employed_total"}
    assert rule.holds({"employed_poor": Decimal(5), "employed_total": Decimal(4)}) == (
        False,
        Decimal(5),
        Decimal(4),
    )


def test_within_checks_a_closed_range():
    rule = Comparison.parse("value", "within", "0..100")
    assert rule.holds({"value": Decimal(100)})[0] is True
    assert rule.holds({"value": Decimal("100.01")})[0] is False


def test_a_missing_value_or_zero_division_makes_the_rule_not_applicable():
    rule = Comparison.parse("a / b", "<", "1")
    with pytest.raises(NotApplicable):
        rule.holds({"a": Decimal(1)})
    with pytest.raises(NotApplicable):
        rule.holds({"a": Decimal(1), "b": Decimal(0)})


@pytest.mark.parametrize(
    "text", ["", "a +", "__import__('os')", "a ** b", "(a", "a b", "1..2", "A"]
)
def test_it_refuses_anything_beyond_arithmetic(text):
    with pytest.raises(ExpressionError):
        parse(text)


def test_it_refuses_unknown_operators_and_bad_ranges():
    with pytest.raises(ExpressionError):
        Comparison.parse("a", "=~", "b")
    with pytest.raises(ExpressionError):
        Comparison.parse("a", "within", "100..0")
