"""Import speed: 100k rows of 矛盾纠纷台账 (9 columns) from CSV and from .xlsx.

Baselines measured in the same run (these machines are noisy):
(a) the bare floor for CSV: ``csv`` module + ``sqlite3.executemany`` into a plain table;
(c) the bare floor for .xlsx: python-calamine's own read of the sheet (open + every row).
Our imports — (b) CSV, (d) .xlsx — do full validation, choice and date checks, the
cross-field rules, uuids, an indexed table in a WAL/synchronous=FULL file and one audit entry.
Targets: b/a <= 3, d/c <= 1.5.  Peak Python memory (tracemalloc) of our import for 50k and
100k rows shows whether it grows with the file (calamine's own sheet buffer lives in Rust
and is not counted; it is the same for the bare read).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import sqlite3
import tempfile
import time
import tracemalloc
from pathlib import Path

from app.core import catalog
from app.core.io import import_file, preview_import
from app.core.store import Store

LEDGER = "disputes"
KEYS = ("registered_on", "source", "dispute_type", "village", "parties", "summary", "mediator", "status", "closed_on")
N = 100_000
HALF = 50_000


def _rows(n: int):
    sources = ("自主排查", "群众申请", "法院委派", "部门移送")
    types = ("婚姻家庭", "邻里", "房屋宅基地", "合同", "山林土地", "其他")
    states = ("待调解", "调解中", "调解成功", "调解不成", "终止")
    start = dt.date(2024, 1, 1)
    for i in range(n):
        day = start + dt.timedelta(days=i * 7 % 366)
        state = states[i % 5]
        closed = day + dt.timedelta(days=i % 9) if i % 5 >= 2 else None
        yield [
            day, sources[i % 4], types[i % 6], f"第{i % 23 + 1}村", f"张{i % 97}、李{i % 89}",
            f"第{i}号纠纷：因宅基地边界、通行等问题发生争执，经走访了解情况", f"调解员{i % 11}", state, closed,
        ]  # fmt: skip


def write_csv(path: Path, n: int) -> None:
    lg = catalog.get(LEDGER)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([lg.field(k).label for k in KEYS])
        for r in _rows(n):
            w.writerow(["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in r])


_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="styles.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
    '<Relationship Id="rId3" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>",
}


def write_xlsx(path: Path, n: int) -> None:
    """A plain .xlsx as Excel writes it (shared strings, date cells as styled serial numbers),
    written directly: openpyxl would take ~10 s for the 150k rows of this benchmark."""
    import zipfile
    from xml.sax.saxutils import escape

    lg = catalog.get(LEDGER)
    strings: dict[str, int] = {}
    epoch = dt.date(1899, 12, 30)

    def cell(ref: str, v) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.date):
            return f'<c r="{ref}" s="1"><v>{(v - epoch).days}</v></c>'
        i = strings.setdefault(v, len(strings))
        return f'<c r="{ref}" t="s"><v>{i}</v></c>'

    cols = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows = [[lg.field(k).label for k in KEYS], *_rows(n)]
    body = "".join(
        f'<row r="{r}">' + "".join(cell(f"{cols[c]}{r}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{body}</sheetData></worksheet>"
    )
    sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    parts = {
        **_XLSX_PARTS,
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{lg.name}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in parts.items():
            z.writestr(name, text)


def bare_csv(path: Path, db: Path) -> float:
    t = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TABLE t ({', '.join(KEYS)})")
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        with conn:
            conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(KEYS))})", reader)
    conn.close()
    return time.perf_counter() - t


def bare_calamine(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    n = sum(1 for _ in sheet.iter_rows())
    assert n > 1
    return time.perf_counter() - t


def ours(path: Path, db: Path, expect: int) -> float:
    store = Store.open(db)
    try:
        t = time.perf_counter()
        result = import_file(store, LEDGER, path)
        elapsed = time.perf_counter() - t
        assert result.written and result.count == expect, result.errors[:3]
        assert store.count(LEDGER) == expect
    finally:
        store.close()
    return elapsed


def write_floor(path: Path, db: Path) -> float:
    """(e) what writing alone costs in our schema: already-clean rows through
    ``Store.insert_many`` (uids, 7 secondary indexes rebuilt, WAL + synchronous=FULL commit)."""
    store = Store.open(db)
    try:
        keys = catalog.get(LEDGER).keys
        rows = [tuple(r[k] for k in keys) for r in preview_import(store, LEDGER, path).rows]
        gc.collect()  # tuples of plain values drop out of the GC's tracking: no GC cost in the timing
        t = time.perf_counter()
        store.insert_many(LEDGER, rows, ordered=True, expected=len(rows))
        return time.perf_counter() - t
    finally:
        store.close()


def peak_memory(path: Path, db: Path, expect: int) -> float:
    store = Store.open(db)
    try:
        gc.collect()
        tracemalloc.start()
        result = import_file(store, LEDGER, path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result.count == expect
    finally:
        store.close()
    return peak / 2**20


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        write_csv(d / "big.csv", N)
        write_csv(d / "half.csv", HALF)
        write_xlsx(d / "big.xlsx", N)
        write_xlsx(d / "half.xlsx", HALF)
        print(f"  (test files written in {time.perf_counter() - t:.1f} s)")

        a = min(bare_csv(d / "big.csv", d / f"bare{i}.db") for i in range(2))
        b = min(ours(d / "big.csv", d / f"csv{i}.db", N) for i in range(2))
        c = min(bare_calamine(d / "big.xlsx") for _ in range(2))
        e = min(ours(d / "big.xlsx", d / f"xlsx{i}.db", N) for i in range(2))
        w = min(write_floor(d / "big.csv", d / f"floor{i}.db") for i in range(2))
        print(f"  (a) bare csv + sqlite3.executemany, {N} rows: {a:6.2f} s")
        print(f"  (b) our CSV import (validated, audited):   {b:6.2f} s   b/a = {b / a:.2f}  (target <= 3)")
        print(f"  (c) calamine's bare read of the .xlsx:     {c:6.2f} s")
        print(f"  (d) our .xlsx import:                      {e:6.2f} s   d/c = {e / c:.2f}  (target <= 1.5)")
        print(f"  (e) of which writing clean rows into the ledger table: {w:.2f} s = {w / a:.2f}x (a)")
        print(
            f"      reading + validating: CSV {b - w:.2f} s = {(b - w) / a:.2f}x (a);"
            f" .xlsx {e - w:.2f} s = {(e - w) / c:.2f}x (c)"
        )
        mem = {
            (kind, n): peak_memory(d / f"{name}.{kind}", d / f"mem_{kind}{n}.db", n)
            for kind in ("csv", "xlsx")
            for n, name in ((HALF, "half"), (N, "big"))
        }
        for kind in ("csv", "xlsx"):
            lo, hi = mem[(kind, HALF)], mem[(kind, N)]
            print(f"  peak Python memory, {kind:4} import: {HALF} rows {lo:5.1f} MiB, {N} rows {hi:5.1f} MiB")


if __name__ == "__main__":
    main()
