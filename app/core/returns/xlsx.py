"""The returns as a county office receives them: one print-ready .xlsx sheet each.

Row 1 the title ``{town}{period}{title}``, row 2 ``填报单位：…（盖章）　联系电话：…　统计时段：…``,
the header (with 年度累计, two rows: 本期 and 年度累计 above the columns), one row per item,
合计, then ``填表人：　审核人：　填报日期：``.  A4, fit to the page's width, thin
borders, the header repeated on every page, 宋体.  Counts and money are numbers (the county
can add them up); rates are text as the form prints them (``88.9%``, ``—``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.core.storage.store import Store

from ..paths import check_output_path
from .compute import TOTAL, ReturnTable, compute_all, ytd_period
from .definitions import choose
from .display import cell_text, filing_unit, info_text

FONT = "宋体"
TITLE_SIZE = 16
BODY_SIZE = 11
HEADER_ROW = 3
PORTRAIT_WIDTH = 88  # Excel width units across an A4 page in portrait, inside the margins
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(town: str, table: ReturnTable) -> str:
    """``武平镇2024年第二季度矛盾纠纷排查化解情况统计表``."""
    return f"{town}{table.period.label}{table.title}"


def info_line(unit: str, table: ReturnTable, phone: str = "") -> str:
    return info_text(unit, phone, table.period.span_label)


SIGN_LINE = "填表人：　　　　　　　审核人：　　　　　　　填报日期：　　　　年　　月　　日"


def _width(text: str) -> float:
    """Column width in Excel units: a CJK character is about two."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def _short_span(period) -> str:
    """``4月1日至6月30日`` (the year is in the title)."""
    a, b = period.start, period.end
    first = f"{a.month}月{a.day}日" if a.year == b.year else f"{a.year}年{a.month}月{a.day}日"
    return f"{first}至{b.month}月{b.day}日"


def write_sheet(ws, table: ReturnTable, town: str, unit: str, phone: str = "") -> None:
    """One return on ``ws``: title, 填报单位 line, header (two rows with 年度累计: 本期 and
    年度累计 above the columns), items, 合计, the signature line."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    keys = table.keys
    ncols = len(keys) + 1
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
    ws["A2"] = info_line(unit, table, phone)
    ws["A2"].font = body
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[2].height = 24

    header_rows = 2 if table.ytd else 1
    label_row = HEADER_ROW + header_rows - 1
    if table.ytd:
        own = len(table.ret.columns)
        groups = (
            (2, own + 1, f"本期（{_short_span(table.period)}）"),
            (own + 2, ncols, f"年度累计（{_short_span(ytd_period(table.period))}）"),
        )
        for first, end, text in groups:
            for j in range(first, end + 1):
                ws.cell(HEADER_ROW, j).border = box
            ws.merge_cells(start_row=HEADER_ROW, start_column=first, end_row=HEADER_ROW, end_column=end)
            c = ws.cell(HEADER_ROW, first, text)
            c.font, c.alignment = bold, centre
        ws.merge_cells(start_row=HEADER_ROW, start_column=1, end_row=label_row, end_column=1)
        ws.row_dimensions[HEADER_ROW].height = 24
        ws.cell(label_row, 1).border = box
    for j, key in enumerate(["", *keys], 1):
        text = table.ret.item_label if j == 1 else table.column(key).label
        row = HEADER_ROW if j == 1 else label_row
        c = ws.cell(row, j, text)
        c.font, c.alignment, c.border = bold, centre, box
    ws.row_dimensions[label_row].height = 36

    row = label_row
    for item in table.all_items():
        row += 1
        is_total = item == TOTAL
        first = ws.cell(row, 1, item)
        first.font, first.alignment, first.border = (bold if is_total else body), centre, box
        for j, key in enumerate(keys, 2):
            col = table.column(key)
            value = table.value(item, key)
            if col.kind == "rate":
                c = ws.cell(row, j, cell_text(col, value))
            elif col.money:
                c = ws.cell(row, j, float(value))
                c.number_format = "#,##0." + "0" * col.decimals
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
    _page_setup(ws, landscape=sum(widths) > PORTRAIT_WIDTH * 1.15, header_rows=header_rows)


LONG_LABEL = 8  # characters: a longer header label wraps onto two lines


def _label_width(label: str) -> tuple[float, bool]:
    """(width, fixed) for a header label: whole on one line when short; a long one wraps after
    its first half (防止群体性 / 上访（件）), and its column must then not be widened, or the
    line would break elsewhere."""
    if len(label) <= LONG_LABEL:
        return _width(label) + 1, False
    return _width(label[: (len(label) + 1) // 2]) + 1.5, True


def _column_widths(table: ReturnTable, lines: list[str]) -> list[float]:
    """Each column as wide as its longest text, then the others widened alike until the table
    spans the page (and the 填报单位 and 填表人 lines, merged across it, are not cut off)."""
    widths = [max(_width(table.ret.item_label), *(_width(i) for i in table.all_items()), 8) + 2]
    fixed = [False]
    for key in table.keys:
        col = table.column(key)
        numbers = [_width(cell_text(col, table.value(i, key))) + 2 for i in table.all_items()]
        label, wraps = _label_width(col.label)
        widths.append(max(label, *numbers, 6))
        fixed.append(wraps and label >= max(numbers))
    widths = [min(w, 40) for w in widths]
    wanted = max(sum(widths), PORTRAIT_WIDTH, *(_width(line) + 4 for line in lines))
    free = sum(w for w, f in zip(widths, fixed, strict=True) if not f)
    scale = (wanted - (sum(widths) - free)) / free
    return [w if f else round(w * scale, 1) for w, f in zip(widths, fixed, strict=True)]


def _page_setup(ws, *, landscape: bool, header_rows: int = 1) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + header_rows - 1}"
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


def write_xlsx(tables: Sequence[ReturnTable], out_path: str | Path, *, town: str, unit: str, phone: str = "") -> Path:
    """Write one sheet per table to ``out_path``; written beside it and moved into place, so a
    failure never leaves half a file."""
    from openpyxl import Workbook

    out_path = Path(out_path)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in tables:
        write_sheet(wb.create_sheet(sheet_name(table, taken)), table, town, unit, phone)
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


def export(
    store: Store,
    period,
    out_path: str | Path,
    names: Sequence[str] | None = None,
    *,
    recipient: str | None = None,
    ytd: bool = False,
) -> Path:
    """The returns named (all when none), of those ``recipient`` takes (when given), for
    ``period`` from the store, as ``out_path``; with ``ytd``, each with its 年度累计 beside."""

    check_output_path(getattr(store, "path", None), out_path)
    chosen = choose(names, recipient)
    tables = compute_all(store, period, chosen, ytd=ytd)
    town = str(store.setting("town") or "")
    phone = str(store.setting("phone") or "").strip()
    return write_xlsx(tables, out_path, town=town, unit=filing_unit(store), phone=phone)
