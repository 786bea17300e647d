"""报表: the returns a 司法所 sends upward (DESIGN.md section 3b) for a month, a quarter, a
half-year or any range.  Each return is previewed as the form prints it, every number opens
the rows behind it, and 导出 writes them to one .xlsx off the GUI thread.  报送单位 shows (and
exports) only the returns one office takes; 年度累计 adds the year-to-date columns.  No charts
here: a return never waits for matplotlib."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import periods
from app.core.returns.definitions import RECIPIENTS, RETURNS_LIST
from app.ui.models.return_model import ReturnTableModel
from app.ui.pages.figure_helpers import first_rows, muted_label, suggest_year
from app.ui.widgets import file_dialogs
from app.ui.widgets.period_picker import PeriodPicker
from app.ui.widgets.titles import page_title
from app.ui.workers import Worker, can_thread, thread_store

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

ALL_RECIPIENTS = "全部"
WIDE = 12  # a return with more columns than this is not squeezed to the page: it scrolls


def load_returns(store: Store, period: periods.Period, ytd: bool = False) -> dict[str, Any]:
    """Every return for ``period`` (worker thread)."""
    from app.core.returns.compute import compute_all
    from app.core.returns.display import filing_unit

    with thread_store(store) as s:
        return {
            "period": period,
            "tables": compute_all(s, period, ytd=ytd),
            "town": str(s.setting("town") or ""),
            "issuer": filing_unit(s),
            "phone": str(s.setting("phone") or "").strip(),
        }


def export_returns(
    store: Store, period: periods.Period, path: str, recipient: str | None = None, ytd: bool = False
) -> str:
    """The .xlsx of the returns ``recipient`` takes (all when None) (worker thread)."""
    from app.core.returns.xlsx import export

    with thread_store(store) as s:
        return str(export(s, period, path, recipient=recipient, ytd=ytd))


def default_period(store: Store, today: dt.date | None = None) -> periods.Period:
    """Last quarter; or, when the ledgers have hardly begun that year, the last quarter of
    the year they hold (the demo's 2024)."""
    today = today or dt.date.today()
    last = periods.last_quarter(today)
    year = suggest_year(store, today)
    return last if year >= last.year else periods.quarter(year, 4)


def default_returns_path(town: str, period: periods.Period, recipient: str | None = None) -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(docs) if docs and Path(docs).is_dir() else None
    if folder is None:
        from app.core.paths import data_dir

        folder = data_dir()
    whom = f"（报{recipient}）" if recipient else ""
    return folder / f"{town}{period.label}报表{whom}.xlsx"


class ReturnBox(QGroupBox):
    """One return: its title and 统计时段 line, then the table."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.key = key
        self.setStyleSheet("QGroupBox { font-weight: bold; font-size: 11pt; }")
        lay = QVBoxLayout(self)
        self.info_label = muted_label()
        self.info_label.setStyleSheet("color: #555; font-weight: normal; font-size: 9pt;")
        self.model = ReturnTableModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setStyleSheet(
            "QTableView { font-weight: normal; font-size: 9pt; } QTableView::item { padding: 0 6px; }"
        )
        self.view.verticalHeader().hide()
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setMouseTracking(True)
        self.view.entered.connect(self._hover)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.info_label)
        lay.addWidget(self.view)

    def show_table(self, table, town: str, issuer: str, phone: str = "") -> None:
        from app.core.returns.display import info_text

        self.setTitle(f"{town}{table.period.label}{table.title}")
        self.info_label.setText(info_text(issuer, phone, table.period.span_label))
        self.model.set_table(table)
        header = self.view.horizontalHeader()
        wide = len(table.keys) > WIDE
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents if wide else QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(wide)
        self.view.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if wide else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        rows = self.model.rowCount()
        height = header.height() + sum(self.view.rowHeight(r) for r in range(rows))
        scroll = self.view.horizontalScrollBar().sizeHint().height() if wide else 0
        self.view.setFixedHeight(height + scroll + 2 * self.view.frameWidth() + 2)

    def _hover(self, index: QModelIndex) -> None:
        link = self.model.is_link(index)
        self.view.viewport().setCursor(Qt.CursorShape.PointingHandCursor if link else Qt.CursorShape.ArrowCursor)


class ReturnsPage(QWidget):
    """报表.  ``open_rows(ledger_id, row_ids)`` asks the main window to show those rows."""

    open_rows = Signal(str, list)
    loaded = Signal()
    exported = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None, *, today: dt.date | None = None):
        super().__init__(parent)
        self.store = store
        self._workers: list[Worker] = []
        self._export_worker: Worker | None = None
        self._generation = 0
        self._data: dict[str, Any] | None = None
        self.last_export: Path | None = None
        self._build(today)
        self.picker.set_period(default_period(store, today))
        self.picker.changed.connect(lambda _p: self.refresh())
        self.refresh()

    def _build(self, today: dt.date | None) -> None:
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(page_title("报表"))
        bar.addSpacing(16)
        self.picker = PeriodPicker(custom=True, quick=True, today=today, store=self.store)
        bar.addWidget(self.picker)
        bar.addSpacing(16)
        bar.addWidget(QLabel("报送单位："))
        self.recipient_combo = QComboBox()
        self.recipient_combo.addItems([ALL_RECIPIENTS, *RECIPIENTS])
        self.recipient_combo.setToolTip("只显示并导出报送这个单位的报表")
        self.recipient_combo.currentIndexChanged.connect(self._show_recipient)
        bar.addWidget(self.recipient_combo)
        self.ytd_box = QCheckBox("年度累计")
        self.ytd_box.setToolTip("每张报表加上从1月1日到统计时段末的累计各栏")
        self.ytd_box.toggled.connect(lambda _on: self.refresh())
        bar.addWidget(self.ytd_box)
        bar.addStretch(1)
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setStyleSheet("font-weight: bold; padding: 4px 16px;")
        self.export_button.setToolTip("把下面各张报表导出为一个 Excel 文件（每张报表一个工作表，可直接打印）")
        self.export_button.clicked.connect(self.export)
        bar.addWidget(self.export_button)
        outer.addLayout(bar)

        status = QHBoxLayout()
        self.status_label = muted_label()
        self.open_folder_button = QPushButton("打开所在文件夹")
        self.open_folder_button.clicked.connect(self.open_export_folder)
        self.open_folder_button.hide()
        status.addWidget(self.picker.quick_bar)
        status.addSpacing(16)
        status.addWidget(self.status_label, 1)
        status.addWidget(self.open_folder_button)
        outer.addLayout(status)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        col = QVBoxLayout(body)
        hint = QLabel("带下划线的数字可以点击，查看对应的台账记录。")
        hint.setStyleSheet("color: #666;")
        col.addWidget(hint)
        self.boxes: dict[str, ReturnBox] = {}
        for ret in RETURNS_LIST:
            box = ReturnBox(ret.key, ret.title)
            box.view.clicked.connect(lambda index, k=ret.key: self.open_cell(k, index))
            col.addWidget(box)
            self.boxes[ret.key] = box
        col.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

    # -- data ---------------------------------------------------------------------------

    def period(self) -> periods.Period:
        return self.picker.period()

    def recipient(self) -> str | None:
        """The office chosen under 报送单位 (None: all)."""
        text = self.recipient_combo.currentText()
        return None if text == ALL_RECIPIENTS else text

    def _show_recipient(self, _index: int = 0) -> None:
        recipient = self.recipient()
        for ret in RETURNS_LIST:
            self.boxes[ret.key].setVisible(recipient is None or recipient in ret.recipients)

    def set_period(self, period: periods.Period) -> None:
        self.picker.set_period(period)
        self.refresh()

    def refresh(self) -> None:
        period = self.period()
        self._generation += 1
        self.status_label.setText(f"正在统计{period.label}…")
        worker = Worker(load_returns, self.store, period, self.ytd_box.isChecked())
        worker.finished.connect(lambda data, g=self._generation: self._show(data, g))
        worker.failed.connect(lambda msg: self.status_label.setText(f"统计失败：{msg}"))
        self._workers = [w for w in self._workers if w.is_running()]
        self._workers.append(worker)
        worker.start(in_thread=can_thread(self.store))

    def _show(self, data: dict[str, Any], generation: int) -> None:
        if generation != self._generation:
            return  # the clerk picked another period meanwhile
        self._data = data
        for table in data["tables"]:
            self.boxes[table.ret.key].show_table(table, data["town"], data["issuer"], data["phone"])
        period = data["period"]
        self.status_label.setText(
            period.span_label if period.kind == "range" else f"{period.label}（{period.span_label}）"
        )
        self.loaded.emit()

    def table(self, key: str):
        return self.boxes[key].model.table

    # -- clicks -------------------------------------------------------------------------

    def open_cell(self, key: str, index: QModelIndex) -> None:
        """A number clicked: ``open_rows`` with the rows behind it."""
        box = self.boxes[key]
        if not box.model.is_link(index):
            return
        from app.core.returns.compute import rows_for

        item, column = box.model.cell(index)
        target = first_rows(rows_for(self.store, box.model.table.period, key, item, column))
        if target:
            self.open_rows.emit(target[0], target[1])

    # -- the .xlsx ----------------------------------------------------------------------

    def export(self) -> None:
        if self._export_worker is not None and self._export_worker.is_running():
            return
        period = self.period()
        town = str(self.store.setting("town") or "")
        suggested = str(default_returns_path(town, period, self.recipient()))
        path = file_dialogs.save_file_name(self, "导出报表", suggested, "Excel 工作簿 (*.xlsx)", folder="returns")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self.export_button.setEnabled(False)
        self.open_folder_button.hide()
        self.status_label.setText("正在导出报表…")
        worker = Worker(export_returns, self.store, period, path, self.recipient(), self.ytd_box.isChecked())
        worker.finished.connect(self._exported)
        worker.failed.connect(self._export_failed)
        self._export_worker = worker
        worker.start(in_thread=can_thread(self.store))

    def _exported(self, path: str) -> None:
        self.export_button.setEnabled(True)
        self.last_export = Path(path)
        self.status_label.setText(f"报表已导出：{path}")
        self.open_folder_button.show()
        self.exported.emit(path)

    def _export_failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.status_label.setText("报表导出失败")
        if "Permission" in message or "denied" in message:
            message = "文件可能正在 Excel/WPS 中打开，请关闭后重试。"
        QMessageBox.warning(self, "导出报表失败", f"报表没有导出：{message}")

    def open_export_folder(self) -> None:
        if self.last_export:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.parent)))

    def closeEvent(self, event) -> None:
        for w in [*self._workers, self._export_worker]:
            if w is not None:
                w.wait(30000)
        super().closeEvent(event)
