"""The returns as a county office receives them: one print-ready .xlsx sheet each.

Row 1 the title ``{town}{period}{title}``, row 2 ``填报单位：…　统计时段：…``, the header, one
row per item, 合计, then ``填表人：　审核人：　填报日期：``.  A4, fit to the page's width, thin
borders, the header repeated on every page, 宋体.  Counts and money are numbers (the county
can add them up); rates are text as the form prints them (``88.9%``, ``—``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .compute import TOTAL, ReturnTable
from .display import cell_text

FONT = "宋体"
TITLE_SIZE = 16
BODY_SIZE = 11
HEADER_ROW = 3
PORTRAIT_WIDTH = 88  # Excel width units across an A4 page in portrait, inside the margins
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(town: str, table: ReturnTable) -> str:
    """``武平镇2024年第二季度矛盾纠纷排查化解情况统计表``."""
    return f"{town}{table.period.label}{table.title}"


def info_line(issuer: str, table: ReturnTable) -> str:
    return f"填报单位：{issuer}　　统计时段：{table.period.span_label}"


SIGN_LINE = "填表人：　　　　　　　审核人：　　　　　　　填报日期：　　　　年　　月　　日"


def _width(text: str) -> float:
    """Column width in Excel units: a CJK character is about two."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def write_sheet(ws, table: ReturnTable, town: str, issuer: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    cols = table.ret.columns
    ncols = len(cols) + 1
    last = get_column_letter(ncols)
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name=FONT, size=BODY_SIZE)
    bold = Font(name=FONT, size=BODY_SIZE, bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center", indent=1)
    middle = Alignment(horizontal="center", vertical="center")

    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = sheet_title(town, table)
    ws["A1"].font = Font(name=FONT, size=TITLE_SIZE, bold=True)
    ws["A1"].alignment = centre
    ws.row_dimensions[1].height = 48

    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = info_line(issuer, table)
    ws["A2"].font = body
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[2].height = 24

    for j, text in enumerate(table.header, 1):
        c = ws.cell(HEADER_ROW, j, text)
        c.font, c.alignment, c.border = bold, centre, box
    ws.row_dimensions[HEADER_ROW].height = 36

    row = HEADER_ROW
    for item in table.all_items():
        row += 1
        is_total = item == TOTAL
        first = ws.cell(row, 1, item)
        first.font, first.alignment, first.border = (bold if is_total else body), centre, box
        for j, col in enumerate(cols, 2):
            value = table.value(item, col.key)
            if col.kind == "rate":
                c = ws.cell(row, j, cell_text(col, value))
            elif col.money:
                c = ws.cell(row, j, float(value))
                c.number_format = "#,##0.00"
            else:
                c = ws.cell(row, j, int(value))
                c.number_format = "0"
            c.font, c.alignment, c.border = (bold if is_total else body), (right if col.money else middle), box
        ws.row_dimensions[row].height = 22

    sign_row = row + 2
    ws.merge_cells(f"A{sign_row}:{last}{sign_row}")
    ws.cell(sign_row, 1, SIGN_LINE).font = body
    ws.cell(sign_row, 1).alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[sign_row].height = 24

    widths = _column_widths(table, [ws["A2"].value, SIGN_LINE])
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    _page_setup(ws, landscape=sum(widths) > PORTRAIT_WIDTH * 1.15)


def _column_widths(table: ReturnTable, lines: list[str]) -> list[float]:
    """Each column as wide as its longest text, then all widened alike until the table spans
    the page (and the 填报单位 and 填表人 lines, merged across it, are not cut off)."""
    widths = [max(_width(table.ret.item_label), *(_width(i) for i in table.all_items()), 8) + 2]
    for col in table.ret.columns:
        numbers = [cell_text(col, table.value(i, col.key)) for i in table.all_items()]
        widths.append(max(_width(col.label), *(_width(n) for n in numbers), 6) + 2)
    widths = [min(w, 40) for w in widths]
    wanted = max(sum(widths), PORTRAIT_WIDTH, *(_width(line) + 4 for line in lines))
    scale = wanted / sum(widths)
    return [round(w * scale, 1) for w in widths]


def _page_setup(ws, *, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    ws.sheet_view.showGridLines = False


def sheet_name(table: ReturnTable, taken: set[str]) -> str:
    """Excel's 31 characters, no []:*?/\\, unique in the workbook."""
    base = (table.ret.short or table.title).translate(_BAD_SHEET_CHARS)[:31]
    name, n = base, 2
    while name in taken:
        name = f"{base[:28]}({n})"
        n += 1
    taken.add(name)
    return name


def write_xlsx(tables: Sequence[ReturnTable], out_path: str | Path, *, town: str, issuer: str) -> Path:
    """Write one sheet per table to ``out_path``; written beside it and moved into place, so a
    failure never leaves half a file."""
    from openpyxl import Workbook

    out_path = Path(out_path)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in tables:
        write_sheet(wb.create_sheet(sheet_name(table, taken)), table, town, issuer)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=out_path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out_path


def export(store, period, out_path: str | Path, names: Sequence[str] | None = None) -> Path:
    """The returns named (all when none) for ``period`` from the store, as ``out_path``."""
    from ..paths import check_output_path
    from .compute import compute_all
    from .definitions import find

    check_output_path(getattr(store, "path", None), out_path)
    chosen = [find(n) for n in names] if names else None
    tables = compute_all(store, period, chosen)
    return write_xlsx(tables, out_path, town=str(store.setting("town") or ""), issuer=store.issuer)
