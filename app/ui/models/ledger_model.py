"""A table model over one ledger that never holds more than a few windows of rows.

The model keeps the ordered row ids of the current filter (``LedgerQuery.ids``: an
``array('q')``, 8 bytes a row) and fetches rows one page at a time by id into a small LRU
cache.  Scrolling anywhere in a million rows costs one indexed lookup of ``PAGE_SIZE`` rows;
sorting and filtering re-ask SQLite for the id list.  ID numbers are shown masked.
"""

from __future__ import annotations

import json
from array import array
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.ledgers import catalog
from app.core.ledgers.privacy import mask_ids_in_text, mask_value
from app.core.storage import query
from app.core.storage.query import LedgerQuery

PAGE_SIZE = 200
MAX_PAGES = 8
INCOMPLETE_BACKGROUND = "#fff6e0"  # a 待补充 row
INCOMPLETE_TEXT = "#a35c00"


def incomplete_fields(row: dict | None) -> dict[str, str]:
    """A stored row's 待补充 fields with the text their cells held ({} when complete)."""
    raw = (row or {}).get("incomplete")
    if not raw:
        return {}
    try:
        fields = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(fields, dict):
        return {}
    return {str(k): mask_ids_in_text(str(v or "")) for k, v in fields.items()}  # never a whole 身份证号


def lacking_text(ledger: catalog.Ledger, lacking: dict[str, str]) -> str:
    """待补充：缺形式（原文“茶话会”）、对象 — for tool tips and the form."""
    parts = [ledger.field(k).label + (f"（原文“{v}”）" if v else "") for k, v in lacking.items() if ledger.has_field(k)]
    return "待补充：缺" + "、".join(parts)


def display_value(f: catalog.Field, value: Any, refs: dict[int, str] | None = None) -> str:
    """How a stored value looks in a table cell."""
    if value is None or value == "":
        return ""
    if f.personal:
        return mask_value(str(value)) or ""
    if f.kind == "decimal":
        return f"{value:,.2f}" if isinstance(value, (int, float)) else str(value)
    if f.kind == "ref":
        return (refs or {}).get(value, f"#{value}")
    return str(value)


class LedgerModel(QAbstractTableModel):
    """Rows of ``LedgerQuery``; ``row_id(row)`` gives the database id behind a table row."""

    def __init__(
        self,
        store,
        ledger_id: str,
        *,
        deleted: bool = False,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        order_by: str | None = None,
        desc: bool = False,
        parent=None,
    ):
        super().__init__(parent)
        self.store = store
        self.query = LedgerQuery(store, ledger_id, deleted=deleted)
        self.ledger = self.query.ledger
        self.page_size = page_size
        self.max_pages = max_pages
        self.fields = list(self.ledger.fields)
        self.extra = [("deleted_at", "删除时间")] if deleted else []
        self.order_by: str | None = order_by or self.ledger.date_field or "id"
        self.desc = desc
        self._ids: array = array("q")
        self._pages: OrderedDict[int, list[dict]] = OrderedDict()
        self._refs: dict[int, str] = {}
        self.refresh()

    # -- filter, sort, reload -------------------------------------------------------------

    def set_filter(
        self, *, year: int | None = None, month: int | None = None, search: str = "", only=None, incomplete=False
    ) -> None:
        q = self.query
        q.year, q.month, q.search, q.only, q.incomplete = year, month, search, only, incomplete
        self.refresh()

    def refresh(self) -> None:
        """Re-read the id list (after a filter change or a write) and drop cached rows."""
        self.beginResetModel()
        self._ids = self.query.ids(self.order_by, self.desc)
        self._pages.clear()
        self._refs.clear()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        key = self.column_key(column)
        if key is None:
            return
        desc = order == Qt.DescendingOrder
        if (key, desc) == (self.order_by, self.desc):
            return  # already so (the view re-applies its sort indicator on setup)
        self.order_by, self.desc = key, desc
        self.beginResetModel()
        self._ids = self.query.ids(self.order_by, self.desc)
        self._pages.clear()
        self.endResetModel()

    # -- what the view asks ---------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.fields) + len(self.extra)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            if section < len(self.fields):
                return self.fields[section].label
            return self.extra[section - len(self.fields)][1]
        return str(section + 1)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.DisplayRole, Qt.ToolTipRole):
            row = self.row(index.row())
            if row is None:
                return None
            col = index.column()
            if col >= len(self.fields):
                return str(row.get(self.extra[col - len(self.fields)][0]) or "").replace("T", " ")
            f = self.fields[col]
            text = display_value(f, row.get(f.key), self._refs)
            lacking = incomplete_fields(row)
            if role == Qt.ToolTipRole:
                if lacking:
                    return lacking_text(self.ledger, lacking)
                return text if f.kind == "longtext" and len(text) > 20 else None
            if f.key in lacking and not text:  # the marker: what is missing, and what the cell said
                return f"〔待补充：{lacking[f.key]}〕" if lacking[f.key] else "〔待补充〕"
            return text
        if role in (Qt.BackgroundRole, Qt.ForegroundRole):
            row = self.row(index.row())
            lacking = incomplete_fields(row) if row is not None else {}
            if not lacking:
                return None
            if role == Qt.BackgroundRole:
                return QColor(INCOMPLETE_BACKGROUND)
            col = index.column()
            if col < len(self.fields) and self.fields[col].key in lacking:
                return QColor(INCOMPLETE_TEXT)
            return None
        col = index.column()
        if role == Qt.TextAlignmentRole and col < len(self.fields) and self.fields[col].kind in ("int", "decimal"):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def column_key(self, column: int) -> str | None:
        if 0 <= column < len(self.fields):
            return self.fields[column].key
        if 0 <= column - len(self.fields) < len(self.extra):
            return self.extra[column - len(self.fields)][0]
        return None

    def row_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, row_id: int) -> int:
        """The table row showing ``row_id``, or -1."""
        try:
            return self._ids.index(row_id)
        except ValueError:
            return -1

    def row(self, row: int) -> dict | None:
        """The whole stored row at a table row (from the page cache)."""
        if not 0 <= row < len(self._ids):
            return None
        page_no, pos = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            page = self._load(page_no)
        else:
            self._pages.move_to_end(page_no)
        return page[pos] if pos < len(page) else None

    def _load(self, page_no: int) -> list[dict]:
        start = page_no * self.page_size
        ids = self._ids[start : start + self.page_size]
        rows = self.query.rows_by_ids(ids)
        if len(rows) != len(ids):  # a row vanished under us (written elsewhere): keep positions
            by_id = {r["id"]: r for r in rows}
            rows = [by_id.get(i, {"id": i}) for i in ids]
        for f in self.fields:
            if f.kind == "ref":
                missing = {r.get(f.key) for r in rows} - self._refs.keys() - {None}
                if missing:
                    self._refs.update(query.titles(self.store, f.ref, missing))
        if len(self._refs) > 20 * self.page_size:
            self._refs.clear()
        self._pages[page_no] = rows
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return rows

    @property
    def cached_rows(self) -> int:
        """How many rows the model holds right now (bounded by page size × pages)."""
        return sum(len(p) for p in self._pages.values())

    def total(self) -> int:
        return len(self._ids)
