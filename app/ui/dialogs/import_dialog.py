"""导入: read and check a spreadsheet in a worker (progress bar, 取消), show the rows that
would go in and the rows that are wrong with their reasons, and write nothing until the clerk
presses 确认导入 (all or nothing, one transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
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

from app.ui.workers import Cancelled, Worker, can_thread, thread_store

PREVIEW_ROWS = 200  # rows shown in the preview table (all of them are imported)
FILE_FILTER = "表格文件 (*.xlsx *.xls *.ods *.csv);;所有文件 (*)"


def read_preview(store, ledger_id: str, path: str, worker: Worker):
    """``preview_import`` in the worker thread, with progress and cancel."""
    from app.core.io import ImportCancelled, preview_import

    def progress(done: int, total: int) -> None:
        pct = 100 * done / total if total else 0
        worker.report(min(99, pct), f"已检查 {done} 行")

    with thread_store(store) as s:
        try:
            return preview_import(s, ledger_id, path, progress=progress, should_cancel=worker.is_cancelled)
        except ImportCancelled:
            raise Cancelled() from None


def write_preview(store, preview, note: str) -> int:
    from app.core.io import commit_import

    with thread_store(store) as s:
        return commit_import(s, preview, note)


def _start_folder() -> str:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return docs if docs and Path(docs).is_dir() else str(Path.home())


def display_value(field, value: Any) -> str:
    if value is None:
        return ""
    if field.kind == "idcard":
        from app.core.validation import mask_idcard

        return mask_idcard(str(value)) or ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class ImportDialog(QDialog):
    """Import one file into ``ledger_id`` with a preview; ``imported(count)`` after writing."""

    imported = Signal(int)
    preview_ready = Signal()

    def __init__(self, store, ledger_id: str, parent: QWidget | None = None, path: str | Path | None = None):
        super().__init__(parent)
        from app.core import catalog

        self.store = store
        self.ledger = catalog.get(ledger_id)
        self.preview = None
        self.count_written: int | None = None
        self._worker: Worker | None = None
        self.setWindowTitle(f"导入 — {self.ledger.name}")
        self.resize(900, 600)
        self._build()
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                parent, f"选择要导入{self.ledger.name}的文件", _start_folder(), FILE_FILTER
            )
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
        head = QLabel(f"导入到“{self.ledger.name}”")
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

        self.tabs = QTabWidget()
        self.rows_table = QTableWidget(0, len(self.ledger.fields) + 1)
        self.rows_table.setHorizontalHeaderLabels(["行号", *[f.label for f in self.ledger.fields]])
        self.errors_table = QTableWidget(0, 3)
        self.errors_table.setHorizontalHeaderLabels(["行号", "列", "原因"])
        for t in (self.rows_table, self.errors_table):
            t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            t.verticalHeader().hide()
            t.setAlternatingRowColors(True)
            t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            t.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.rows_table, "将导入的记录")
        self.tabs.addTab(self.errors_table, "有错误的行")
        lay.addWidget(self.tabs, 1)

        buttons = QHBoxLayout()
        self.note_label = QLabel("确认前不会写入任何数据；有任何错误行时整个文件都不导入。")
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

    # -- preview ------------------------------------------------------------------------

    def start_preview(self) -> None:
        if self.path is None or (self._worker is not None and self._worker.is_running()):
            return
        self.status_label.setText("正在读取并检查文件…")
        self.progress.setValue(0)
        self.progress.show()
        store, ledger_id, path = self.store, self.ledger.id, str(self.path)
        worker = Worker(lambda: read_preview(store, ledger_id, path, worker))
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._show_preview)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self._worker = worker
        worker.start(in_thread=can_thread(self.store))

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
        errors = list(preview.errors)
        self.errors_table.setRowCount(len(errors))
        for i, e in enumerate(errors):
            for j, value in enumerate((e.row, e.label, e.message)):
                item = QTableWidgetItem(str(value))
                if j == 2:
                    item.setToolTip(str(value))
                self.errors_table.setItem(i, j, item)
        rows = preview.rows[:PREVIEW_ROWS]
        numbers = list(getattr(preview, "row_numbers", []) or [])
        self.rows_table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            self.rows_table.setItem(i, 0, QTableWidgetItem(str(numbers[i]) if i < len(numbers) else ""))
            for j, f in enumerate(self.ledger.fields, 1):
                value = row.get(f.key)
                text = self._ref_title(f, value) if f.kind == "ref" else display_value(f, value)
                self.rows_table.setItem(i, j, QTableWidgetItem(text))
        n = len(preview.rows)
        self.tabs.setTabText(0, f"将导入的记录（{n}）")
        self.tabs.setTabText(1, f"有错误的行（{len(errors)}）")
        if errors:
            bad_rows = len({e.row for e in errors})
            self.status_label.setText(
                f"<span style='color:#c0392b'>文件中有 {bad_rows} 行有错误（共 {len(errors)} 处），"
                "整个文件不能导入。请按“有错误的行”修改后重新导入。</span>"
            )
            self.tabs.setCurrentIndex(1)
            self.confirm_button.setEnabled(False)
            self.cancel_button.setText("关闭")
        elif n == 0:
            self.status_label.setText("文件中没有可导入的记录。")
            self.confirm_button.setEnabled(False)
            self.cancel_button.setText("关闭")
        else:
            more = f"（下表显示前 {PREVIEW_ROWS} 行）" if n > PREVIEW_ROWS else ""
            self.status_label.setText(f"检查通过：共 {n} 条记录可以导入{more}。按“确认导入”写入。")
            self.tabs.setCurrentIndex(0)
            self.confirm_button.setEnabled(True)
        self.preview_ready.emit()

    def _ref_title(self, field, row_id: Any) -> str:
        """A referenced row by its title (重点人员 by 姓名), not by its internal id."""
        if row_id is None:
            return ""
        cache = self.__dict__.setdefault("_titles", {})
        if (field.ref, row_id) not in cache:
            from app.core import catalog

            target = catalog.get(field.ref)
            row = self.store.get(target.id, int(row_id))
            cache[field.ref, row_id] = str(row.get(target.title_field) or row_id) if row else str(row_id)
        return cache[field.ref, row_id]

    def preview_row_count(self) -> int:
        return len(self.preview.rows) if self.preview is not None else 0

    def error_count(self) -> int:
        return len(self.preview.errors) if self.preview is not None else 0

    # -- commit -------------------------------------------------------------------------

    def confirm(self) -> None:
        """Write the previewed rows: one transaction, one audit entry."""
        if self.preview is None or self.preview.errors or not self.preview.rows:
            return
        self.confirm_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy: one transaction, no steps to count
        self.progress.show()
        self.status_label.setText("正在写入…")
        note = f"从 {self.path.name} 导入 {len(self.preview.rows)} 行"
        worker = Worker(write_preview, self.store, self.preview, note)
        worker.finished.connect(self._on_written)
        worker.failed.connect(self._on_write_failed)
        self._worker = worker
        worker.start(in_thread=can_thread(self.store))

    def _on_written(self, count: int) -> None:
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.count_written = int(count)
        self.status_label.setText(f"已导入 {count} 条记录到“{self.ledger.name}”。")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("关闭")
        self.cancel_button.clicked.disconnect()
        self.cancel_button.clicked.connect(self.accept)
        self.imported.emit(self.count_written)

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
