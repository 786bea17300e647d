"""Bring whole Excel workbooks in (last year's ledgers, as the office keeps them).

The first run offers it, and 首页 keeps a button for it: the clerk picks one or more
workbooks; each opens in the import dialog, which recognises every sheet's ledger from its
header, shows the plan (sheet → ledger, rows) and writes nothing until 确认导入.  After the
last workbook a summary says how many rows went into which ledger, how many are 待补充, how
many were refused and where they were saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.dialogs.import_dialog import FILE_FILTER, ImportDialog
from app.ui.widgets import file_dialogs

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store


def choose_workbooks(parent: QWidget | None = None) -> list[str]:
    """The files the clerk picks (several at once: one workbook per ledger is common)."""
    return file_dialogs.open_file_names(parent, "选择已有的 Excel 台账（可多选）", "", FILE_FILTER, folder="import")


_SHOWN: list[QMessageBox] = []  # summaries on screen (not modal: the program goes on)


def summary_lines(dialogs: list[ImportDialog]) -> list[str]:
    """What the workbooks brought in: rows per ledger (待补充 among them), refused rows and
    where they were saved, workbooks not imported."""
    per: dict[str, list[int]] = {}
    refused: list[str] = []
    skipped: list[str] = []
    for dlg in dialogs:
        p = dlg.preview
        name = dlg.path.name if dlg.path else ""
        if p is None or dlg.count_written is None:
            skipped.append(name)
            continue
        for s in p.sheets:
            counts = per.setdefault(s.ledger.name, [0, 0])
            counts[0] += len(s.rows) + len(s.with_uid)
            counts[1] += s.incomplete
        if p.bad_rows:
            where = f"已另存到 {p.rejects_file}" if p.rejects_file else "没有另存"
            refused.append(f"{name}：{p.bad_rows} 行有问题，未导入，{where}")
    total = sum(n for n, _ in per.values())
    incomplete = sum(k for _, k in per.values())
    lines = [f"共导入 {total} 条记录" + ("：" if per else "。")]
    lines += [f"　{name} {n} 条" + (f"（其中 {k} 条待补充）" if k else "") for name, (n, k) in per.items() if n]
    if incomplete:
        lines.append(
            f"待补充 {incomplete} 条：缺少必填项或取值没认出，已导入并保留原文；在各台账页点“待补充”逐条补全。"
        )
    lines += refused
    if skipped:
        lines.append("没有导入：" + "、".join(skipped))
    return lines


def show_summary(parent: QWidget | None, lines: list[str]) -> QMessageBox:
    """The summary after the last workbook, on screen until the clerk closes it."""
    box = QMessageBox(QMessageBox.Icon.Information, "导入完成", lines[0], QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText("\n".join(lines[1:]))
    box.setObjectName("import_summary")
    box.finished.connect(lambda _r, b=box: _SHOWN.remove(b) if b in _SHOWN else None)
    _SHOWN.append(box)
    box.open()
    return box


def bring_in_workbooks(store: Store, parent: QWidget | None = None, paths: list[str] | None = None) -> int:
    """Import each chosen workbook through the whole-workbook dialog, then the summary; the
    rows written."""
    if paths is None:
        paths = choose_workbooks(parent)
    written = 0
    dialogs = []
    for path in paths:
        dlg = ImportDialog.for_workbook(store, path, parent)
        dlg.exec()
        written += dlg.count_written or 0
        dialogs.append(dlg)
    if dialogs:
        show_summary(parent, summary_lines(dialogs))
    return written
