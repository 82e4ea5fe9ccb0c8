"""Reporting periods as values: year, half-year, quarter, month, or cumulative to an as-of date.

Pure module, no database. Text forms (also used in spreadsheets and the API):

    "2020"                    the calendar year
    "2020H1", "2020H2"        half-years
    "2020Q3"                  quarters
    "2020-06"                 months
    "2016-01-01..2020-11-30"  cumulative (累计) from a start date to an as-of date, both inclusive

A period is its (kind, start, end): a cumulative period that happens to cover a whole calendar year
is still cumulative, because reports say "累计" for a reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    CUMULATIVE = "cumulative"


class PeriodError(ValueError):
    """Text or dates that do not describe a period."""


_KIND_ORDER = {kind: index for index, kind in enumerate(PeriodKind)}
_YEAR_RE = re.compile(r"^(\d{4})$")
_HALF_RE = re.compile(r"^(\d{4})H([12])$")
_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_CUMULATIVE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
MIN_YEAR, MAX_YEAR = 1990, 2100


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}")


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError("a period cannot end before it starts")

    # Constructors ------------------------------------------------------------------------------

    @classmethod
    def year(cls, year: int) -> Period:
        _check_year(year)
        return cls(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        _check_year(year)
        if half not in (1, 2):
            raise PeriodError("a half-year is 1 or 2")
        first = 1 if half == 1 else 7
        return cls(PeriodKind.HALF, dt.date(year, first, 1), _month_end(year, first + 5))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise PeriodError("a quarter is 1 to 4")
        first = 3 * quarter - 2
        return cls(PeriodKind.QUARTER, dt.date(year, first, 1), _month_end(year, first + 2))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_year(year)
        if not 1 <= month <= 12:
            raise PeriodError("a month is 1 to 12")
        return cls(PeriodKind.MONTH, dt.date(year, month, 1), _month_end(year, month))

    @classmethod
    def cumulative(cls, start: dt.date, as_of: dt.date) -> Period:
        _check_year(start.year)
        _check_year(as_of.year)
        return cls(PeriodKind.CUMULATIVE, start, as_of)

    @classmethod
    def of(cls, kind: str, start: dt.date, end: dt.date) -> Period:
        """Rebuild from stored fields, refusing combinations that are not a real period."""
        period = cls(PeriodKind(kind), start, end)
        if period.kind != PeriodKind.CUMULATIVE and parse(str(period)) != period:
            raise PeriodError(f"{start}..{end} is not a {kind}")
        return period

    # Reading -----------------------------------------------------------------------------------

    def __str__(self) -> str:
        y = self.start.year
        if self.kind == PeriodKind.YEAR:
            return f"{y}"
        if self.kind == PeriodKind.HALF:
            return f"{y}H{1 if self.start.month == 1 else 2}"
        if self.kind == PeriodKind.QUARTER:
            return f"{y}Q{(self.start.month + 2) // 3}"
        if self.kind == PeriodKind.MONTH:
            return f"{y}-{self.start.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other: Period) -> bool:
        """Every day of `other` lies in this period."""
        return self.start <= other.start and other.end <= self.end

    def contains_date(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def sort_key(self) -> tuple[dt.date, dt.date, int]:
        """Chronological order: by start, then the shorter first, then by kind."""
        return (self.start, self.end, _KIND_ORDER[self.kind])

    def __lt__(self, other: Period) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: Period) -> bool:
        return self.sort_key() <= other.sort_key()

    @property
    def whole_years(self) -> range | None:
        """The calendar years the period covers exactly, or None when it cuts through a year."""
        if (self.start.month, self.start.day) == (1, 1) and (self.end.month, self.end.day) == (
            12,
            31,
        ):
            return range(self.start.year, self.end.year + 1)
        return None

    def elapsed_fraction(self, as_of: dt.date) -> float:
        """Share of the period's days up to and including `as_of` (0 before, 1 after)."""
        if as_of < self.start:
            return 0.0
        if as_of >= self.end:
            return 1.0
        return ((as_of - self.start).days + 1) / self.days


def parse(text: str) -> Period:
    """The period a text form denotes; PeriodError when it denotes none."""
    value = text.strip()
    try:
        if m := _YEAR_RE.match(value):
            return Period.year(int(m[1]))
        if m := _HALF_RE.match(value):
            return Period.half(int(m[1]), int(m[2]))
        if m := _QUARTER_RE.match(value):
            return Period.quarter(int(m[1]), int(m[2]))
        if m := _MONTH_RE.match(value):
            return Period.month(int(m[1]), int(m[2]))
        if m := _CUMULATIVE_RE.match(value):
            return Period.cumulative(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]))
    except ValueError as exc:  # bad calendar dates, reversed ranges
        raise PeriodError(f"{text!r} is not a period: {exc}") from None
    raise PeriodError(
        f"{text!r} is not a period (write 2020, 2020H1, 2020Q3, 2020-06 or 2016-01-01..2020-11-30)"
    )


def subperiods(year: int, kind: PeriodKind) -> Iterator[Period]:
    """The periods of one kind that tile a calendar year."""
    if kind == PeriodKind.YEAR:
        yield Period.year(year)
    elif kind == PeriodKind.HALF:
        yield from (Period.half(year, h) for h in (1, 2))
    elif kind == PeriodKind.QUARTER:
        yield from (Period.quarter(year, q) for q in range(1, 5))
    elif kind == PeriodKind.MONTH:
        yield from (Period.month(year, m) for m in range(1, 13))
    else:
        raise PeriodError("cumulative periods do not tile a year")
