"""操作日志: every write, newest first, read-only; ID numbers masked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from app.core.ledgers import catalog
from app.ui.models.audit_model import AuditModel
from app.ui.widgets.titles import page_title

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store


class AuditPage(QWidget):
    status = Signal(str)
    refresh_on_show = True  # other pages write too; re-reading is cheap

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.model = AuditModel(store, parent=self)
        lay = QVBoxLayout(self)
        title = page_title("操作日志")
        bar = QHBoxLayout()
        self.ledger_combo = QComboBox()
        self.ledger_combo.addItem("全部台账", None)
        for lg in catalog.in_group_order():
            self.ledger_combo.addItem(lg.name, lg.id)
        self.ledger_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.count_label = QLabel()
        bar.addWidget(QLabel("台账："))
        bar.addWidget(self.ledger_combo)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((150, 80, 120, 120, 50, 260, 260)):
            self.table.setColumnWidth(col, width)
        hint = QLabel("操作日志只能查看，不能修改或删除。")
        hint.setStyleSheet("color: #666;")
        lay.addWidget(title)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addWidget(hint)
        self.model.modelReset.connect(self.update_count)
        self.update_count()

    def refresh(self) -> None:
        self.model.set_ledger(self.ledger_combo.currentData())

    def update_count(self) -> None:
        text = f"共 {self.model.rowCount():,} 条"
        self.count_label.setText(text)
        self.status.emit(f"操作日志：{text}")
