"""One return (报表) as a read-only table model: its items and 合计 as rows, its columns as
the form prints them.  A return has a few dozen rows at most, computed by SQL in a worker;
the model only shows them and says which cells are numbers with rows behind them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.core.returns.compute import TOTAL, YTD, ReturnTable
from app.core.returns.display import cell_text

LINK_COLOUR = QColor("#1f5f99")
TOTAL_BACKGROUND = QColor("#eef2f7")


class ReturnTableModel(QAbstractTableModel):
    def __init__(self, table: ReturnTable | None = None, parent=None):
        super().__init__(parent)
        self.table = table

    def set_table(self, table: ReturnTable | None) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    # -- shape --------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.table is None else len(self.table.all_items())

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.table is None else len(self.table.header)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.table is None:
            return None
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.table.header[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole and section > 0:
            key = self.table.keys[section - 1]
            definition = self.table.column(key).definition
            if key.startswith(YTD):
                return f"年度累计（1月1日至统计时段末）：{definition}"
            return definition or None
        return None

    # -- cells --------------------------------------------------------------------------

    def cell(self, index: QModelIndex) -> tuple[str, str | None]:
        """(item, column key) of a cell; the key is None in the item column."""
        item = self.table.all_items()[index.row()]
        column = None if index.column() == 0 else self.table.keys[index.column() - 1]
        return item, column

    def is_link(self, index: QModelIndex) -> bool:
        """A number that opens rows: any count or sum cell that is not zero, any rate."""
        if self.table is None or not index.isValid() or index.column() == 0:
            return False
        item, key = self.cell(index)
        col = self.table.column(key)
        value = self.table.value(item, key)
        return value is not None and (col.kind == "rate" or bool(value))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.table is None or not index.isValid():
            return None
        item, key = self.cell(index)
        total = item == TOTAL
        if role == Qt.ItemDataRole.DisplayRole:
            if key is None:
                return item
            return cell_text(self.table.column(key), self.table.value(item, key))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key is None:
                return int(Qt.AlignmentFlag.AlignCenter)
            if self.table.column(key).money:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(total)
            font.setUnderline(self.is_link(index))
            return font
        if role == Qt.ItemDataRole.ForegroundRole and self.is_link(index):
            return QBrush(LINK_COLOUR)
        if role == Qt.ItemDataRole.BackgroundRole and total:
            return QBrush(TOTAL_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole and self.is_link(index):
            return "点击查看这个数字背后的记录"
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags
