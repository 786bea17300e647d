"""导入: read and check a spreadsheet in a worker (progress bar, 取消), show the plan (which
sheet goes into which ledger), a mapping step for the columns and values the program did not
recognise (and a value for a column the sheet lacks), the rows that would go in (duplicates
of live rows counted and left out, 待补充 rows marked) and the rows that cannot be records
with their reasons; write nothing until the clerk presses 确认导入, or 导入其余 N 条 when
some rows are bad (one transaction; the bad rows saved as a workbook beside the file, with a
原因 column, unless the clerk unticks it).

One ledger: ``ImportDialog(store, ledger_id, parent, path=None)``.  A whole workbook of
several ledgers (last year's Excel, on the first run): ``ImportDialog.for_workbook(store,
path=None, parent=None)``; each sheet's ledger is recognised from its header."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.dialogs.import_mapping import MappingPanel
from app.ui.widgets import file_dialogs
from app.ui.workers import Cancelled, Worker, can_thread, thread_store

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

PREVIEW_ROWS = 200  # rows shown in the preview table (all of them are imported)
FILE_FILTER = "表格文件 (*.xlsx *.xls *.ods *.csv);;所有文件 (*)"


def read_preview(store: Store, ledger_id: str | None, path: str, worker: Worker, mappings: dict | None = None):
    """``preview_import`` in the worker thread, with progress and cancel."""
    from app.core.io.importer import preview_import
    from app.core.io.scan import ImportCancelled

    def progress(done: int, total: int) -> None:
        pct = 100 * done / total if total else 0
        worker.report(min(99, pct), f"已检查 {done} 行")

    kw = {"mappings": mappings} if mappings else {}
    with thread_store(store) as s:
        try:
            return preview_import(
                s, ledger_id, path, progress=progress, should_cancel=worker.is_cancelled, skip_bad=True, **kw
            )
        except ImportCancelled:
            raise Cancelled() from None


def write_preview(store: Store, preview, note: str = "", rejects: str | None = None) -> int:
    from app.core.io.importer import commit_import

    with thread_store(store) as s:
        return commit_import(s, preview, note, rejects=rejects)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def display_value(field, value: Any) -> str:
    if value is None:
        return ""
    if field.personal:
        from app.core.ledgers.privacy import mask_value

        return mask_value(str(value)) or ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class ImportDialog(QDialog):
    """Import one file into ``ledger_id`` (or, with ``ledger_id`` None, each sheet into the
    ledger its header names) with a mapping step and a preview; ``imported(count)`` after
    writing."""

    imported = Signal(int)
    preview_ready = Signal()

    @classmethod
    def for_workbook(cls, store: Store, path: str | Path | None = None, parent: QWidget | None = None) -> ImportDialog:
        """A whole workbook of several ledgers (last year's Excel): each sheet's ledger is
        recognised from its header; the plan (sheet → ledger, rows) is shown before 确认导入."""
        return cls(store, None, parent, path=path)

    def __init__(
        self, store: Store, ledger_id: str | None, parent: QWidget | None = None, path: str | Path | None = None
    ):
        super().__init__(parent)
        from app.core.ledgers import catalog

        self.store = store
        self.ledger = catalog.get(ledger_id) if ledger_id else None
        self.preview = None
        self.given: dict = {}  # mappings chosen in the mapping step, by ledger id
        self.count_written: int | None = None
        self._worker: Worker | None = None
        what = self.ledger.name if self.ledger else "台账"
        self.setWindowTitle(f"导入 — {what}")
        self.resize(960, 640)
        self._build()
        if path is None:
            path = file_dialogs.open_file_name(parent, f"选择要导入{what}的文件", "", FILE_FILTER, folder="import")
        self.path = Path(path) if path else None
        if self.path is None:
            self.status_label.setText("没有选择文件。")
        else:
            self.file_label.setText(f"文件：{self.path}")
            QTimer.singleShot(0, self.start_preview)

    def exec(self) -> int:
        if self.path is None:  # the clerk cancelled the file dialog: nothing to show
            return QDialog.DialogCode.Rejected
        return super().exec()

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        text = f"导入到“{self.ledger.name}”" if self.ledger else "导入台账（按表头识别每个工作表是哪个台账）"
        head = QLabel(text)
        head.setStyleSheet("font-size: 13pt; font-weight: bold;")
        lay.addWidget(head)
        self.file_label = QLabel("")
        self.file_label.setWordWrap(True)
        self.file_label.setStyleSheet("color: #555;")
        lay.addWidget(self.file_label)
        prog = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        prog.addWidget(self.progress, 1)
        lay.addLayout(prog)
        lay.addWidget(self.status_label)
        self.plan_label = QLabel("")
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.plan_label)

        self.tabs = QTabWidget()
        self.mapping_panel = MappingPanel()
        mapping_tab = QWidget()
        mlay = QVBoxLayout(mapping_tab)
        mlay.addWidget(self.mapping_panel, 1)
        self.recheck_button = QPushButton("按此对应重新检查")
        self.recheck_button.setEnabled(False)
        self.recheck_button.clicked.connect(self.recheck)
        mrow = QHBoxLayout()
        mrow.addStretch(1)
        mrow.addWidget(self.recheck_button)
        mlay.addLayout(mrow)

        rows_tab = QWidget()
        rlay = QVBoxLayout(rows_tab)
        self.sheet_picker = QComboBox()
        self.sheet_picker.currentIndexChanged.connect(self._show_rows)
        self.sheet_picker.hide()
        rlay.addWidget(self.sheet_picker)
        self.rows_table = QTableWidget(0, 1)
        rlay.addWidget(self.rows_table, 1)
        if self.ledger is not None:
            self._set_columns(self.ledger)
        self.errors_table = QTableWidget(0, 3)
        self.errors_table.setHorizontalHeaderLabels(["行号", "列", "原因"])
        for t in (self.rows_table, self.errors_table):
            t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            t.verticalHeader().hide()
            t.setAlternatingRowColors(True)
            t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            t.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(rows_tab, "将导入的记录")
        self.tabs.addTab(self.errors_table, "有错误的行")
        self.tabs.addTab(mapping_tab, "对应关系")
        lay.addWidget(self.tabs, 1)

        self.rejects_row = QWidget()
        rj = QHBoxLayout(self.rejects_row)
        rj.setContentsMargins(0, 0, 0, 0)
        self.rejects_check = QCheckBox("把有问题的行另存为表格（含“原因”列，改正后可再导入）：")
        self.rejects_check.setChecked(True)
        self.rejects_label = QLabel("")
        self.rejects_label.setStyleSheet("color: #555;")
        self.rejects_change = QPushButton("更改…")
        self.rejects_change.clicked.connect(self.choose_rejects)
        rj.addWidget(self.rejects_check)
        rj.addWidget(self.rejects_label, 1)
        rj.addWidget(self.rejects_change)
        self.rejects_row.hide()
        self.rejects_file: Path | None = None
        lay.addWidget(self.rejects_row)

        buttons = QHBoxLayout()
        self.note_label = QLabel("确认前不会写入任何数据；有问题的行不导入，可另存后改正再导入。")
        self.note_label.setStyleSheet("color: #777;")
        self.confirm_button = QPushButton("确认导入")
        self.confirm_button.setEnabled(False)
        self.confirm_button.setStyleSheet("font-weight: bold; padding: 4px 14px;")
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.note_label, 1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.cancel_button)
        lay.addLayout(buttons)

    def _set_columns(self, ledger) -> None:
        self.rows_table.setColumnCount(len(ledger.fields) + 1)
        self.rows_table.setHorizontalHeaderLabels(["行号", *[f.label for f in ledger.fields]])

    # -- preview ------------------------------------------------------------------------

    def start_preview(self) -> None:
        if self.path is None or (self._worker is not None and self._worker.is_running()):
            return
        self.status_label.setText("正在读取并检查文件…")
        self.progress.setValue(0)
        self.progress.show()
        self.confirm_button.setEnabled(False)
        self.recheck_button.setEnabled(False)
        store, ledger_id, path, given = self.store, self.ledger.id if self.ledger else None, str(self.path), self.given
        worker = Worker(lambda: read_preview(store, ledger_id, path, worker, given))
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._show_preview)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self._worker = worker
        worker.start(in_thread=can_thread(self.store))

    def recheck(self) -> None:
        """Check the file again with the columns, values and fills chosen in the mapping step;
        the value mappings are remembered now, whatever then happens to the import."""
        from app.core.io.mapping import Mapping, remember

        for lg_id, mapping in self.mapping_panel.mappings().items():
            old = self.given.get(lg_id)
            self.given[lg_id] = old.merged(mapping) if old is not None else mapping
            if any(mapping.values.values()) and not getattr(self.store, "readonly", False):
                remember(self.store, lg_id, Mapping(values=mapping.values))
        self.start_preview()

    def _on_progress(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        if text:
            self.status_label.setText(text)

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.status_label.setText(f"<span style='color:#c0392b'>无法导入：{message}</span>")
        self.cancel_button.setText("关闭")

    def _on_cancelled(self) -> None:
        self.progress.hide()
        self.status_label.setText("已取消，没有写入任何数据。")
        self.cancel_button.setText("关闭")

    def _show_preview(self, preview) -> None:
        self.preview = preview
        self.progress.setValue(100)
        self.progress.hide()
        self._show_plan(preview)
        self.mapping_panel.show_for(preview, self.given, self.store.choices)
        self.recheck_button.setEnabled(self.mapping_panel.count() > 0)
        self.tabs.setTabText(2, f"对应关系（{self.mapping_panel.count()}）")
        errors = list(preview.errors)
        from app.core.io.rejects import rejects_path

        self.rejects_file = rejects_path(self.path)
        self.rejects_label.setText(str(self.rejects_file))
        self.errors_table.setRowCount(len(errors))
        for i, e in enumerate(errors):
            where = f"{e.sheet} 第{e.row}行" if e.sheet else str(e.row)
            for j, value in enumerate((where, e.label, e.message)):
                item = QTableWidgetItem(str(value))
                if j == 2:
                    item.setToolTip(str(value))
                self.errors_table.setItem(i, j, item)
        self.sheet_picker.blockSignals(True)
        self.sheet_picker.clear()
        for s in preview.sheets:
            more = f"，其中 {s.incomplete} 条待补充" if s.incomplete else ""
            self.sheet_picker.addItem(f"{s.sheet or self.path.name} → {s.ledger.name}（{len(s.rows)} 条新记录{more}）")
        self.sheet_picker.setVisible(len(preview.sheets) > 1)
        first = next((i for i, s in enumerate(preview.sheets) if s.rows), 0)
        self.sheet_picker.setCurrentIndex(first)
        self.sheet_picker.blockSignals(False)
        self._show_rows(first)
        n = sum(len(s.rows) for s in preview.sheets)  # exactly what the table lists, sheet by sheet
        bad = preview.bad_rows
        self.tabs.setTabText(0, f"将导入的记录（{n}）")
        self.tabs.setTabText(1, f"有问题的行（{bad or len(errors)}）")
        writable = n or preview.updated or preview.completed
        incomplete = (
            f"，其中 {preview.incomplete} 条待补充（缺少必填项或取值没认出，导入后可在台账页筛选补全）"
            if preview.incomplete
            else ""
        )
        self.rejects_row.setVisible(bool(bad) and not preview.fatal)
        if preview.fatal:
            hint = "，或在“对应关系”中指明不认识的列" if self.mapping_panel.count() else ""
            self.status_label.setText(
                f"<span style='color:#c0392b'>表头有问题（共 {len(errors)} 处），整个文件不能导入。"
                f"请按“有问题的行”修改后重新导入{hint}。</span>"
            )
            self.tabs.setCurrentIndex(1)
            self.confirm_button.setEnabled(False)
            self.cancel_button.setText("关闭")
        elif not writable:
            dup = f"{preview.duplicates} 条重复，不导入。" if preview.duplicates else ""
            why = f"{bad} 行有问题，不能导入。" if bad else ""
            self.status_label.setText(f"文件中没有新的记录可以导入。{why}{dup}")
            self.tabs.setCurrentIndex(1 if bad else 0)
            self.confirm_button.setEnabled(False)
            self.cancel_button.setText("关闭")
        else:
            parts = [f"{'' if bad else '检查通过：'}共 {n} 条新记录可以导入{incomplete}"]
            if bad:
                parts.append(f"<span style='color:#c0392b'>{bad} 行有问题，不能导入（见“有问题的行”）</span>")
            if preview.duplicates:
                parts.append(f"{preview.duplicates} 条重复，不导入")
            if preview.updated:
                parts.append(f"{preview.updated} 条将按记录编号修改")
            if preview.completed:
                parts.append(f"{preview.completed} 条此前导入的待补充记录将被补全")
            more = f"（下表显示前 {PREVIEW_ROWS} 行）" if n > PREVIEW_ROWS else ""
            press = f"按“导入其余 {n} 条”写入" if bad else "按“确认导入”写入"
            self.status_label.setText("；".join(parts) + f"{more}。{press}。")
            # 待补充 rows a mapping could complete: the mapping step first
            self.tabs.setCurrentIndex(2 if preview.incomplete and self.mapping_panel.count() else 0)
            self.confirm_button.setText(f"导入其余 {n} 条" if bad else "确认导入")
            self.confirm_button.setEnabled(True)
            self.cancel_button.setText("取消")
        self.preview_ready.emit()

    def _show_plan(self, preview) -> None:
        lines = []
        if self.ledger is None or preview.several:
            lines += ["导入计划（工作表 → 台账）：", *(f"\t{line}" for line in preview.plan_lines())]
        lines += preview.warnings()
        self.plan_label.setText("<br>".join(_html(line).replace("\t", "&nbsp;" * 6) for line in lines))
        self.plan_label.setVisible(bool(lines))

    def _show_rows(self, index: int) -> None:
        preview = self.preview
        if preview is None or not preview.sheets:
            self.rows_table.setRowCount(0)
            return
        sheet = preview.sheets[max(0, index)]
        self._set_columns(sheet.ledger)
        rows = sheet.rows[:PREVIEW_ROWS]
        self.rows_table.setRowCount(len(rows))
        from app.ui.models.ledger_model import INCOMPLETE_BACKGROUND, INCOMPLETE_TEXT, incomplete_fields, lacking_text

        for i, values in enumerate(rows):
            number = sheet.row_numbers[i] if i < len(sheet.row_numbers) else ""
            lacking = incomplete_fields({"incomplete": values[-1]})
            tip = lacking_text(sheet.ledger, lacking) if lacking else ""
            self.rows_table.setItem(i, 0, QTableWidgetItem(f"{number} 待补充" if lacking else str(number)))
            for j, (f, value) in enumerate(zip(sheet.ledger.fields, values[:-1], strict=True), 1):
                text = self._ref_title(f, value) if f.kind == "ref" else display_value(f, value)
                if f.key in lacking and not text:
                    text = f"〔待补充：{lacking[f.key]}〕" if lacking[f.key] else "〔待补充〕"
                item = QTableWidgetItem(text)
                if lacking:
                    item.setBackground(QColor(INCOMPLETE_BACKGROUND))
                    item.setToolTip(tip)
                    if f.key in lacking:
                        item.setForeground(QColor(INCOMPLETE_TEXT))
                self.rows_table.setItem(i, j, item)
            if lacking:
                self.rows_table.item(i, 0).setBackground(QColor(INCOMPLETE_BACKGROUND))
                self.rows_table.item(i, 0).setToolTip(tip)

    def _ref_title(self, field, row_id: Any) -> str:
        """A referenced row by its title (重点人员 by 姓名), not by its internal id."""
        if row_id is None:
            return ""
        cache = self.__dict__.setdefault("_titles", {})
        if (field.ref, row_id) not in cache:
            from app.core.ledgers import catalog

            target = catalog.get(field.ref)
            row = self.store.get(target.id, int(row_id))
            cache[field.ref, row_id] = str(row.get(target.title_field) or row_id) if row else str(row_id)
        return cache[field.ref, row_id]

    def preview_row_count(self) -> int:
        return self.preview.count if self.preview is not None else 0

    def choose_rejects(self) -> None:
        """更改…: where the bad rows are saved."""
        start = str(self.rejects_file or "")
        path = file_dialogs.save_file_name(self, "有问题的行另存为", start, "Excel 工作簿 (*.xlsx)", folder="import")
        if path:
            self.rejects_file = Path(path)
            self.rejects_label.setText(path)
            self.rejects_check.setChecked(True)

    def error_count(self) -> int:
        return len(self.preview.errors) if self.preview is not None else 0

    # -- commit -------------------------------------------------------------------------

    def confirm(self) -> None:
        """Write the previewed rows: one transaction, one audit entry."""
        p = self.preview
        if p is None or p.fatal or not (p.count or p.updated or p.completed):
            return
        self.confirm_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy: one transaction, no steps to count
        self.progress.show()
        self.status_label.setText("正在写入…")
        keep = p.bad_rows and self.rejects_check.isChecked() and self.rejects_file is not None
        worker = Worker(write_preview, self.store, p, "", str(self.rejects_file) if keep else None)
        worker.finished.connect(self._on_written)
        worker.failed.connect(self._on_write_failed)
        self._worker = worker
        worker.start(in_thread=can_thread(self.store))

    def _on_written(self, count: int) -> None:
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.count_written = int(count)
        self.status_label.setText("；".join(self.outcome_lines()) + "。")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("关闭")
        self.cancel_button.clicked.disconnect()
        self.cancel_button.clicked.connect(self.accept)
        self.imported.emit(self.count_written)

    def outcome_lines(self) -> list[str]:
        """What this import did, for its status line and the summary after the last workbook:
        rows into each ledger (待补充 among them), duplicates, bad rows and where they went."""
        p = self.preview
        if p is None or self.count_written is None:
            return []
        by: dict[str, list[int]] = {}
        for s in p.sheets:
            counts = by.setdefault(s.ledger.name, [0, 0])
            counts[0] += len(s.rows) + len(s.with_uid)
            counts[1] += s.incomplete
        where = "、".join(f"{name} {n} 条" + (f"（其中 {k} 条待补充）" if k else "") for name, (n, k) in by.items())
        lines = [
            f"已导入 {self.count_written} 条记录"
            + (f"：{where}" if where and len(by) > 1 else f"到“{next(iter(by))}”" if by else "")
        ]
        if len(by) == 1 and p.incomplete:
            lines.append(f"其中 {p.incomplete} 条待补充")
        if p.duplicates:
            lines.append(f"{p.duplicates} 条重复，未导入")
        if p.bad_rows:
            saved = f"，已另存到 {p.rejects_file}" if p.rejects_file else "，没有另存"
            lines.append(f"{p.bad_rows} 行有问题，未导入{saved}")
        return lines

    def _on_write_failed(self, message: str) -> None:
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status_label.setText(f"<span style='color:#c0392b'>导入失败，没有写入任何数据：{message}</span>")
        self.cancel_button.setEnabled(True)
        self.confirm_button.setEnabled(True)

    def cancel(self) -> None:
        """取消: stop a running check (nothing is written), or close the dialog."""
        if self._worker is not None and self._worker.is_running():
            self._worker.cancel()
            self.status_label.setText("正在取消…")
            return
        self.reject()

    def reject(self) -> None:
        if self._worker is not None and self._worker.is_running():
            self._worker.cancel()
            self._worker.wait(30000)
        super().reject()

    def done(self, result: int) -> None:
        if self._worker is not None and self._worker.is_running():
            self._worker.wait(30000)
        super().done(result)
