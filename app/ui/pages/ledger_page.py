"""One ledger's page: toolbar, year/month filters, search, and the windowed table.

Keys: Ctrl+N (or Insert) 新增, Enter or double-click 编辑, Delete 删除 (to the 回收站),
Ctrl+F the search box.  Export and template files are written off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core.safety import drafts
from app.core.storage import query
from app.ui.models.ledger_model import LedgerModel
from app.ui.widgets import file_dialogs
from app.ui.widgets.titles import page_title
from app.ui.workers import Worker, can_thread, thread_store

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

MONTHS = ["全部月份"] + [f"{m}月" for m in range(1, 13)]


def is_readonly(store: Store) -> bool:
    return bool(getattr(store, "readonly", False))


def size_columns(table: QTableView, model: LedgerModel) -> None:
    """Column widths from the catalog's field widths (in characters)."""
    em = table.fontMetrics().horizontalAdvance("汉")
    for i, f in enumerate(model.fields):
        table.setColumnWidth(i, int(max(5, min(f.width, 30)) * em * 0.62) + 14)


def _build_fts(store: Store, ledger_id: str) -> bool:
    with thread_store(store) as s:
        return query.ensure_fts(s, ledger_id)


def _export(store: Store, ledger_id: str, path: str, year: int | None) -> int:
    from app.core.io.exporter import export_ledger

    with thread_store(store) as s:
        return export_ledger(s, ledger_id, path, year=year)


def _template(store: Store, ledger_id: str, path: str) -> str:
    from app.core.io.template import write_template

    with thread_store(store) as s:
        return str(write_template(s, ledger_id, path))


class LedgerPage(QWidget):
    """``status(str)`` carries the row count (and other notes) for the main window's status bar."""

    status = Signal(str)
    changed = Signal(str)  # ledger id, after any write from this page

    def __init__(self, store: Store, ledger_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.model = LedgerModel(store, ledger_id, desc=True, parent=self)  # newest first
        self.ledger = self.model.ledger
        self._workers: list[Worker] = []
        self._fts_tried = False
        self._build()
        self._fill_years()
        self.update_incomplete()
        self.update_count()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 4)
        title = page_title(self.ledger.name)

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        ro = is_readonly(self.store)

        def act(text: str, slot, keys=(), tip: str = "", enabled: bool = True) -> QAction:
            a = QAction(text, self)
            if keys:
                a.setShortcuts([QKeySequence(k) for k in keys])
                a.setShortcutContext(Qt.WidgetWithChildrenShortcut)
                tip = tip or f"{text}（{QKeySequence(keys[0]).toString(QKeySequence.NativeText)}）"
            a.setToolTip(tip or text)
            a.triggered.connect(lambda _checked=False: slot())  # never pass `checked` on as an argument
            a.setEnabled(enabled)
            self.addAction(a)
            self.toolbar.addAction(a)
            return a

        self.act_new = act("新增", self.new_record, ("Ctrl+N", "Insert"), enabled=not ro)
        self.act_edit = act("编辑", self.edit_current, (), "编辑选中的记录（Enter 或双击）", enabled=not ro)
        self.act_delete = act("删除", self.delete_selected, ("Delete",), "移入回收站（Delete）", enabled=not ro)
        self.toolbar.addSeparator()
        self.act_import = act("导入", self.import_file, (), "从 Excel/CSV 导入（先预览）", enabled=not ro)
        self.act_export = act("导出", self.export_file, (), "导出为 Excel 或 CSV（身份证号打码）")
        self.act_template = act("下载模板", self.save_template, (), "带表头和下拉选项的空白 Excel 模板")

        filters = QHBoxLayout()
        self.year_combo = QComboBox()
        self.month_combo = QComboBox()
        self.month_combo.addItems(MONTHS)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索（Ctrl+F）：输入关键字，多个关键字用空格分隔")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.only_bar = QWidget()
        only_lay = QHBoxLayout(self.only_bar)
        only_lay.setContentsMargins(0, 0, 0, 0)
        self.only_label = QLabel()
        self.only_label.setStyleSheet("color: #8a5a00;")
        show_all = QPushButton("显示全部")
        show_all.clicked.connect(self.show_all)
        only_lay.addWidget(self.only_label)
        only_lay.addWidget(show_all)
        only_lay.addStretch(1)
        self.only_bar.hide()
        filters.addWidget(QLabel("年份："))
        filters.addWidget(self.year_combo)
        filters.addWidget(QLabel("月份："))
        filters.addWidget(self.month_combo)
        filters.addSpacing(12)
        filters.addWidget(self.search, 1)
        self.incomplete_button = QPushButton()
        self.incomplete_button.setCheckable(True)
        self.incomplete_button.setToolTip("只显示导入时缺少必填项或取值没认出的记录，逐条打开补全")
        self.incomplete_button.setStyleSheet("color: #a35c00;")
        self.incomplete_button.toggled.connect(self._toggle_incomplete)
        self.incomplete_button.hide()
        filters.addWidget(self.incomplete_button)
        filters.addWidget(self.count_label)
        focus_search = QAction(self)
        focus_search.setShortcut(QKeySequence("Ctrl+F"))
        focus_search.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        focus_search.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(focus_search)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        date_col = next((i for i, f in enumerate(self.model.fields) if f.key == self.ledger.date_field), -1)
        self.table.horizontalHeader().setSortIndicator(date_col, Qt.DescendingOrder)  # newest first
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        size_columns(self.table, self.model)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        self.table.installEventFilter(self)

        lay.addWidget(title)
        lay.addWidget(self.toolbar)
        lay.addLayout(filters)
        lay.addWidget(self.only_bar)
        lay.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filter)
        self.year_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.month_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.model.modelAboutToBeReset.connect(self._busy_cursor)
        self.model.modelReset.connect(self._normal_cursor)
        self.model.modelReset.connect(self.update_count)

    def focus_main(self) -> None:
        """Keyboard focus on the table (from the side bar's Enter)."""
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    def _fill_years(self) -> None:
        years = query.year_choices(self.store, self.ledger.id)  # next year down to the first with data
        self.year_combo.blockSignals(True)
        current = self.year_combo.currentData()
        self.year_combo.clear()
        self.year_combo.addItem("全部年份", None)
        for y in years:
            self.year_combo.addItem(f"{y}年", y)
        i = self.year_combo.findData(current)
        self.year_combo.setCurrentIndex(max(0, i))
        self.year_combo.blockSignals(False)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.table and event.type() == QEvent.KeyPress and event.modifiers() == Qt.NoModifier:
            if event.key() in (Qt.Key_Return, Qt.Key_Enter):
                self.edit_current()
                return True
            if event.key() == Qt.Key_Delete:  # also when no shortcut fired (e.g. window not active)
                self.delete_selected()
                return True
        return super().eventFilter(obj, event)

    # -- filtering ------------------------------------------------------------------------

    def set_year(self, year: int | None) -> None:
        i = self.year_combo.findData(year)
        if i < 0 and year is not None:
            self.year_combo.addItem(f"{year}年", year)
            i = self.year_combo.count() - 1
        self.year_combo.setCurrentIndex(max(0, i))

    def set_month(self, month: int | None) -> None:
        self.month_combo.setCurrentIndex(month or 0)

    def set_search(self, text: str) -> None:
        self.search.setText(text)
        self.apply_filter()

    def apply_filter(self) -> None:
        self._search_timer.stop()
        text = self.search.text().strip()
        if text and not self._fts_tried:
            self._start_fts()
        self.model.set_filter(
            year=self.year_combo.currentData(),
            month=self.month_combo.currentIndex() or None,
            search=text,
            only=self.model.query.only,
            incomplete=self.incomplete_button.isChecked(),
        )

    def _toggle_incomplete(self, on: bool) -> None:
        """待补充 N 条: just those rows, of every year (a row may lack its date too)."""
        if on:
            self.year_combo.blockSignals(True)
            self.year_combo.setCurrentIndex(0)
            self.year_combo.blockSignals(False)
        self.apply_filter()

    def update_incomplete(self) -> None:
        """The 待补充 filter's button: shown while the ledger has such rows, with their count."""
        n = self.store.count_incomplete(self.ledger.id)
        self.incomplete_button.setText(f"待补充 {n} 条")
        self.incomplete_button.setVisible(n > 0 or self.incomplete_button.isChecked())

    def _clear_filter_widgets(self) -> None:
        """年份, 月份 and 搜索 back to "all", without each one re-filtering the table."""
        for combo in (self.year_combo, self.month_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)

    def show_only(self, ids: list[int], note: str = "") -> None:
        """Show just these rows (e.g. the rows behind a figure or a to-do)."""
        self._clear_filter_widgets()
        self.model.set_filter(only=list(ids))
        self.only_label.setText(note or f"只显示相关的 {len(ids)} 条记录")
        self.only_bar.show()

    def show_all(self) -> None:
        self.only_bar.hide()
        self.model.query.only = None
        self.apply_filter()

    def hideEvent(self, event) -> None:
        """Leaving the page (side bar, another page) ends a filter from 首页 or a to-do: coming
        back shows the ledger, not "只显示相关的 0 条记录" (minimising the window does not)."""
        super().hideEvent(event)
        if not event.spontaneous() and self.model.query.only is not None:
            self.show_all()

    def reveal(self, row_id: int) -> None:
        """A record just saved is never hidden: drop the filters that hide it (a new record is
        never among the rows a figure pointed at)."""
        if self.model.row_of(row_id) >= 0:
            return
        self.only_bar.hide()
        self._clear_filter_widgets()
        self.model.set_filter()

    def _start_fts(self) -> None:
        """Build the search index once, in the background; LIKE serves until it is ready."""
        self._fts_tried = True
        if is_readonly(self.store) or query.has_fts(self.store, self.ledger.id):
            return
        if not can_thread(self.store):
            query.ensure_fts(self.store, self.ledger.id)
            return
        w = Worker(_build_fts, self.store, self.ledger.id)
        w.finished.connect(self._fts_ready)
        self._run(w)

    def _fts_ready(self, ok: bool) -> None:
        if ok and self.search.text().strip():
            self.apply_filter()

    def _busy_cursor(self) -> None:
        """Re-reading the ids of a big ledger takes a moment: say so with the cursor."""
        self._cursor_set = self.model.total() > 50_000
        if self._cursor_set:
            from PySide6.QtWidgets import QApplication

            QApplication.setOverrideCursor(Qt.WaitCursor)

    def _normal_cursor(self) -> None:
        if getattr(self, "_cursor_set", False):
            from PySide6.QtWidgets import QApplication

            QApplication.restoreOverrideCursor()
            self._cursor_set = False

    def update_count(self) -> None:
        n = self.model.total()
        text = f"共 {n:,} 条"
        q = self.model.query
        if q.year or q.month or q.search.strip() or q.only is not None or q.incomplete:
            text += "（已筛选）"
        self.count_label.setText(text)
        self.status.emit(f"{self.ledger.name}：{text}")

    def refresh(self) -> None:
        self._fill_years()
        self.update_incomplete()
        self.model.refresh()

    # -- rows -----------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_id(r) for r in rows]

    def current_id(self) -> int | None:
        idx = self.table.currentIndex()
        if idx.isValid():
            return self.model.row_id(idx.row())
        ids = self.selected_ids()
        return ids[0] if ids else None

    def select_id(self, row_id: int) -> None:
        row = self.model.row_of(row_id)
        if row >= 0:
            idx = self.model.index(row, 0)
            self.table.setCurrentIndex(idx)
            self.table.selectionModel().select(idx, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
            self.table.scrollTo(idx)

    def open_form(self, row_id: int | None = None):
        from app.ui.forms.record_form import RecordForm

        form = RecordForm(self.store, self.ledger.id, row_id=row_id, parent=self)
        form.saved.connect(self._saved)
        return form

    def new_record(self) -> None:
        """新增; when typing was lost last time (crash, kill, power cut), offer it back first."""
        if is_readonly(self.store):
            return
        draft = drafts.load(self.store, self.ledger.id)
        if draft is None:
            self._after_form(self.open_form())
            return
        if not self.offer_draft(draft):
            drafts.clear(self.store, self.ledger.id)
            self._after_form(self.open_form())
            return
        row_id = draft.row_id
        if row_id is not None and self.store.get(self.ledger.id, row_id) is None:
            row_id = None  # the row went to the 回收站 meanwhile: the draft becomes a new record
        form = self.open_form(row_id)
        form.restore(draft.values)
        self._after_form(form)

    def offer_draft(self, draft: drafts.Draft) -> bool:
        when = draft.saved_at.replace("T", " ")[:16]
        what = "修改" if draft.row_id is not None else "录入"
        box = QMessageBox(
            QMessageBox.Question, "恢复未保存的内容", f"上次{what}的内容没有保存（{when}）。", parent=self
        )
        box.setInformativeText("要恢复并继续录入吗？")
        restore = box.addButton("恢复", QMessageBox.AcceptRole)
        box.addButton("不要了", QMessageBox.DestructiveRole)
        box.setDefaultButton(restore)
        box.exec()
        return box.clickedButton() is restore

    def edit_current(self) -> None:
        row_id = self.current_id()
        if row_id is None or is_readonly(self.store):
            return
        self._after_form(self.open_form(row_id), new=False)

    def _after_form(self, form, new: bool = True) -> None:
        """Reload once when the form closes, however many records Ctrl+Enter saved meanwhile.
        A new record is never hidden by a filter; an edited one may leave the rows shown (a
        待补充 row completed under the 待补充 filter goes, and the next one is there)."""
        self._last_saved: int | None = None
        form.exec()
        if form.saved_count:
            self.refresh()
            if self._last_saved is not None:
                if new:
                    self.reveal(self._last_saved)
                self.select_id(self._last_saved)
            self.status.emit(f"已保存 {form.saved_count} 条记录；{self.count_label.text()}")
            self.changed.emit(self.ledger.id)

    def _saved(self, row_id: int) -> None:
        self._last_saved = row_id

    def delete_selected(self, confirm: bool = True) -> int:
        ids = self.selected_ids()
        if not ids or is_readonly(self.store):
            return 0
        if confirm:
            answer = QMessageBox.question(
                self,
                "删除记录",
                f"将选中的 {len(ids)} 条记录移入回收站？\n（可在“回收站”中恢复）",
                QMessageBox.Yes | QMessageBox.No,
                QMessageBox.No,
            )
            if answer != QMessageBox.Yes:
                return 0
        n = self.store.delete(self.ledger.id, ids)
        self.refresh()
        self.status.emit(f"已将 {n} 条记录移入回收站")
        self.changed.emit(self.ledger.id)
        return n

    # -- files ----------------------------------------------------------------------------

    def import_file(self, path: str | None = None) -> None:
        """The import dialog (it asks for the file unless given): preview, then write."""
        from app.ui.dialogs.import_dialog import ImportDialog

        dlg = ImportDialog(self.store, self.ledger.id, self, path=path)
        dlg.exec()
        self.refresh()
        self.changed.emit(self.ledger.id)

    def export_file(self, path: str | None = None) -> Worker | None:
        if path is None:
            year = self.year_combo.currentData()
            suggested = str(Path.home() / f"{self.ledger.name}{f'{year}年' if year else ''}.xlsx")
            path = file_dialogs.save_file_name(
                self, "导出台账", suggested, "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)", folder="export"
            )
            if not path:
                return None
        w = Worker(_export, self.store, self.ledger.id, path, self.year_combo.currentData())
        self._export_path = path
        w.finished.connect(self._exported)
        self.status.emit("正在导出……")
        return self._run(w)

    def _exported(self, n: int) -> None:
        self.status.emit(f"已导出 {n} 条记录到 {self._export_path}")

    def save_template(self, path: str | None = None) -> Worker | None:
        if path is None:
            suggested = str(Path.home() / f"{self.ledger.name}模板.xlsx")
            path = file_dialogs.save_file_name(self, "下载模板", suggested, "Excel 工作簿 (*.xlsx)", folder="export")
            if not path:
                return None
        w = Worker(_template, self.store, self.ledger.id, path)
        w.finished.connect(self._template_saved)
        return self._run(w)

    def _template_saved(self, path: str) -> None:
        self.status.emit(f"模板已保存到 {path}")

    def _run(self, w: Worker) -> Worker:
        """Start a worker; its signals go to bound methods, which Qt drops with the page."""
        self._workers = [x for x in self._workers if x.is_running()]
        self._workers.append(w)
        w.failed.connect(self._failed)
        w.start(in_thread=can_thread(self.store))
        return w

    def _failed(self, message: str) -> None:
        QMessageBox.warning(self, "操作未完成", message)

    def busy(self) -> bool:
        return any(w.is_running() for w in self._workers)
