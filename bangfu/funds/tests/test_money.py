from decimal import Decimal

import pytest

from bangfu.core.money import AmountError, Unit, format_amount, parse_amount, ratio, to_unit


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("4.1565亿元", "415650000.00"),
        ("2.7379亿", "273790000.00"),
        ("4994万元", "49940000.00"),
        ("3612.099万元", "36120990.00"),
        ("25.54万", "255400.00"),
        ("1,234.56元", "1234.56"),
        ("1234.5", "1234.50"),
        (" 0.01 ", "0.01"),
    ],
)
def test_it_converts_report_units_to_exact_yuan(text, yuan):
    assert parse_amount(text) == Decimal(yuan)


def test_a_unit_in_the_text_wins_over_the_default_unit():
    assert parse_amount("41.45", Unit.WAN) == Decimal("414500.00")
    assert parse_amount("41.45万元", Unit.YI) == Decimal("414500.00")
    assert parse_amount(Decimal("5505.25"), Unit.WAN) == Decimal("55052500.00")


def test_the_three_baoan_sources_add_up_to_the_reported_total_exactly():
    total = parse_amount("2.7379亿元") + parse_amount("4750万元") + parse_amount("9436万元")
    assert total == parse_amount("4.1565亿元")


@pytest.mark.parametrize("bad", [1.5, "abc", "1.2.3万", "", "0.001", "0.0000001万元", True, None])
def test_it_refuses_floats_garbage_and_sub_fen_amounts(bad):
    with pytest.raises(AmountError):
        parse_amount(bad)


def test_it_converts_back_to_wan_exactly_for_display():
    assert to_unit(Decimal("36120990.00"), Unit.WAN) == Decimal("3612.099")
    assert format_amount(Decimal("255400.00")) == "25.5400万元"


def test_ratio_is_none_when_the_denominator_is_zero():
    assert ratio(Decimal(1), Decimal(0)) is None
    assert ratio(Decimal("234620000"), Decimal("415650000")) == Decimal("0.5645")
