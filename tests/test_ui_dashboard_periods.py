"""首页 for a quarter or a month: figures of the period beside the same period a year before;
a switch within the year shows its figures without drawing charts again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core import periods
from app.core.figures.compute import compute, rows_for
from app.ui.pages.dashboard import DashboardPage


def test_quarter_and_month_on_the_dashboard(qtbot, demo_store):
    page = DashboardPage(demo_store)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_year(2024)
    qtbot.waitUntil(lambda: page._charts_year == 2024, timeout=60000)
    drawn = []
    page._start_charts = drawn.append  # record: a switch within 2024 must not start charts

    combo = page.part_combo
    combo.setFocus()
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.keyClick(combo, Qt.Key.Key_Down)  # 全年 -> 上半年
    with qtbot.waitSignal(page.loaded, timeout=20000):
        for _ in range(3):  # 下半年, 第一季度, 第二季度: each pick refreshes; the last is shown
            qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: page._data["period"] == periods.parse("2024Q2"), timeout=20000)
    assert page.period() == periods.parse("2024Q2")
    q2 = compute(demo_store, periods.parse("2024Q2"))
    q2_before = compute(demo_store, periods.parse("2023Q2"))
    card = page.cards["enforcement.inspections"]
    assert card.value_label.text() == f"{q2['enforcement.inspections']}次"
    assert f"上年同期 {q2_before['enforcement.inspections']}次" in card.previous_label.text()
    assert "2024年第二季度" in page.figures_box.title()
    assert drawn == []
    assert page.charts.chart_count() >= 4  # the year's charts stay on screen

    with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
        qtbot.mouseClick(page.cards["disputes.screened"], Qt.MouseButton.LeftButton)
    assert sig.args == list(rows_for(demo_store, periods.parse("2024Q2"), "disputes.screened")[0])

    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_period(periods.parse("2024-03"))
    month = compute(demo_store, periods.parse("2024-03"))
    assert page.cards["disputes.screened"].value_label.text() == f"{month['disputes.screened']}件"
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_period(periods.parse("2023Q4"))
    assert drawn == [2023]  # another year: its charts
    qtbot.waitUntil(lambda: not any(w.is_running() for w in page._workers), timeout=60000)
