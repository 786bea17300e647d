"""首页: headline figures with last year's beside them, to-dos that open their rows, charts."""

import pytest
from PySide6.QtCore import Qt

from app.core import checks
from app.core.figures.compute import compute, rows_for
from app.ui.pages.dashboard import DashboardPage


@pytest.fixture
def page(qtbot, demo_store):
    p = DashboardPage(demo_store)
    qtbot.addWidget(p)
    with qtbot.waitSignal(p.loaded, timeout=20000):
        p.set_year(2024)
    yield p
    qtbot.waitUntil(lambda: not any(w.is_running() for w in p._workers), timeout=60000)


def test_headline_figures_and_last_year(page, demo_store):
    card = page.cards["enforcement.inspections"]
    assert card.value_label.text() == "114次"
    last = compute(demo_store, 2023)["enforcement.inspections"]
    assert f"上年 {last}次" in card.previous_label.text()
    assert "↑" in card.previous_label.text()  # 114 > last year's
    assert page.cards["disputes.court_delegated"].value_label.text() == "49件"
    assert page.cards["enforcement.activity_rate"].value_label.text() == "100%"


def test_switching_year_recomputes(qtbot, page, demo_store):
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_year(2023)
    expected = compute(demo_store, 2023)["enforcement.inspections"]
    assert page.cards["enforcement.inspections"].value_label.text() == f"{expected}次"


def test_clicking_a_todo_opens_its_rows(qtbot, page, demo_store):
    expected = [f for f in checks.run(demo_store, 2024) if f.row_ids]
    assert expected, "the demo data should give at least one finding with rows"
    assert page.todo_list.count() == len(checks.run(demo_store, 2024))
    row = next(i for i in range(page.todo_list.count()) if page.todo_list.item(i).text().endswith("条）"))
    item = page.todo_list.item(row)
    finding = next(f for f in expected if f.title in item.text())
    rect = page.todo_list.visualItemRect(item)
    with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
        qtbot.mouseClick(page.todo_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [finding.ledger, list(finding.row_ids)]


def test_clicking_a_card_opens_the_rows_behind_it(qtbot, page, demo_store):
    with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
        qtbot.mouseClick(page.cards["enforcement.penalties"], Qt.MouseButton.LeftButton)
    ledger, ids = rows_for(demo_store, 2024, "enforcement.penalties")[0]
    assert sig.args == [ledger, ids]
    assert len(ids) == 6


def test_charts_are_shown(qtbot, page):
    qtbot.waitUntil(lambda: page.charts.chart_count() > 0, timeout=60000)
    assert page.charts.chart_count() >= 4


def test_opens_on_the_year_the_ledgers_are_in(qtbot, demo_store):
    import datetime as dt

    from app.ui.pages.figure_helpers import suggest_year

    # the demo holds 2023 and 2024 in full, a few rows dated 2025 and nothing later
    assert suggest_year(demo_store, today=dt.date(2026, 6, 1)) == 2024
    assert suggest_year(demo_store, today=dt.date(2024, 6, 1)) == 2024
    p = DashboardPage(demo_store)
    qtbot.addWidget(p)
    with qtbot.waitSignal(p.loaded, timeout=20000):
        pass
    assert p.year() == suggest_year(demo_store)
    qtbot.waitUntil(lambda: not any(w.is_running() for w in p._workers), timeout=60000)


def test_empty_database_opens_on_this_year(store):
    import datetime as dt

    from app.ui.pages.figure_helpers import suggest_year

    assert suggest_year(store, today=dt.date(2026, 6, 1)) == 2026
    assert suggest_year(store, today=dt.date(2026, 1, 15)) == 2025  # January: last year's report


def test_workbooks_of_two_years_ago_open_on_their_year(store):
    """Empty years after the last rows are passed over: the page opens on the ledgers' year."""
    import datetime as dt

    from app.ui.pages.figure_helpers import suggest_year

    store.save("consultations", {"date": "2024-03-05", "channel": "来访", "matter": "继承"})
    assert suggest_year(store, today=dt.date(2026, 12, 3)) == 2024
