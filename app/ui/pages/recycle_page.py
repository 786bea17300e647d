"""回收站: deleted rows of every ledger; restore them, or delete them for good."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.ledgers import catalog
from app.core.storage import query
from app.core.storage.common import StoreError
from app.ui.models.ledger_model import LedgerModel
from app.ui.pages.ledger_page import size_columns

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store


class RecyclePage(QWidget):
    status = Signal(str)
    refresh_on_show = True  # other pages write too; re-reading is cheap
    changed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.model: LedgerModel | None = None
        readonly = bool(getattr(store, "readonly", False))
        lay = QVBoxLayout(self)
        title = QLabel("回收站")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        hint = QLabel("删除的记录先放在这里，不计入任何统计；恢复后回到原台账。彻底删除后无法找回。")
        hint.setStyleSheet("color: #666;")
        self.ledgers = QListWidget()
        self.ledgers.setMaximumWidth(220)
        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.restore_button = QPushButton("恢复选中记录")
        self.purge_button = QPushButton("彻底删除选中记录")
        self.restore_button.setEnabled(not readonly)
        self.purge_button.setEnabled(not readonly)
        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button.clicked.connect(lambda: self.purge_selected())
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.purge_button)
        buttons.addStretch(1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(buttons)
        rl.addWidget(self.table, 1)
        split = QSplitter()
        split.addWidget(self.ledgers)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        lay.addWidget(title)
        lay.addWidget(hint)
        lay.addWidget(split, 1)
        self.ledgers.currentItemChanged.connect(lambda item, _p: self._show(item))
        self.refresh()

    def refresh(self) -> None:
        counts = query.deleted_counts(self.store)
        current = self.current_ledger()
        self.ledgers.blockSignals(True)
        self.ledgers.clear()
        for lg in catalog.in_group_order():  # as the side bar lists them
            item = QListWidgetItem(f"{lg.name}（{counts[lg.id]}）")
            item.setData(Qt.UserRole, lg.id)
            if not counts[lg.id]:
                item.setForeground(Qt.gray)
            self.ledgers.addItem(item)
        self.ledgers.blockSignals(False)
        order = catalog.in_group_order()
        first = current or next((lg.id for lg in order if counts[lg.id]), order[0].id)
        self.select_ledger(first)
        self._total = sum(counts.values())
        self.update_count()

    def update_count(self) -> None:
        self.status.emit(f"回收站：共 {self._total} 条记录")

    def current_ledger(self) -> str | None:
        item = self.ledgers.currentItem()
        return item.data(Qt.UserRole) if item else None

    def select_ledger(self, ledger_id: str) -> None:
        for i in range(self.ledgers.count()):
            item = self.ledgers.item(i)
            if item.data(Qt.UserRole) == ledger_id:
                self.ledgers.blockSignals(True)
                self.ledgers.setCurrentItem(item)
                self.ledgers.blockSignals(False)
                self._show(item)
                return

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.model = LedgerModel(
            self.store, item.data(Qt.UserRole), deleted=True, order_by="deleted_at", desc=True, parent=self
        )
        self.table.setModel(self.model)
        size_columns(self.table, self.model)
        header = self.table.horizontalHeader()
        deleted_col = self.model.columnCount() - 1
        header.moveSection(header.visualIndex(deleted_col), 0)  # 删除时间 first: what a bin is sorted by
        self.table.setColumnWidth(deleted_col, self.table.fontMetrics().horizontalAdvance("2024-03-05 12:00:00") + 16)

    def selected_ids(self) -> list[int]:
        if self.model is None:
            return []
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_id(r) for r in rows]

    def restore_selected(self) -> int:
        ids = self.selected_ids()
        if not ids or self.model is None:
            return 0
        lg = self.model.ledger
        n = self.store.restore(lg.id, ids)
        self.refresh()
        self.status.emit(f"已将 {n} 条记录恢复到{lg.name}")
        self.changed.emit(lg.id)
        return n

    def purge_selected(self, confirm: bool = True) -> int:
        ids = self.selected_ids()
        if not ids or self.model is None:
            return 0
        lg = self.model.ledger
        if confirm:
            answer = QMessageBox.warning(
                self,
                "彻底删除",
                f"彻底删除{lg.name}中的 {len(ids)} 条记录？\n彻底删除后无法恢复"
                "（操作日志中仍留有记录，其中的身份证号已遮盖）。",
                QMessageBox.Yes | QMessageBox.No,
                QMessageBox.No,
            )
            if answer != QMessageBox.Yes:
                return 0
        try:
            n = self.store.purge(lg.id, ids)
        except StoreError as exc:
            QMessageBox.warning(self, "无法彻底删除", str(exc))
            return 0
        self.refresh()
        self.status.emit(f"已彻底删除 {n} 条记录")
        self.changed.emit(lg.id)
        return n
