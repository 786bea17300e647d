"""重点人群: the roster with each person's 列管/解除 history and visits, one-click 记录走访,
and the year's 变动 (期初, 新增, 解除, 期末) by 类别 and by month.

ID numbers are masked on screen; the whole number appears only when the clerk presses 显示,
and that leaves a ``reveal`` entry in the 操作日志 (``privacy.reveal_idcard``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.key_person_months import monthly_changes, on_roster, year_change_ids
from app.core.storage.collation import sort_key
from app.ui.dialogs.visit_dialog import VisitDialog
from app.ui.pages.figure_helpers import muted_label, suggest_year, year_bar

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

ROSTER_COLUMNS = (
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("category", "类别"),
    ("subcategory", "细类"),
    ("village", "村（社区）"),
    ("listed_on", "列管日期"),
    ("released_on", "解除日期"),
    ("status", "状态"),
    ("visits_year", "本年走访"),
    ("responsible", "责任人"),
)
CHANGE_COLUMNS = (("opening", "期初"), ("added", "新增"), ("released", "解除"), ("closing", "期末"))
ALL = "全部类别"


class _TextItem(QTableWidgetItem):
    """Sorts Chinese by pinyin (阿, 李, 王, 张), not by code point."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return (sort_key(self.text()) or b"") < (sort_key(other.text()) or b"")


def _item(text: Any, data: Any = None, align_right: bool = False) -> QTableWidgetItem:
    item = _TextItem("" if text is None else str(text))
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class _NumItem(QTableWidgetItem):
    """Sorts by number, not by text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        try:
            return float(self.text() or 0) < float(other.text() or 0)
        except ValueError:
            return super().__lt__(other)


class KeyPersonsPage(QWidget):
    """重点人群.  ``open_rows(ledger_id, row_ids)`` asks the main window to show those rows."""

    open_rows = Signal(str, list)
    visit_recorded = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.persons: list[dict] = []  # masked rows of the roster
        self._visits_year: dict[int, list[int]] = {}
        self._changes: dict[str, dict[str, int]] = {}
        self._revealed: str | None = None
        self._build()
        self.year_combo.set_year(suggest_year(store))
        self.year_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.category_combo.currentIndexChanged.connect(lambda _i: self._fill_roster())
        self.search_edit.textChanged.connect(lambda _t: self._fill_roster())
        self.month_category.currentIndexChanged.connect(lambda _i: self._fill_months())
        self.refresh()

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar, self.year_combo = year_bar("重点人群", self.store)
        self.category_combo = QComboBox()
        self.category_combo.addItem(ALL, None)
        for c in self.store.choices("key_persons", "category"):
            self.category_combo.addItem(c, c)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("按姓名、村（社区）、责任人查找")
        self.search_edit.setClearButtonEnabled(True)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        self.count_label = muted_label()
        bar.addWidget(self.category_combo)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.count_label)
        outer.addLayout(bar)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_roster_tab(), "名册与走访")
        self.tabs.addTab(self._build_changes_tab(), "年度变动")
        outer.addWidget(self.tabs, 1)

    def _build_roster_tab(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        self.roster = QTableWidget(0, len(ROSTER_COLUMNS))
        self.roster.setHorizontalHeaderLabels([label for _, label in ROSTER_COLUMNS])
        self.roster.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.roster.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.roster.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roster.setAlternatingRowColors(True)
        self.roster.verticalHeader().hide()
        self.roster.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.roster.horizontalHeader().setStretchLastSection(True)
        self.roster.horizontalHeader().setSortIndicator(5, Qt.SortOrder.DescendingOrder)  # newest 列管 first
        self.roster.itemSelectionChanged.connect(self._show_selected)
        self.roster.doubleClicked.connect(lambda _i: self.record_visit())
        split.addWidget(self.roster)

        detail = QWidget()
        lay = QVBoxLayout(detail)
        lay.setContentsMargins(6, 0, 0, 0)
        self.person_title = QLabel("请在左侧选择一名重点人员")
        self.person_title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        lay.addWidget(self.person_title)
        form = QFormLayout()
        id_row = QHBoxLayout()
        self.id_label = QLabel("")
        self.id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.id_label.setMinimumWidth(self.id_label.fontMetrics().horizontalAdvance("0" * 20))
        self.reveal_button = QPushButton("显示")
        self.reveal_button.setToolTip("显示完整身份证号（将记入操作日志）")
        self.reveal_button.clicked.connect(self.toggle_reveal)
        id_row.addWidget(self.id_label)
        id_row.addWidget(self.reveal_button)
        id_row.addStretch(1)
        self.info_labels: dict[str, QLabel] = {}
        form.addRow("身份证号：", id_row)
        for key, label in (("village", "村（社区）"), ("responsible", "责任人"), ("phone", "联系电话")):
            self.info_labels[key] = QLabel("")
            form.addRow(f"{label}：", self.info_labels[key])
        lay.addLayout(form)

        hist_box = QGroupBox("列管与解除")
        hist_lay = QVBoxLayout(hist_box)
        self.history = QListWidget()
        self.history.setMaximumHeight(90)
        hist_lay.addWidget(self.history)
        lay.addWidget(hist_box)

        visits_box = QGroupBox("走访记录")
        self.visits_box = visits_box
        v_lay = QVBoxLayout(visits_box)
        self.visits_table = QTableWidget(0, 4)
        self.visits_table.setHorizontalHeaderLabels(["日期", "走访人", "走访方式", "情况记录"])
        self.visits_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.visits_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.visits_table.verticalHeader().hide()
        self.visits_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.visits_table.horizontalHeader().setStretchLastSection(True)
        v_lay.addWidget(self.visits_table)
        self.month_strip = QLabel("")
        self.month_strip.setStyleSheet("color: #555;")
        self.month_strip.setWordWrap(True)
        v_lay.addWidget(self.month_strip)
        buttons = QHBoxLayout()
        self.visit_button = QPushButton("记录走访…")
        self.visit_button.setStyleSheet("font-weight: bold; padding: 4px 14px;")
        self.visit_button.clicked.connect(self.record_visit)
        self.open_visits_button = QPushButton("在走访记录台账中查看")
        self.open_visits_button.clicked.connect(self._open_person_visits)
        self.open_person_button = QPushButton("在名册中查看")
        self.open_person_button.clicked.connect(self._open_person)
        buttons.addWidget(self.visit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_person_button)
        buttons.addWidget(self.open_visits_button)
        v_lay.addLayout(buttons)
        lay.addWidget(visits_box, 1)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([800, 480])
        self._enable_person_actions(False)
        return split

    def _build_changes_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.changes_caption = QLabel("")
        self.changes_caption.setStyleSheet("font-weight: bold;")
        lay.addWidget(self.changes_caption)
        self.changes_table = QTableWidget(0, len(CHANGE_COLUMNS) + 1)
        self.changes_table.setHorizontalHeaderLabels(["类别", *[label for _, label in CHANGE_COLUMNS]])
        self.changes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes_table.verticalHeader().hide()
        self.changes_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.changes_table.cellClicked.connect(lambda r, c: self._open_cell(self.changes_table, r, c))
        self.changes_table.setFixedHeight(self.changes_table.fontMetrics().height() * 2 * 7 + 8)
        lay.addWidget(self.changes_table)
        row = QHBoxLayout()
        row.addWidget(QLabel("按月变动："))
        self.month_category = QComboBox()
        for c in self.store.choices("key_persons", "category"):
            self.month_category.addItem(c, c)
        row.addWidget(self.month_category)
        row.addStretch(1)
        hint = QLabel("点击数字可查看对应人员")
        hint.setStyleSheet("color: #777;")
        row.addWidget(hint)
        lay.addLayout(row)
        self.months_table = QTableWidget(12, len(CHANGE_COLUMNS) + 1)
        self.months_table.setHorizontalHeaderLabels(["月份", "月初", "新增", "解除", "月末"])
        self.months_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.months_table.verticalHeader().hide()
        self.months_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.months_table.cellClicked.connect(lambda r, c: self._open_cell(self.months_table, r, c))
        lay.addWidget(self.months_table, 1)
        return w

    # -- data ---------------------------------------------------------------------------

    def year(self) -> int:
        return self.year_combo.year()

    def set_year(self, year: int) -> None:
        if year != self.year():
            self.year_combo.set_year(year)
        else:
            self.refresh()

    def refresh(self) -> None:
        """Reload the roster, the year's visit counts and 变动 (small tables: GUI thread)."""
        from app.core.figures.breakdowns import key_person_changes, visits_per_person_month
        from app.core.ledgers.privacy import mask_row

        year = self.year()
        selected = self.selected_person_id()
        self.persons = [mask_row("key_persons", r) for r in self.store.rows("key_persons")]
        self._visits_year = visits_per_person_month(self.store, year)
        self._changes = key_person_changes(self.store, year)
        self._fill_roster(select=selected)
        self._fill_changes()
        self._fill_months()

    def _status(self, row: dict) -> str:
        year_end = f"{self.year():04d}-12-31"
        if on_roster(row, year_end):
            return "在册"
        if row.get("listed_on") and row["listed_on"] > year_end:
            return "次年列管"
        return "已解除"

    def _visible_persons(self) -> list[dict]:
        category = self.category_combo.currentData()
        needle = self.search_edit.text().strip()
        out = []
        for r in self.persons:
            if category and r.get("category") != category:
                continue
            if needle and not any(needle in str(r.get(k) or "") for k in ("name", "village", "responsible")):
                continue
            out.append(r)
        return out

    def _fill_roster(self, select: int | None = None) -> None:
        if select is None:
            select = self.selected_person_id()
        rows = self._visible_persons()
        table = self.roster
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        this_month = dt.date.today().month if dt.date.today().year == self.year() else None
        for i, r in enumerate(rows):
            visits = self._visits_year.get(r["id"])
            for j, (key, _label) in enumerate(ROSTER_COLUMNS):
                if key == "status":
                    item = _item(self._status(r))
                elif key == "visits_year":
                    item = _NumItem("" if visits is None else str(sum(visits)))
                    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if visits is not None and this_month and visits[this_month - 1] == 0 and on_roster(r, _today()):
                        item.setForeground(QColor("#c0392b"))
                        item.setToolTip("本月尚未走访")
                else:
                    item = _item(r.get(key))
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, r["id"])
                table.setItem(i, j, item)
            if self._status(r) != "在册":
                for j in range(len(ROSTER_COLUMNS)):
                    table.item(i, j).setForeground(QColor("#888"))
        table.setSortingEnabled(True)
        active = sum(1 for r in rows if self._status(r) == "在册")
        self.count_label.setText(f"共 {len(rows)} 人，{self.year()}年末在册 {active} 人")
        if select is not None:
            self.select_person(select)
        elif rows:  # start on the first person on the roster at the year's end
            first = next((i for i in range(table.rowCount()) if table.item(i, 7).text() == "在册"), 0)
            table.selectRow(first)
        if self.selected_person_id() is None:
            self._show_person(None)

    def select_person(self, person_id: int) -> bool:
        for i in range(self.roster.rowCount()):
            if self.roster.item(i, 0).data(Qt.ItemDataRole.UserRole) == person_id:
                self.roster.selectRow(i)
                return True
        return False

    def selected_person_id(self) -> int | None:
        rows = self.roster.selectionModel().selectedRows() if self.roster.selectionModel() else []
        if not rows:
            return None
        return self.roster.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def selected_person(self) -> dict | None:
        pid = self.selected_person_id()
        return next((r for r in self.persons if r["id"] == pid), None)

    # -- one person ---------------------------------------------------------------------

    def _enable_person_actions(self, on: bool) -> None:
        for b in (self.visit_button, self.open_visits_button, self.open_person_button, self.reveal_button):
            b.setEnabled(on)

    def _show_selected(self) -> None:
        self._show_person(self.selected_person())

    def _show_person(self, person: dict | None) -> None:
        self._revealed = None
        self.reveal_button.setText("显示")
        self._enable_person_actions(person is not None)
        self.history.clear()
        self.visits_table.setRowCount(0)
        self.month_strip.setText("")
        if person is None:
            self.person_title.setText("请在左侧选择一名重点人员")
            self.id_label.setText("")
            for lab in self.info_labels.values():
                lab.setText("")
            self.visits_box.setTitle("走访记录")
            return
        sub = f"·{person['subcategory']}" if person.get("subcategory") else ""
        self.person_title.setText(f"{person.get('name')}（{person.get('category')}{sub}）")
        self.id_label.setText(person.get("id_number") or "未填写")
        self.reveal_button.setEnabled(bool(person.get("id_number")))
        for key, lab in self.info_labels.items():
            lab.setText(str(person.get(key) or ""))
        self.history.addItem(f"{person.get('listed_on')}  列管" + (f"（{person['subcategory']}）" if sub else ""))
        if person.get("released_on"):
            reason = f"（{person['release_reason']}）" if person.get("release_reason") else ""
            self.history.addItem(f"{person['released_on']}  解除{reason}")
        else:
            self.history.addItem("尚未解除")
        if person.get("reoffended_on"):
            self.history.addItem(f"{person['reoffended_on']}  重新犯罪")
        visits = self.person_visits(person["id"])
        self.visits_box.setTitle(f"走访记录（共 {len(visits)} 次）")
        self.visits_table.setRowCount(len(visits))
        for i, v in enumerate(visits):
            for j, key in enumerate(("date", "visitor", "method", "record")):
                self.visits_table.setItem(i, j, _item(v.get(key), v["id"] if j == 0 else None))
        months = self._visits_year.get(person["id"])
        if months:
            strip = "  ".join(f"{m}月{n}" for m, n in enumerate(months, 1))
            self.month_strip.setText(f"{self.year()}年每月走访次数：{strip}")

    def person_visits(self, person_id: int) -> list[dict]:
        """A person's visits, newest first."""
        return self.store.rows("visits", where="person_id = ?", params=[person_id], order_by='"date" DESC, id DESC')

    def toggle_reveal(self) -> None:
        """Show the whole ID number (logged), or mask it again."""
        person = self.selected_person()
        if person is None:
            return
        if self._revealed is not None:
            self._revealed = None
            self.id_label.setText(person.get("id_number") or "")
            self.reveal_button.setText("显示")
            return
        from app.core.safety.reveal import reveal_idcard

        number = reveal_idcard(self.store, "key_persons", person["id"])
        self._revealed = number or ""
        self.id_label.setText(number or "未填写")
        self.reveal_button.setText("隐藏")

    def make_visit_dialog(self) -> VisitDialog | None:
        person = self.selected_person()
        if person is None:
            return None
        return VisitDialog(self.store, person, self)

    def record_visit(self) -> int | None:
        """One click from a person: the 记录走访 dialog, prefilled; returns the new row id."""
        dlg = self.make_visit_dialog()
        if dlg is None:
            return None
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.saved_id is None:
            return None
        pid = dlg.person["id"]
        self.refresh()
        self.select_person(pid)
        self.visit_recorded.emit(dlg.saved_id)
        return dlg.saved_id

    def _open_person_visits(self) -> None:
        pid = self.selected_person_id()
        if pid is not None:
            self.open_rows.emit("visits", [v["id"] for v in self.person_visits(pid)])

    def _open_person(self) -> None:
        pid = self.selected_person_id()
        if pid is not None:
            self.open_rows.emit("key_persons", [pid])

    # -- 变动 ---------------------------------------------------------------------------

    def _fill_changes(self) -> None:
        year = self.year()
        self.changes_caption.setText(f"{year}年重点人群变动（期初为{year - 1}年12月31日在册人数）")
        cats = list(self._changes)
        t = self.changes_table
        t.setRowCount(len(cats) + 1)
        totals = dict.fromkeys((k for k, _ in CHANGE_COLUMNS), 0)
        all_ids: dict[str, list[int]] = {k: [] for k, _ in CHANGE_COLUMNS}
        for i, cat in enumerate(cats):
            ids = year_change_ids([r for r in self.persons if r.get("category") == cat], year)
            t.setItem(i, 0, _item(cat))
            for j, (key, _label) in enumerate(CHANGE_COLUMNS, 1):
                n = self._changes[cat].get(key, 0)
                totals[key] += n
                all_ids[key] += ids[key]
                t.setItem(i, j, _item(n, ("key_persons", ids[key]), align_right=True))
        last = len(cats)
        t.setItem(last, 0, _item("合计"))
        for j, (key, _label) in enumerate(CHANGE_COLUMNS, 1):
            t.setItem(last, j, _item(totals[key], ("key_persons", all_ids[key]), align_right=True))
        for j in range(t.columnCount()):
            font = t.item(last, j).font()
            font.setBold(True)
            t.item(last, j).setFont(font)

    def _fill_months(self) -> None:
        cat = self.month_category.currentData()
        rows = [r for r in self.persons if r.get("category") == cat]
        months = monthly_changes(rows, self.year())
        t = self.months_table
        for m, data in enumerate(months):
            t.setItem(m, 0, _item(f"{m + 1}月"))
            for j, (key, _label) in enumerate(CHANGE_COLUMNS, 1):
                t.setItem(m, j, _item(len(data[key]), ("key_persons", data[key]), align_right=True))

    def _open_cell(self, table: QTableWidget, row: int, col: int) -> None:
        item = table.item(row, col)
        data = item.data(Qt.ItemDataRole.UserRole) if item else None
        if data:
            self.open_rows.emit(data[0], list(data[1]))


def _today() -> str:
    return dt.date.today().isoformat()
