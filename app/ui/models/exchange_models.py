"""A merge preview as read-only table models: the counts per ledger, and the conflicts (both
lists are the merge result's own, held in memory: a row per ledger, and at most the rows
changed on both sides since the last exchange)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from app.core.ledgers import catalog

COLUMNS = ("台账", "记录", "本机修改时间", "本机科室", "对方修改时间", "对方科室", "结果")
COUNT_COLUMNS = (("台账", ""), ("新增", "new"), ("更新", "updated"), ("删除", "deleted"), ("冲突", "conflicts"))


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
            none_here = bool(c.reason) and not c.ours_at  # an invalid new row: nothing of ours
            return (
                c.ledger_name,
                c.title or c.uid,
                "（本机没有）" if none_here else _time(c.ours_at),
                "" if none_here else c.ours_office or "未注明",
                _time(c.theirs_at),
                c.theirs_office,
                c.winner_text,
            )[index.column()]
        if role == Qt.ToolTipRole:  # the reason of an invalid row in full, wherever the pointer is
            return f"记录编号 {c.uid}" + (f"\n{c.winner_text}" if c.reason else "")
        return None


class MergeCountsModel(QAbstractTableModel):
    """新增/更新/删除/冲突 per ledger of the pack, and a 合计 row."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, dict[str, int]]] = []

    def set_counts(self, counts: dict[str, dict[str, int]]) -> None:
        self.beginResetModel()
        self._rows = [(catalog.get(k).name, v) for k, v in counts.items()]
        if len(self._rows) > 1:
            keys = [key for _, key in COUNT_COLUMNS[1:]]
            self._rows.append(("合计", {key: sum(v[key] for _, v in self._rows) for key in keys}))
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COUNT_COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole) -> Any:
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return COUNT_COLUMNS[section][0]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        name, counts = self._rows[index.row()]
        if role == Qt.DisplayRole:
            return name if index.column() == 0 else counts[COUNT_COLUMNS[index.column()][1]]
        if role == Qt.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None
