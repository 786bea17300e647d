"""Export a ledger to ``.xlsx`` (real date cells, numbers as numbers, column widths) or to
``.csv`` (UTF-8 with BOM, so Excel opens it correctly).

The last column, 记录编号, is each row's uid: the sheet, edited in Excel and imported back,
updates those rows.  The .xlsx is ready to print: a title row, the header repeated on every
page, landscape, fitted to the page width, page numbers in the footer.

Deleted rows are never exported.  Personal fields (the catalog's ``personal``: 身份证号) are
masked unless ``full_id``; a full export leaves an audit entry (``reveal``).  A 重点人员
reference is written as the person's 姓名, or — when that name is not unique and ``full_id``
is given — as the 身份证号, so the file imports back.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from app.core.ledgers import catalog, privacy
from app.core.ledgers.catalog import Field, Ledger
from app.core.storage.store import Store

from ..paths import check_output_path
from .headers import UID_LABEL
from .readers import FORMULA_STARTS, ReadError

EXPORT_SUFFIXES = (".xlsx", ".csv")
UID_WIDTH = 27


def _ref_labels(store: Store, f: Field, full_id: bool) -> dict[int, str]:
    """Row id -> what to write for a reference: the unique title, else the referenced
    ledger's ``lookup_field`` (a 重点人员's 身份证号; a personal one only when ``full_id``)."""
    target = catalog.get(f.ref)
    title = target.title_field or "id"
    lookup = target.get_field(target.lookup_field) if target.lookup_field else None
    has_id = lookup is not None and (full_id or not lookup.personal)
    cols = f'id, "{title}"' + (f', "{lookup.key}"' if lookup is not None else "")
    rows = store.conn.execute(f'SELECT {cols} FROM "{target.id}" WHERE deleted_at IS NULL').fetchall()
    seen: dict[str, int] = {}
    for r in rows:
        seen[r[1]] = seen.get(r[1], 0) + 1
    out: dict[int, str] = {}
    for r in rows:
        name = r[1]
        out[r[0]] = r[2] if (has_id and seen[name] > 1 and r[2]) else name
    return out


def _cell_makers(store: Store, lg: Ledger, full_id: bool, for_xlsx: bool) -> list[Callable[[Any], Any]]:
    makers: list[Callable[[Any], Any]] = []
    for f in lg.fields:
        if f.personal:
            makers.append((lambda v: v) if full_id else privacy.mask_value)
        elif f.kind == "ref":
            labels = _ref_labels(store, f, full_id)
            makers.append(lambda v, labels=labels: None if v is None else labels.get(v, str(v)))
        elif f.kind == "date" and for_xlsx:
            makers.append(_as_date)
        elif f.kind == "decimal" and not for_xlsx:
            makers.append(_decimal_text)
        else:
            makers.append(lambda v: v)
    return makers


def _as_date(value: Any) -> Any:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value  # not an ISO date (should not happen): keep the text


def _decimal_text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def iter_export_rows(
    store: Store, ledger_id: str, year: int | None = None, full_id: bool = False, for_xlsx: bool = False
) -> Iterator[list[Any]]:
    """The ledger's live rows as lists of cell values, in the catalog's column order, then
    the row's uid (记录编号)."""
    lg = store.validator(ledger_id).ledger
    makers = _cell_makers(store, lg, full_id, for_xlsx)
    cond, params = store.where_year(lg.id, year)
    order = f'"{lg.date_field}", id' if lg.date_field else "id"
    cols = ", ".join(f'"{k}"' for k in lg.keys)
    cur = store.conn.execute(
        f'SELECT {cols}, uid FROM "{lg.id}" WHERE {cond} AND deleted_at IS NULL ORDER BY {order}', params
    )
    for row in cur:
        yield [*(m(v) for m, v in zip(makers, row[:-1], strict=True)), row[-1]]


def _write_xlsx(lg: Ledger, rows: Iterator[list[Any]], dest: Path, title: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(lg.name[:31])
    labels = [*(f.label for f in lg.fields), UID_LABEL]
    widths = [*(max(f.width, len(f.label) * 2 + 2) for f in lg.fields), UID_WIDTH]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    last = get_column_letter(len(labels))
    _print_ready(ws, last)
    head = WriteOnlyCell(ws, value=title)
    head.font = Font(bold=True, size=16)
    head.alignment = Alignment(horizontal="center", vertical="center")
    ws.merged_cells.add(CellRange(f"A1:{last}1"))  # the title across the table
    ws.row_dimensions[1].height = 30  # a row's height is written with it: set it first
    ws.append([head])
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = []
    for label in labels:
        c = WriteOnlyCell(ws, value=label)
        c.font = Font(bold=True)
        c.border = box
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(c)
    ws.append(header)

    styles = _cell_styles(wb, lg, box)
    wrapped = [(i, widths[i]) for i, st in enumerate(styles) if st == "台账长文本"]
    n = 0
    for row in rows:
        lines = max((_lines(row[i], w) for i, w in wrapped), default=1)
        if lines > 1:  # Excel does not grow a row for wrapped text by itself when opening a file
            ws.row_dimensions[n + 3].height = 13.5 * min(lines, 15)
        cells = []
        for value, style in zip(row, styles, strict=True):
            formula_like = False
            if value.__class__ is str:
                # control characters are not allowed in the file's XML (pasted from Word,
                # they would make the export fail); a leading "=" must stay text
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                formula_like = value[:1] == "="
            cell = WriteOnlyCell(ws, value=value)
            cell.style = style
            if formula_like:
                cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
        n += 1
    wb.save(dest)
    return n


def _lines(value: Any, width: float) -> int:
    """How many lines ``value`` takes wrapped in a column ``width`` characters wide (a
    Chinese character is two; the body font is a point smaller than the width's unit)."""
    if value.__class__ is not str or not value:
        return 1
    total = 0
    for part in value.split("\n"):
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
        total += max(1, -(-units // int(width * 1.05)))
    return total


def _cell_styles(wb: Any, lg: Ledger, box: Any) -> list[str]:
    """A named style per column: thin borders for print; long text wrapped; dates as
    yyyy-mm-dd; the 记录编号 small and grey (it is for the program, not the reader)."""
    from openpyxl.styles import Alignment, Font, NamedStyle

    top = Alignment(vertical="top")
    made = {
        "台账正文": NamedStyle("台账正文", font=Font(size=10), border=box, alignment=top),
        "台账长文本": NamedStyle(
            "台账长文本", font=Font(size=10), border=box, alignment=Alignment(vertical="top", wrap_text=True)
        ),
        "台账日期": NamedStyle("台账日期", font=Font(size=10), border=box, alignment=top, number_format="yyyy-mm-dd"),
        "台账记录编号": NamedStyle("台账记录编号", font=Font(size=7, color="808080"), border=box, alignment=top),
    }
    for style in made.values():
        wb.add_named_style(style)
    out = []
    for f in lg.fields:
        if f.kind == "date":
            out.append("台账日期")
        elif f.kind in ("longtext", "names") or f.width >= 20:
            out.append("台账长文本")
        else:
            out.append("台账正文")
    return [*out, "台账记录编号"]


def _print_ready(ws: Any, last_col: str) -> None:
    """Landscape A4, fitted to the page width, the header row on every page, page numbers."""
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.evenFooter.center.text = "第 &P 页，共 &N 页"


def _write_csv(lg: Ledger, rows: Iterator[list[Any]], dest: Path) -> int:
    n = 0
    with open(dest, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*(f.label for f in lg.fields), UID_LABEL])
        for row in rows:
            for i, v in enumerate(row):  # every column: a date or number column may hold text too
                if v.__class__ is str and v.startswith(FORMULA_STARTS):
                    row[i] = "'" + v
            w.writerow(row)
            n += 1
    return n


def _title(store: Store, lg: Ledger, year: int | None) -> str:
    town = store.setting("town") or ""
    return f"{town}{lg.name}" + (f"（{year}年）" if year else "")


def export_ledger(
    store: Store, ledger_id: str, path: str | Path, *, year: int | None = None, full_id: bool = False
) -> int:
    """Write the ledger (or one year of it) to ``path`` (.xlsx or .csv); returns the row count.

    The file is written beside the target and renamed into place, so a failure never leaves
    half a file behind."""

    path = Path(path)
    check_output_path(getattr(store, "path", None), path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ReadError(f"不支持导出为“{path.suffix or path.name}”：请使用 .xlsx 或 .csv")
    if not path.parent.is_dir():
        raise ReadError(f"文件夹不存在：{path.parent}")
    lg = store.validator(ledger_id).ledger
    rows = iter_export_rows(store, lg.id, year, full_id, for_xlsx=suffix == ".xlsx")
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{suffix}")
    try:
        n = _write_xlsx(lg, rows, tmp, _title(store, lg, year)) if suffix == ".xlsx" else _write_csv(lg, rows, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    if full_id and privacy.holds_personal(lg):
        what = f"{year}年" if year else "全部"
        store.log("reveal", f"导出{lg.name}（{what}，{n}行）含完整身份证号到 {path.name}", ledger=lg.id)
    return n
