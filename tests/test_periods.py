"""Periods of DESIGN.md section 3b: parsing, first and last day, Chinese labels, neighbours."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core import periods
from app.core.periods import PeriodError, parse

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "label", "code"),
    [
        ("2025", D(2025, 1, 1), D(2025, 12, 31), "2025年", "2025"),
        ("2025H1", D(2025, 1, 1), D(2025, 6, 30), "2025年上半年", "2025H1"),
        ("2025h2", D(2025, 7, 1), D(2025, 12, 31), "2025年下半年", "2025H2"),
        ("2025Q1", D(2025, 1, 1), D(2025, 3, 31), "2025年第一季度", "2025Q1"),
        ("2025Q2", D(2025, 4, 1), D(2025, 6, 30), "2025年第二季度", "2025Q2"),
        ("2025Q3", D(2025, 7, 1), D(2025, 9, 30), "2025年第三季度", "2025Q3"),
        ("2025Q4", D(2025, 10, 1), D(2025, 12, 31), "2025年第四季度", "2025Q4"),
        ("2025-03", D(2025, 3, 1), D(2025, 3, 31), "2025年3月", "2025-03"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "2024年2月", "2024-02"),  # leap year
        ("2025-02", D(2025, 2, 1), D(2025, 2, 28), "2025年2月", "2025-02"),
        ("2025-12", D(2025, 12, 1), D(2025, 12, 31), "2025年12月", "2025-12"),
        (" 2025年第二季度 ", D(2025, 4, 1), D(2025, 6, 30), "2025年第二季度", "2025Q2"),
        ("2025年上半年", D(2025, 1, 1), D(2025, 6, 30), "2025年上半年", "2025H1"),
        ("2025年3月", D(2025, 3, 1), D(2025, 3, 31), "2025年3月", "2025-03"),
        ("2025年", D(2025, 1, 1), D(2025, 12, 31), "2025年", "2025"),
        (
            "2025-01-05..2025-02-03",
            D(2025, 1, 5),
            D(2025, 2, 3),
            "2025年1月5日至2025年2月3日",
            "2025-01-05..2025-02-03",
        ),
    ],
)
def test_parse_bounds_and_labels(text, start, end, label, code):
    p = parse(text)
    assert (p.start, p.end, p.label, p.code) == (start, end, label, code)
    assert (p.lo, p.hi) == (start.isoformat(), end.isoformat())
    assert parse(p.code) == p  # the code reads back
    assert parse(p.label) == p or p.kind == "range"


def test_span_label_is_the_statistics_line():
    assert parse("2025Q2").span_label == "2025年4月1日至2025年6月30日"
    assert parse("2025").span_label == "2025年1月1日至2025年12月31日"


def test_range_from_clerk_dates():
    p = periods.between("2025/1/5", "2025年2月3日")
    assert p.label == "2025年1月5日至2025年2月3日"
    assert p.params() == {"lo": "2025-01-05", "hi": "2025-02-03", "before": "2025-01-04"}


@pytest.mark.parametrize("bad", ["2025Q5", "2025H3", "2025-13", "abc", "", "20251", "2025-00"])
def test_unreadable_periods_say_so_in_chinese(bad):
    with pytest.raises(PeriodError) as err:
        parse(bad)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))


def test_range_ending_before_it_starts_is_refused():
    with pytest.raises(PeriodError, match="早于"):
        periods.between("2025-02-03", "2025-01-05")
    with pytest.raises(PeriodError, match="日期"):
        periods.between("2025-02-30", "2025-03-05")


def test_day_before_is_the_opening_day():
    assert parse("2025Q1").before == "2024-12-31"
    assert parse("2024-03").before == "2024-02-29"


@pytest.mark.parametrize(
    ("text", "previous", "year_before"),
    [
        ("2025", "2024", "2024"),
        ("2025H1", "2024H2", "2024H1"),
        ("2025H2", "2025H1", "2024H2"),
        ("2025Q1", "2024Q4", "2024Q1"),
        ("2025Q3", "2025Q2", "2024Q3"),
        ("2025-01", "2024-12", "2024-01"),
        ("2025-03", "2025-02", "2024-03"),
    ],
)
def test_neighbours(text, previous, year_before):
    assert parse(text).previous() == parse(previous)
    assert parse(text).year_before() == parse(year_before)


def test_range_neighbours_and_29_february():
    r = periods.between("2024-02-01", "2024-02-29")
    assert r.year_before() == periods.between("2023-02-01", "2023-02-28")
    assert periods.between("2025-01-05", "2025-01-14").previous() == periods.between("2024-12-26", "2025-01-04")


def test_quick_picks_from_a_day():
    today = D(2025, 1, 15)
    assert periods.this_month(today).code == "2025-01"
    assert periods.last_month(today).code == "2024-12"
    assert periods.this_quarter(today).code == "2025Q1"
    assert periods.last_quarter(today).code == "2024Q4"
    assert periods.this_half(today).code == "2025H1"
    assert periods.last_half(today).code == "2024H2"
    assert periods.last_quarter(D(2025, 7, 1)).label == "2025年第二季度"


def test_as_period_takes_years_and_codes():
    assert periods.as_period(2024) == parse("2024")
    assert periods.as_period("2024Q2") == parse("2024Q2")
    p = parse("2024-05")
    assert periods.as_period(p) is p
