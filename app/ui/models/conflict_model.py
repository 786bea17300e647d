"""The conflicts of a merge preview as a read-only table model (the list is the merge's own,
held in memory: at most the rows changed on both sides since the last exchange)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

COLUMNS = ("台账", "记录", "本机修改时间", "本机科室", "对方修改时间", "对方科室", "结果")


def _time(text: str) -> str:
    return (text or "").replace("T", " ")


class ConflictModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list = []

    def set_conflicts(self, conflicts: list) -> None:
        self.beginResetModel()
        self._rows = list(conflicts)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole) -> Any:
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self._rows[index.row()]
        if role == Qt.DisplayRole:
            return (
                c.ledger_name,
                c.title or c.uid,
                _time(c.ours_at),
                c.ours_office or "未注明",
                _time(c.theirs_at),
                c.theirs_office,
                c.winner_text,
            )[index.column()]
        if role == Qt.ToolTipRole:
            return f"记录编号 {c.uid}"
        return None
