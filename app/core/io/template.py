"""A blank ``.xlsx`` for clerks to fill in: the header row of a ledger (required columns in
bold red with a ``*``), column widths, a frozen header, and dropdowns (data validation) on
every choice column, listing the office's current choices from a hidden 选项 sheet (a literal
list in the validation formula is limited to 255 characters)."""

from __future__ import annotations

from pathlib import Path

from app.core.ledgers.catalog import Field
from app.core.storage.store import Store

from ..paths import check_output_path
from .readers import ReadError

MAX_ROW = 5000  # rows that carry the dropdowns and number checks

_KIND_HELP = {
    "date": "日期，如 2024-03-05、2024/3/5 或 2024年3月5日",
    "int": "整数",
    "decimal": "数字",
    "names": "可填多个姓名，用、分隔",
    "idcard": "18位身份证号（请保持文本格式）",
    "ref": "",
}


def _help(f: Field, choices: tuple[str, ...]) -> str:
    parts = ["必填" if f.required else "选填"]
    if f.kind == "choice":
        parts.append("从下拉列表中选择：" + "、".join(choices))
    elif _KIND_HELP.get(f.kind):
        parts.append(_KIND_HELP[f.kind])
    if f.help:
        parts.append(f.help)
    return "；".join(parts)


def header_label(f: Field) -> str:
    """The template's header text: the label, with ``*`` for required fields (the importer
    ignores the ``*``)."""
    return f.label + ("*" if f.required else "")


def write_template(store: Store, ledger_id: str, path: str | Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    check_output_path(getattr(store, "path", None), path)
    if path.suffix.lower() != ".xlsx":
        raise ReadError("模板只能保存为 .xlsx 文件")
    lg = store.validator(ledger_id).ledger
    wb = Workbook()
    ws = wb.active
    ws.title = lg.name[:31]
    lists = wb.create_sheet("选项")
    lists.sheet_state = "hidden"
    required_font = Font(bold=True, color="C00000")
    plain_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    list_col = 0
    for col, f in enumerate(lg.fields, start=1):
        letter = get_column_letter(col)
        choices = store.choices(lg.id, f.key) if f.kind == "choice" else ()
        cell = ws.cell(row=1, column=col, value=header_label(f))
        cell.font = required_font if f.required else plain_font
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = Comment(_help(f, choices), "法治台账", width=260, height=90)
        ws.column_dimensions[letter].width = max(f.width, len(f.label) * 2 + 3)
        cells = f"{letter}2:{letter}{MAX_ROW}"
        if f.kind == "choice":
            list_col += 1
            lc = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=f.label)
            for r, choice in enumerate(choices, start=2):
                lists.cell(row=r, column=list_col, value=choice)
            # no leading "=": OOXML stores formulas without it
            source = f"{quote_sheetname(lists.title)}!${lc}$2:${lc}${len(choices) + 1}"
            dv = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False)
            dv.error = f"请从列表中选择{f.label}"
            dv.errorTitle = "不在可选值中"
        elif f.kind == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = f"{f.label}应为不小于0的整数"
            dv.errorTitle = "应为整数"
        elif f.kind == "decimal":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = f"{f.label}应为不小于0的数字"
            dv.errorTitle = "应为数字"
        else:
            dv = None
            # a column style applies to what the clerk types later, without creating cells
            if f.kind == "date":
                ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
            elif f.kind in ("idcard", "phone"):
                ws.column_dimensions[letter].number_format = "@"  # text: keeps all 18 digits
        if dv is not None:
            dv.showErrorMessage = True
            dv.add(cells)
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 22
    if list_col == 0:
        wb.remove(lists)
    wb.save(path)
    return path
