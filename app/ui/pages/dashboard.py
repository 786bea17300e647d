"""首页: the headline figures of a year, a half-year, a quarter or a month beside the same
period a year before, the year's to-dos from the checks, and the year's charts.  Figures,
checks and charts are computed off the GUI thread by separate workers (each opens its own
connection), so a period switch shows its figures without waiting for charts; charts come
from the chart cache when their numbers have not changed."""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.ledgers import catalog
from app.ui.charts_view import ChartsView
from app.ui.pages.figure_helpers import (
    SEVERITY_COLOR,
    SEVERITY_TEXT,
    figure_info,
    finding_attr,
    first_rows,
    format_value,
    muted_label,
    suggest_year,
    trend,
)
from app.ui.widgets.period_picker import PeriodPicker, period_of
from app.ui.widgets.titles import page_title
from app.ui.workers import CHART_LOCK, Worker, can_thread, thread_store

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

HEADLINE_KEYS: tuple[str, ...] = (
    "enforcement.inspections",
    "enforcement.joint_inspections",
    "enforcement.penalties",
    "enforcement.officers",
    "disputes.screened",
    "disputes.mediated",
    "disputes.court_delegated",
    "consultations.count",
    "study.sessions",
    "meetings.count",
    "enterprise.visits",
    "publicity.enterprise_events",
    "resettlement.active",
    "corrections.active",
    "literates.count",
    "enforcement.activity_rate",
)
CARD_COLUMNS = 4


def load_figures(store: Store, year: int | None, part: str = "Y") -> dict[str, Any]:
    """The figures of the period (``part`` of ``year``: ``Y``, ``H1``, ``Q2``, ``M3`` …) and of
    the same period a year before, and the year's findings (worker thread); ``year=None``:
    the year ``suggest_year`` picks."""
    from app.core.figures.compute import compute

    with thread_store(store) as s:
        if year is None:
            year = suggest_year(s)
        period = period_of(year, part)
        out = {
            "year": year,
            "period": period,
            "current": compute(s, period),
            "previous": compute(s, period.year_before()),
        }
        out["findings"] = run_checks(s, year)
        out["incomplete"] = {lg.id: n for lg in catalog.LEDGERS if (n := s.count_incomplete(lg.id))}
    return out


def run_checks(store: Store, year: int) -> list:
    try:
        from app.core.checks import run
    except ModuleNotFoundError as exc:  # a build without the checks module: no to-dos
        if exc.name != "app.core.checks":
            raise
        return []
    return list(run(store, year))


def render_charts(store: Store, year: int, out_dir: str) -> list[tuple[str, str]]:
    """The core charts as PNG files: [(caption, path)] (worker thread; imports matplotlib)."""
    from app.core.report import charts

    with CHART_LOCK, thread_store(store) as s:
        made = charts.render_all(s, year, out_dir)
    return [(str(caption), str(path)) for caption, path in made]


class FigureCard(QFrame):
    """One headline: label, this year's value large, last year's beside it with ↑/↓."""

    clicked = Signal(str)

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        label, unit = figure_info(key)
        self.unit = "" if unit == "%" else unit
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("card")
        self.setStyleSheet(
            "#card { background: #fff; border: 1px solid #d9dee5; border-radius: 6px; }"
            "#card:hover { border-color: #2e86c1; }"
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("点击查看这个数字背后的记录")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(2)
        self.title_label = QLabel(label)
        self.title_label.setStyleSheet("color: #555;")
        self.title_label.setWordWrap(True)
        self.value_label = QLabel("…")
        self.value_label.setStyleSheet("font-size: 22pt; font-weight: bold; color: #1b4f72;")
        self.previous_label = QLabel("")
        self.previous_label.setStyleSheet("color: #777;")
        lay.addWidget(self.title_label)
        lay.addWidget(self.value_label)
        lay.addWidget(self.previous_label)

    def set_values(self, now: Any, before: Any, before_label: str = "上年") -> None:
        unit = self.unit if isinstance(now, int) else ""
        self.value_label.setText(f"{format_value(self.key, now)}{unit}")
        arrow = trend(now, before)
        colour = {"↑": "#1e8449", "↓": "#c0392b"}.get(arrow, "#777")
        before_unit = self.unit if isinstance(before, int) else ""
        self.previous_label.setText(
            f"{before_label} {format_value(self.key, before)}{before_unit} <span style='color:{colour}'>{arrow}</span>"
        )

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.key)
        super().mousePressEvent(event)


class DashboardPage(QWidget):
    """首页.  ``open_rows(ledger_id, row_ids)`` asks the main window to show those rows."""

    open_rows = Signal(str, list)
    loaded = Signal()  # figures and to-dos are on screen
    charts_loaded = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self._workers: list[Worker] = []
        self._chart_dir = tempfile.TemporaryDirectory(prefix="fazhi-charts-")
        self._data: dict[str, Any] | None = None
        self._incomplete: dict[str, int] = {}  # ledger id -> 待补充 rows (every year)
        self._auto_year = True
        self._generation = 0  # only the newest refresh is shown
        self._charts_year: int | None = None  # the year whose charts are on screen
        self._build()
        self.picker.changed.connect(self._period_picked)
        self.refresh()

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(page_title("首页"))
        bar.addSpacing(16)
        self.picker = PeriodPicker(store=self.store)
        self.year_combo = self.picker.year_combo
        self.part_combo = self.picker.part_combo
        bar.addWidget(self.picker)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        self.status_label = muted_label()
        bar.addWidget(self.refresh_button)
        bar.addSpacing(12)
        bar.addWidget(self.status_label)
        bar.addStretch(1)
        self.incomplete_button = QPushButton()
        self.incomplete_button.setObjectName("incomplete_button")
        self.incomplete_button.setStyleSheet("color: #a35c00;")
        self.incomplete_button.setToolTip("导入时缺少必填项或取值没认出的记录：点击查看，逐条打开补全")
        self.incomplete_button.clicked.connect(self._open_incomplete)
        self.incomplete_button.hide()
        bar.addWidget(self.incomplete_button)
        self.excel_button = QPushButton("导入 Excel 台账…")
        self.excel_button.setToolTip("导入已有的 Excel 工作簿：按表头认出每个工作表的台账，先预览再导入")
        self.excel_button.clicked.connect(self.bring_in_excel)
        self.excel_button.setEnabled(not getattr(self.store, "readonly", False))
        bar.addWidget(self.excel_button)
        outer.addLayout(bar)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        col = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        figures_box = self.figures_box = QGroupBox("主要数据（与上年同比）")
        grid = QGridLayout(figures_box)
        grid.setSpacing(10)
        self.cards: dict[str, FigureCard] = {}
        for i, key in enumerate(HEADLINE_KEYS):
            card = FigureCard(key)
            card.clicked.connect(self._open_figure)
            grid.addWidget(card, i // CARD_COLUMNS, i % CARD_COLUMNS)
            self.cards[key] = card
        col.addWidget(figures_box)

        todo_box = QGroupBox("待办事项（点击查看相关记录）")
        todo_lay = QVBoxLayout(todo_box)
        self.todo_list = QListWidget()
        self.todo_list.setAlternatingRowColors(True)
        self.todo_list.itemClicked.connect(self._open_todo)
        self.todo_list.itemActivated.connect(self._open_todo)
        todo_lay.addWidget(self.todo_list)
        col.addWidget(todo_box)

        charts_box = QGroupBox("图表（全年，与上年对比）")
        charts_lay = QVBoxLayout(charts_box)
        self.charts = ChartsView(columns=2)
        charts_lay.addWidget(self.charts)
        col.addWidget(charts_box)
        col.addStretch(1)

    # -- data ---------------------------------------------------------------------------

    def year(self) -> int:
        return self.year_combo.year()

    def period(self):
        return self.picker.period()

    def bring_in_excel(self) -> None:
        """Whole workbooks of last year's ledgers; the figures are read again after."""
        from app.ui.dialogs.workbooks import bring_in_workbooks

        if bring_in_workbooks(self.store, self):
            self.refresh()

    def _period_picked(self, _period) -> None:
        self._auto_year = False
        self.refresh(charts=self.year() != self._charts_year)  # a quarter of the same year: same charts

    def set_year(self, year: int) -> None:
        self._auto_year = False
        if year != self.year():
            self.year_combo.set_year(year)  # refreshes through currentIndexChanged
        else:
            self.refresh()

    def set_period(self, period) -> None:
        """Show a month, a quarter, a half-year or a year (a ``periods.Period``)."""
        self._auto_year = False
        self.picker.set_period(period, emit=True)

    def refresh(self, charts: bool = True) -> None:
        """Recompute the figures, to-dos and (unless ``charts=False``) the charts of the selected
        period off the GUI thread; figures and charts are separate workers, so the figures
        never wait for the charts.

        The first time the page picks its year itself (``suggest_year``), in the worker.
        """
        self.year_combo.reload()  # a year that data has arrived for since (import, a saved record)
        year = None if self._auto_year else self.year()
        part = self.part_combo.currentData()
        label = self.period().label if year else ""
        self.status_label.setText(f"正在统计{label}数据…" if year else "正在统计…")
        for card in self.cards.values():
            card.value_label.setText("…")
        self._generation += 1
        worker = Worker(load_figures, self.store, year, part)
        worker.finished.connect(lambda data, g=self._generation: self._show_figures(data, g))
        worker.failed.connect(lambda msg: self.status_label.setText(f"统计失败：{msg}"))
        self._run(worker)
        if year is not None and charts:
            self._start_charts(year)

    def _start_charts(self, year: int) -> None:
        self.charts.show_message("正在生成图表…")
        chart_worker = Worker(render_charts, self.store, year, self._chart_dir.name)
        chart_worker.finished.connect(lambda charts, y=year: self._show_charts(y, charts))
        chart_worker.failed.connect(lambda msg: self.charts.show_message(f"图表生成失败：{msg}"))
        self._run(chart_worker)

    def _run(self, worker: Worker) -> None:
        self._workers = [w for w in self._workers if w.is_running()]
        self._workers.append(worker)
        worker.start(in_thread=can_thread(self.store))

    def _show_figures(self, data: dict[str, Any], generation: int) -> None:
        if generation != self._generation:
            return  # a newer refresh is on its way
        if self._auto_year:  # the first load chose the year: show it without reloading
            self._auto_year = False
            self.year_combo.blockSignals(True)
            self.year_combo.set_year(data["year"])
            self.year_combo.blockSignals(False)
            self._start_charts(data["year"])
        if data["period"] != self.period():
            return  # the clerk switched periods meanwhile; that period's worker will report
        self._data = data
        period = data["period"]
        whole_year = period.kind == "year"
        before = "上年" if whole_year else "上年同期"
        self.figures_box.setTitle(f"主要数据（{period.label}，与{'上年同比' if whole_year else '上年同期比'}）")
        for key, card in self.cards.items():
            card.set_values(data["current"].get(key), data["previous"].get(key), before)
        self._fill_todos(data["findings"])
        self._incomplete = dict(data.get("incomplete") or {})
        total = sum(self._incomplete.values())
        self.incomplete_button.setText(f"待补充 {total} 条")
        self.incomplete_button.setVisible(total > 0)
        self.incomplete_button.setToolTip(
            "导入时缺少必填项或取值没认出的记录（点击查看）：\n"
            + "\n".join(f"{catalog.get(k).name} {n} 条" for k, n in self._incomplete.items())
        )
        n = len(data["findings"])
        self.status_label.setText(f"{period.label}数据已更新" + (f"，{data['year']}年{n}项待办" if n else "，没有待办"))
        self.loaded.emit()

    def _fill_todos(self, findings: list) -> None:
        self.todo_list.clear()
        rows = max(1, min(8, len(findings)))
        self.todo_list.setFixedHeight(rows * (self.todo_list.fontMetrics().height() + 8) + 8)
        if not findings:
            item = QListWidgetItem("没有待办事项：本年度台账未发现需要处理的问题。")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.todo_list.addItem(item)
            return
        for f in findings:
            severity = finding_attr(f, "severity", "warning")
            ids = list(finding_attr(f, "row_ids", []) or [])
            text = f"【{SEVERITY_TEXT.get(severity, severity)}】{finding_attr(f, 'title', '')}"
            if ids:
                text += f"（{len(ids)}条）"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (finding_attr(f, "ledger"), ids))
            item.setToolTip(str(finding_attr(f, "detail", "") or ""))
            item.setForeground(_colour(SEVERITY_COLOR.get(severity, "#333")))
            self.todo_list.addItem(item)

    def _show_charts(self, year: int, charts: list[tuple[str, str]]) -> None:
        if year != self.year():
            return
        self._charts_year = year
        self.charts.set_charts(charts)
        self.charts_loaded.emit()

    # -- clicks -------------------------------------------------------------------------

    def _open_todo(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if not data or not data[0]:
            return
        ledger, ids = data
        self.open_rows.emit(str(ledger), list(ids))

    def _open_figure(self, key: str) -> None:
        from app.core.figures.compute import rows_for

        target = first_rows(rows_for(self.store, self.period(), key))
        if target:
            self.open_rows.emit(target[0], target[1])

    def _open_incomplete(self) -> None:
        """The first ledger with 待补充 rows, showing just those."""
        for lg_id in self._incomplete:
            ids = [r[0] for r in self.store.conn.execute(
                f'SELECT id FROM "{lg_id}" WHERE incomplete IS NOT NULL AND deleted_at IS NULL ORDER BY id'
            )]  # fmt: skip
            if ids:
                self.open_rows.emit(lg_id, ids)
                return

    def findings(self) -> list:
        return list(self._data["findings"]) if self._data else []

    def closeEvent(self, event) -> None:
        for w in self._workers:
            w.cancel()
            w.wait(10000)
        super().closeEvent(event)


def _colour(name: str):
    from PySide6.QtGui import QColor

    return QColor(name)
