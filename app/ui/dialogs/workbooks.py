"""Bring whole Excel workbooks in (last year's ledgers, as the office keeps them).

The first run offers it, and 首页 keeps a button for it: the clerk picks one or more
workbooks; each opens in the import dialog, which recognises every sheet's ledger from its
header, shows the plan (sheet → ledger, rows) and writes nothing until 确认导入.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.dialogs.import_dialog import FILE_FILTER, ImportDialog
from app.ui.widgets import file_dialogs


def choose_workbooks(parent: QWidget | None = None) -> list[str]:
    """The files the clerk picks (several at once: one workbook per ledger is common)."""
    return file_dialogs.open_file_names(parent, "选择已有的 Excel 台账（可多选）", "", FILE_FILTER, folder="import")


def bring_in_workbooks(store, parent: QWidget | None = None, paths: list[str] | None = None) -> int:
    """Import each chosen workbook through the whole-workbook dialog; the rows written."""
    if paths is None:
        paths = choose_workbooks(parent)
    written = 0
    for path in paths:
        dlg = ImportDialog.for_workbook(store, path, parent)
        dlg.exec()
        written += dlg.count_written or 0
    return written
