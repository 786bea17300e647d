"""The rows an import refused (``--skip-bad``, the window's 导入其余), saved as a workbook the
clerk can fix and import again: per source sheet with refused rows, its header as written,
the rows as read, and a 原因 column (ignored when the file is imported again).

``rejects_path`` is the one place that decides where that workbook goes (default beside the
source, ``<文件名>（未导入）.xlsx``): a guard on output paths belongs there.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..paths import check_output_path

REASON = "原因"


def rejects_path(source: str | Path, given: str | Path | None = None, db_path: str | Path | None = None) -> Path:
    """Where the refused rows of ``source`` are written: ``given``, else beside the source;
    never the database ``db_path`` or one of its files (``UnsafeOutputPath``)."""

    if given:
        path = Path(given)
    else:
        source = Path(source)
        path = source.with_name(f"{source.stem}（未导入）.xlsx")
    check_output_path(db_path, path)
    return path


def _cell(ws: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value == "":
        return None
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # a leading "=" stays text, never a formula
        return cell
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm" if value.time() != dt.time() else "yyyy-mm-dd"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def write_rejects(dest: Path, sheets: Iterable[Any]) -> Path:
    """Write every sheet's ``rejects`` (row number, cells, reason) under its ``columns``;
    the file is replaced whole (written aside, then moved), so a failure leaves no half file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for s in sheets:
        if not s.rejects:
            continue
        name = (s.sheet or "未导入")[:31]
        for ch in "[]:*?/\\":
            name = name.replace(ch, "_")
        while name in used:
            name = (name[:28] + f"_{len(used)}")[:31]
        used.add(name)
        ws = wb.create_sheet(name)
        head = []
        for text in [*s.columns, REASON]:
            c = _cell(ws, text)
            if c is not None:
                c.font = Font(bold=True)
            head.append(c)
        ws.append(head)
        width = len(s.columns)
        for _row_no, cells, reason in s.rejects:
            values = list(cells) + [None] * (width - len(cells))
            stray = values[width:]  # cells past the header, kept after the reason
            ws.append([*(_cell(ws, v) for v in values[:width]), _cell(ws, reason), *(_cell(ws, v) for v in stray)])
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OSError(f"无法写入未导入的行到 {dest}：{exc.strerror or exc}") from exc
    return dest
