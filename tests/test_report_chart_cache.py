"""The chart cache: a report with nothing changed redraws nothing; a change redraws only the
charts whose numbers it changed; the cache survives the program (on disk)."""

from __future__ import annotations

import copy

import pytest

from app.core.report import chart_cache, charts
from app.core.report.build import build_report
from tests.test_report_charts import PNG, full_breakdowns


@pytest.fixture
def no_drawing(monkeypatch):
    """Make any drawing fail: what comes back must come from the cache."""

    def refuse(*_a, **_k):
        raise AssertionError("a chart was drawn")

    def apply():
        for name in ("_pair_by_month", "_pair_by_category", "_key_persons"):
            monkeypatch.setattr(charts, name, refuse)

    return apply


def test_second_time_nothing_is_drawn(no_drawing):
    cache = chart_cache.ChartCache()
    first = charts.render_charts(2024, full_breakdowns(3), full_breakdowns(1), cache=cache)
    assert (cache.hits, cache.misses) == (0, 6)
    no_drawing()
    second = charts.render_charts(2024, full_breakdowns(3), full_breakdowns(1), cache=cache)
    assert [c.png for c in second] == [c.png for c in first]
    assert [c.title for c in second] == [c.title for c in first]
    assert cache.hits == 6


def test_a_change_redraws_only_its_chart():
    cache = chart_cache.ChartCache()
    now, before = full_breakdowns(3), full_breakdowns(1)
    first = charts.render_charts(2024, now, before, cache=cache)
    changed = copy.deepcopy(now)
    changed["disputes.screened_by_month"][3] += 1
    second = charts.render_charts(2024, changed, before, cache=cache)
    assert cache.misses == 7 and cache.hits == 5
    assert second[0].png != first[0].png and second[0].png.startswith(PNG)
    assert [c.png for c in second[1:]] == [c.png for c in first[1:]]
    charts.render_charts(2025, changed, before, cache=cache)  # another year: other captions
    assert cache.misses == 13


def test_last_years_numbers_do_not_touch_the_key_person_chart():
    cache = chart_cache.ChartCache()
    now, before = full_breakdowns(3), full_breakdowns(1)
    charts.render_charts(2024, now, before, cache=cache)
    other = copy.deepcopy(before)
    other["key_persons.published"] = {}  # the key-person chart shows this year only
    charts.render_charts(2024, now, other, cache=cache)
    assert cache.misses == 6 and cache.hits == 6


def test_the_cache_on_disk_serves_the_next_run(tmp_path, no_drawing):
    charts.render_charts(2024, full_breakdowns(3), full_breakdowns(1), cache=chart_cache.ChartCache(tmp_path))
    assert len(list(tmp_path.glob("*.png"))) == 6
    no_drawing()
    fresh = chart_cache.ChartCache(tmp_path)  # a new process: empty memory
    again = charts.render_charts(2024, full_breakdowns(3), full_breakdowns(1), cache=fresh)
    assert fresh.hits == 6 and all(c.png.startswith(PNG) for c in again)


def test_a_damaged_or_unwritable_cache_is_no_cache(tmp_path):
    folder = tmp_path / "file-not-folder"
    folder.write_text("x")
    cache = chart_cache.ChartCache(folder)
    made = charts.render_charts(2024, full_breakdowns(3), full_breakdowns(1), cache=cache)
    assert len(made) == 6 and cache.misses == 6


def test_cache_false_draws_everything(no_drawing):
    charts.render_charts(2024, full_breakdowns(3), full_breakdowns(1))
    no_drawing()
    with pytest.raises(AssertionError, match="drawn"):
        charts.render_charts(2024, full_breakdowns(3), full_breakdowns(1), cache=False)


def test_report_second_time_redraws_nothing_then_an_edit_redraws_its_chart(demo_store, tmp_path):
    cache = chart_cache.default_cache()
    cache.clear()
    build_report(demo_store, 2024, tmp_path / "a.docx")
    misses = cache.misses
    build_report(demo_store, 2024, tmp_path / "b.docx")
    assert cache.misses == misses  # nothing drawn
    assert (tmp_path / "b.docx").stat().st_size == pytest.approx((tmp_path / "a.docx").stat().st_size, rel=0.01)
    demo_store.save("inspections", {"date": "2024-05-05", "target": "某校", "domain": "教育", "method": "日常检查",
                                    "officers": "甲、乙", "outcome": "未发现问题"})  # fmt: skip
    build_report(demo_store, 2024, tmp_path / "c.docx")
    assert cache.misses == misses + 1  # only 各领域行政检查次数
