from decimal import Decimal

import cn2an  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.ingest.text.numbers import parse_number


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("7", "7"),
        ("12,345", "12345"),
        ("3.25万", "32500"),
        ("0.6亿", "60000000"),
        ("1.2345万", "12345"),
        ("四十二", "42"),
        ("两", "2"),
        ("三千零五", "3005"),
        ("五万", "50000"),
        ("二〇二一", "2021"),
        ("3千万", "30000000"),
    ],
)
def test_it_reads_written_numbers(written, value):
    assert parse_number(written) == Decimal(value)


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_integers_round_trip(number):
    assert parse_number(str(number)) == number
    assert parse_number(f"{number:,}") == number


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from(["万", "亿"]))
def test_arabic_numbers_with_a_multiplier_round_trip(number, multiplier):
    scale = 10_000 if multiplier == "万" else 100_000_000
    written = f"{Decimal(number) / 100:f}{multiplier}"
    assert parse_number(written) == Decimal(number) / 100 * scale


@given(st.integers(min_value=1, max_value=10**12 - 1))
def test_chinese_numerals_round_trip(number):
    assert parse_number(cn2an.an2cn(str(number))) == number
