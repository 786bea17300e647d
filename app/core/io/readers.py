"""Reading a spreadsheet or CSV file as rows of cells, streamed.

``open_table(path)`` gives a :class:`Table` whose ``rows()`` yields ``(row_no, cells)`` with
``row_no`` the number the spreadsheet shows (first row = 1) and ``cells`` a list of values:
``str`` for CSV; ``str``/``float``/``int``/``bool``/``datetime.date``/``datetime.datetime``
for workbooks (python-calamine; empty cells are ``""``).

CSV files are decoded as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (a
superset of GBK, which WPS and older Excel write); the delimiter (``,`` tab ``;``) is taken
from the first line.  A CSV cell that our export neutralised against formulas (``'=…``,
``'+…``, ``'-…``, ``'@…``, see ``FORMULA_STARTS``) is read without that apostrophe, so an
exported file imports back as it was.
"""

from __future__ import annotations

import codecs
import csv
import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv", ".txt")
_CHUNK = 1 << 20
# a spreadsheet opening a .csv runs a cell starting with one of these as a formula ("CSV
# injection"); the export writes such a text cell with a leading apostrophe (OWASP's advice)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# what a ledger can be: a sheet declaring or holding more is refused before it is read (a
# cell at XFD1048576 makes calamine ask for hundreds of GiB and end the process)
MAX_ROWS = 200_000
MAX_COLUMNS = 200
# files read whole by calamine whose extent cannot be read cheaply first: bounded by size
MAX_BYTES = {".xls": 64 << 20, ".ods": 64 << 20, ".csv": 1 << 30, ".txt": 1 << 30}
_CELL_REF = re.compile(rb"([A-Z]{1,3})(\d{1,7})")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([^\"]*)\"")
# a cell reference past column 200 (GS) or a row number past 200 000; each pattern starts with
# the literal ' r="', which the regex engine scans for quickly (a 150 000-row sheet: well under
# a second)
_FAR_COLUMN = re.compile(rb' r="(?:[A-Z]{3}|G[S-Z]|[H-Z][A-Z])\d')
_FAR_ROW = re.compile(rb' r="[A-Z]{0,3}(2\d{5}|[3-9]\d{5}|\d{7,})"')


class ReadError(Exception):
    """The file cannot be read as a table; the message says why, in Chinese."""


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _too_big(rows: int, columns: int) -> bool:
    return rows > MAX_ROWS or columns > MAX_COLUMNS


def _xlsx_sheet_extent(zf: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(rows, columns) a sheet's XML declares or holds, read by streaming it: its
    ``<dimension ref>``, cells past column 200, rows past 200 000, and the count of rows."""
    rows = columns = count = 0
    tail = b""
    with zf.open(member) as fh:
        first = True
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            if first:
                first = False
                m = _DIMENSION.search(data)
                if m:
                    for ref in m[1].split(b":"):
                        cell = _CELL_REF.fullmatch(ref.replace(b"$", b""))
                        if cell:
                            columns = max(columns, _column_number(cell[1]))
                            rows = max(rows, int(cell[2]))
                    if _too_big(rows, columns):
                        return rows, columns
            count += chunk.count(b"<row") + chunk.count(b":row ")
            far = _FAR_COLUMN.search(data)
            if far:
                return rows, max(columns, MAX_COLUMNS + 1)
            for m in _FAR_ROW.finditer(data):
                rows = max(rows, int(m[1]))
            if _too_big(max(rows, count), columns):
                break
            tail = data[-64:]
    return max(rows, count), columns


def _xlsx_sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML member in the package (from workbook.xml and its rels)."""
    try:
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets: dict[str, str] = {}
    for m in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        tag = m[0]
        rid = re.search(rb"\bId=\"([^\"]+)\"", tag)
        target = re.search(rb"\bTarget=\"([^\"]+)\"", tag)
        if rid and target:
            t = target[1].decode("utf-8", "replace")
            t = t.lstrip("/") if t.startswith("/") else "xl/" + t
            targets[rid[1].decode()] = t
    out = {}
    for m in re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        tag = m[0]
        name = re.search(rb"\bname=\"([^\"]*)\"", tag)
        rid = re.search(rb"\br:id=\"([^\"]+)\"|\b\w+:id=\"([^\"]+)\"", tag)
        if name and rid:
            key = (rid[1] or rid[2]).decode()
            if key in targets:
                out[html.unescape(name[1].decode("utf-8", "replace"))] = targets[key]
    return out


def oversized_sheets(path: Path) -> dict[str, str]:
    """The sheets of an .xlsx/.xlsm too large to be a ledger, each with one Chinese line
    saying so; read from the package's XML without handing it to calamine."""
    out: dict[str, str] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            members = _xlsx_sheet_members(zf)
            named = set(members.values())
            for member in zf.namelist():  # a sheet the workbook part does not name: the whole file
                sheet_xml = member.startswith("xl/worksheets/") and member.endswith(".xml")
                if sheet_xml and member not in named and _too_big(*_xlsx_sheet_extent(zf, member)):
                    raise ReadError(_too_big_line(path.name))
            names = set(zf.namelist())
            for sheet, member in members.items():
                if member in names and _too_big(*_xlsx_sheet_extent(zf, member)):
                    out[sheet] = _too_big_line(f"{path.name} 的工作表“{sheet}”")
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError, zlib.error):
        return {}  # not a readable package: calamine says so in its own words
    return out


_ODS_TOKEN = re.compile(
    rb"<\w+:table\s[^>]*?\w+:name=\"([^\"]*)\"|<\w+:table-row\b([^>]*?)(/?)>|</\w+:table-row>"
    rb"|<\w+:(?:covered-)?table-cell\b([^>]*?)(/?)>"
)
_REPEAT_ROWS = re.compile(rb"number-rows-repeated=\"(\d+)\"")
_REPEAT_COLUMNS = re.compile(rb"number-columns-repeated=\"(\d+)\"")


def oversized_ods_sheets(path: Path) -> dict[str, str]:
    """The sheets of an .ods whose cells holding a value reach past 200 000 rows or 200
    columns, counting ``number-rows-repeated`` / ``number-columns-repeated`` (a 1 KB file can
    repeat one cell a hundred million times; repeated empty cells, as every .ods ends with, do
    not count).  Read by streaming content.xml, before calamine sees the file."""
    out: dict[str, str] = {}
    try:
        with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
            sheet, rows, columns = "", 0, 0
            row_repeat, col, row_has_value, in_row = 1, 0, False, False
            tail = b""
            while chunk := fh.read(_CHUNK):
                data = tail + chunk
                end = 0
                for m in _ODS_TOKEN.finditer(data):
                    end = m.end()
                    if m[1] is not None:  # a new sheet
                        sheet, rows, columns = html.unescape(m[1].decode("utf-8", "replace")), 0, 0
                    elif m[2] is not None:  # a row starts
                        r = _REPEAT_ROWS.search(m[2])
                        row_repeat, col, row_has_value, in_row = int(r[1]) if r else 1, 0, False, not m[3]
                    elif m[4] is not None:  # a cell
                        c = _REPEAT_COLUMNS.search(m[4])
                        col += int(c[1]) if c else 1
                        if b"value-type" in m[4]:
                            row_has_value = True
                            columns = max(columns, col)
                    else:  # a row ends
                        if in_row and row_has_value:
                            rows += row_repeat
                        in_row = False
                    if sheet not in out and (rows > MAX_ROWS or columns > MAX_COLUMNS):
                        out[sheet] = _too_big_line(f"{path.name} 的工作表“{sheet}”")
                tail = data[end:][-4096:]
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError, zlib.error):
        return out  # not a readable package: calamine says so in its own words
    return out


def _too_big_line(what: str) -> str:
    return (
        f"{what}超出台账可能的大小（超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列，可能有单元格写在很远的位置），"
        "没有读取：请把数据复制到新的工作表后再导入"
    )


@dataclass
class Table:
    """Rows of one sheet (or of a CSV file)."""

    path: Path
    sheet: str | None
    _total: int  # number of rows, or an estimate (CSV: line count) for progress reports
    encoding: str | None = None
    _rows: Any = None
    hidden: bool = False
    _size: Any = None  # a workbook sheet's row count, known once the sheet is read
    refused: str | None = None  # why this sheet is not read at all (too large to be a ledger)

    @property
    def total(self) -> int:
        if self._size is not None:
            self._total, self._size = self._size(), None
        return self._total

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """``(row_no, cells)`` from the first row; each call starts again."""
        return self._rows()


def detect_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-16`` or ``gb18030``: checked over the whole file, in chunks."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("gb18030")()
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ReadError(f"无法识别文件 {path.name} 的编码：请另存为 UTF-8 或 GBK 编码的 CSV") from None
        return "gb18030"


def _count_lines(path: Path) -> tuple[int, bool]:
    """The number of lines, and whether the file holds an apostrophe anywhere."""
    n, quoted = 0, False
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            n += chunk.count(b"\n")
            quoted = quoted or b"'" in chunk
    return n, quoted


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _unquote(cells: list[str]) -> None:
    """Drop the apostrophe the export put before a formula-like cell (``'=1+1`` → ``=1+1``)."""
    for i, cell in enumerate(cells):
        if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS:
            cells[i] = cell[1:]


def _open_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        first = fh.readline()
    delimiter = _sniff_delimiter(first)

    lines, quoted = _count_lines(path)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with open(path, encoding=encoding, newline="") as fh:
            try:
                numbered = enumerate(csv.reader(fh, delimiter=delimiter), start=1)
                if not quoted:  # no apostrophe in the whole file: the plain fast path
                    yield from numbered
                    return
                join = "".join
                for row in numbered:
                    if "'" in join(row[1]):
                        _unquote(row[1])
                    yield row
            except csv.Error as exc:
                raise ReadError(f"CSV 文件格式有误：{exc}") from None

    return Table(path, None, lines, encoding, rows)


def _open_workbook(path: Path) -> list[Table]:
    """One table per sheet, in the workbook's order; a sheet is read when its rows are."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    if path.suffix.lower() == ".ods":  # calamine reads every sheet of an .ods at once: check first
        too_big = oversized_ods_sheets(path)
        if too_big:
            raise ReadError(next(iter(too_big.values())))
    try:
        book = CalamineWorkbook.from_path(str(path))
        meta = list(book.sheets_metadata)
    except Exception as exc:  # calamine raises several kinds for damaged files
        raise ReadError(f"无法读取 {path.name}：文件已损坏、加了密码或不是表格文件（{exc}）") from None
    if not meta:
        raise ReadError(f"文件 {path.name} 中没有工作表")
    refused = oversized_sheets(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    tables = [_sheet_table(path, book, m.name, m.visible != SheetVisibleEnum.Visible) for m in meta]
    for t in tables:
        if t.sheet in refused:
            t.refused = refused[t.sheet]
            t._rows, t._size, t._total = (lambda: iter(())), None, 0
    return tables


def _sheet_table(path: Path, book: Any, name: str, hidden: bool) -> Table:
    loaded: list[Any] = []

    def sheet() -> Any:
        if not loaded:
            try:
                loaded.append(book.get_sheet_by_name(name))
            except Exception as exc:
                raise ReadError(f"无法读取 {path.name} 的工作表“{name}”（{exc}）") from None
            extent = loaded[0].height + loaded[0].start[0], loaded[0].width + loaded[0].start[1]
            if _too_big(*extent):  # an .xls can reach 65 536 × 256 in 6 KB: not a ledger either
                raise ReadError(_too_big_line(f"{path.name} 的工作表“{name}”"))
        return loaded[0]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # iter_rows starts at the sheet's first row, so the index is the row number Excel shows
        return enumerate(sheet().iter_rows(), start=1)

    table = Table(path, name, 0, None, rows, hidden=hidden)
    table._size = lambda: (sheet().height + sheet().start[0]) if sheet().height else 0
    return table


def open_tables(path: str | Path) -> list[Table]:
    """Every sheet of a workbook (hidden ones marked ``hidden``), or a CSV file as one table."""
    path = Path(path)
    if not path.exists():
        raise ReadError(f"找不到文件：{path}")
    if path.is_dir():
        raise ReadError(f"{path} 是文件夹，不是文件")
    suffix = path.suffix.lower()
    limit = MAX_BYTES.get(suffix)
    if limit is not None and path.stat().st_size > limit:
        raise ReadError(f"文件 {path.name} 太大（超过 {limit >> 20} MB），不像一个台账，没有读取")
    if suffix in WORKBOOK_SUFFIXES:
        return _open_workbook(path)
    if suffix in (".csv", ".txt"):
        return [_open_csv(path)]
    raise ReadError(f"不支持的文件类型“{path.suffix or path.name}”：请使用 .xlsx、.xls、.ods 或 .csv")


def open_table(path: str | Path, prefer_sheets: tuple[str, ...] = ()) -> Table:
    """The rows of a CSV file, or of a workbook's sheet (the first of ``prefer_sheets``
    present, else the first visible sheet)."""
    tables = open_tables(path)
    by_name = {t.sheet: t for t in tables}
    for name in prefer_sheets:
        if name in by_name:
            return by_name[name]
    return next((t for t in tables if not t.hidden), tables[0])
