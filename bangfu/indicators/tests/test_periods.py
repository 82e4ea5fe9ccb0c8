import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangfu.indicators.periods import Period, PeriodError, PeriodKind, parse, subperiods

years = st.integers(min_value=1990, max_value=2100)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))


@st.composite
def periods(draw):
    kind = draw(st.sampled_from(list(PeriodKind)))
    year = draw(years)
    if kind == PeriodKind.YEAR:
        return Period.year(year)
    if kind == PeriodKind.HALF:
        return Period.half(year, draw(st.integers(1, 2)))
    if kind == PeriodKind.QUARTER:
        return Period.quarter(year, draw(st.integers(1, 4)))
    if kind == PeriodKind.MONTH:
        return Period.month(year, draw(st.integers(1, 12)))
    start, end = sorted([draw(dates), draw(dates)])
    return Period.cumulative(start, end)


@given(periods())
def test_every_period_reads_back_from_its_text(period):
    assert parse(str(period)) == period


@given(periods())
def test_stored_fields_rebuild_the_same_period(period):
    assert Period.of(period.kind.value, period.start, period.end) == period


@given(periods(), periods(), periods())
def test_containment_is_a_partial_order(a, b, c):
    assert a.contains(a)
    if a.contains(b) and b.contains(a):
        assert (a.start, a.end) == (b.start, b.end)
    if a.contains(b) and b.contains(c):
        assert a.contains(c)


@given(periods(), periods())
def test_ordering_is_total_and_consistent(a, b):
    assert (a < b) + (b < a) + (a.sort_key() == b.sort_key()) == 1
    assert sorted([a, b]) == sorted([b, a])


@given(years, st.sampled_from([PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH]))
def test_subperiods_tile_their_year_without_gaps(year, kind):
    parts = list(subperiods(year, kind))
    assert parts[0].start == dt.date(year, 1, 1)
    assert parts[-1].end == dt.date(year, 12, 31)
    assert all(Period.year(year).contains(p) for p in parts)
    assert all(a.end + dt.timedelta(days=1) == b.start for a, b in itertools.pairwise(parts))
    assert sum(p.days for p in parts) == Period.year(year).days


def test_it_parses_every_written_form():
    assert parse("2020") == Period(PeriodKind.YEAR, dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert parse("2020H1").end == dt.date(2020, 6, 30)
    assert parse("2020Q3") == Period(PeriodKind.QUARTER, dt.date(2020, 7, 1), dt.date(2020, 9, 30))
    assert parse("2020-02").end == dt.date(2020, 2, 29)
    cumulative = parse("2016-01-01..2020-11-30")
    assert cumulative.kind == PeriodKind.CUMULATIVE
    assert str(cumulative) == "2016-01-01..2020-11-30"


@pytest.mark.parametrize(
    "text", ["", "20", "2020Q5", "2020H3", "2020-13", "2020-12-01..2020-01-01", "1066", "x"]
)
def test_it_refuses_text_that_is_no_period(text):
    with pytest.raises(PeriodError):
        parse(text)


def test_stored_fields_must_form_the_kind_they_claim():
    with pytest.raises(PeriodError):
        Period.of("quarter", dt.date(2020, 1, 1), dt.date(2020, 6, 30))


def test_elapsed_fraction_counts_days_inclusively():
    year = Period.year(2021)
    assert year.elapsed_fraction(dt.date(2020, 12, 31)) == 0.0
    assert year.elapsed_fraction(dt.date(2021, 1, 1)) == 1 / 365
    assert year.elapsed_fraction(dt.date(2022, 3, 1)) == 1.0
