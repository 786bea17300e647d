"""Every year selector lists next year down to the first year with data, not ten fixed years."""

from __future__ import annotations

import datetime as dt

from app.core.storage import query
from app.ui.pages.dashboard import DashboardPage
from app.ui.pages.report_page import ReportPage
from app.ui.pages.returns_page import ReturnsPage


def _years(combo) -> list[int]:
    return [combo.itemData(i) for i in range(combo.count())]


def _expected(store, today: dt.date | None = None) -> list[int]:
    years = query.year_choices(store, today=today)
    assert years[-1] <= 2024 and years[0] == (today or dt.date.today()).year + 1
    return years


def test_report_page_years_run_from_the_data(qtbot, demo_store):
    page = ReportPage(demo_store)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_year(2024)
    assert _years(page.year_combo) == _expected(demo_store)


def test_returns_page_years_run_from_the_data(qtbot, demo_store):
    today = dt.date(2024, 8, 20)
    page = ReturnsPage(demo_store, today=today)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page._data is not None, timeout=20000)
    assert _years(page.picker.year_combo) == _expected(demo_store, today)
    qtbot.waitUntil(lambda: not any(w.is_running() for w in page._workers), timeout=20000)


def test_dashboard_years_run_from_the_data(qtbot, demo_store):
    page = DashboardPage(demo_store)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_year(2024)
    assert _years(page.picker.year_combo) == _expected(demo_store)
    qtbot.waitUntil(lambda: not any(w.is_running() for w in page._workers), timeout=60000)


def test_an_empty_database_offers_this_year_and_next(qtbot, store):
    today = dt.date(2026, 5, 1)
    page = ReturnsPage(store, today=today)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page._data is not None, timeout=20000)
    assert _years(page.picker.year_combo) == [2027, 2026]
    qtbot.waitUntil(lambda: not any(w.is_running() for w in page._workers), timeout=20000)
