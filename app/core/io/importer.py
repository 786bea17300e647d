"""Import: a spreadsheet or CSV file into one ledger, all or nothing.

The header row holds the catalog's field labels (any order; optional columns may be left
out; a ``*`` after a label, as the template shows, is ignored).  Every data row is
validated by the store's :class:`~app.core.validation.Validator`; blank rows are skipped.
Any bad row means nothing is written, and every problem is reported as
``RowError(row, label, message)`` with the row number the spreadsheet shows (header = 1).

The hot path (``fastrow.compile_row``) converts each row with a function generated for the
file's columns from the validator's own converters.  A row that fails there is run through
``Validator.clean`` itself, so the reported reasons are exactly the validator's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalog import Field, Ledger
from ..validation import Validator, is_blank
from .fastrow import RowInvalid, compile_row
from .readers import ReadError, Table, open_table

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

_TICK = 2000  # rows between progress reports / cancellation checks
MAX_ERRORS = 10_000  # errors kept in the list; beyond that they are only counted
_HEADER_SCAN = 10  # rows searched for the header (title rows above it are skipped)
_LABEL_FIX = str.maketrans({"(": "（", ")": "）", " ": None, "\u3000": None, "\n": None, "\r": None})


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet shows it; the header row is 1 in a plain file
    label: str  # column label, or "表头" for a header problem
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.label}：{self.message}"


@dataclass
class ImportPreview:
    """What a file would import: the clean rows, or every reason it cannot."""

    ledger: Ledger
    path: Path
    headers: list[str] = field(default_factory=list)  # the file's header cells, as written
    rows: list[dict[str, Any]] = field(default_factory=list)  # clean rows (field key -> value)
    row_numbers: list[int] = field(default_factory=list)  # spreadsheet row of each clean row
    errors: list[RowError] = field(default_factory=list)
    valid_count: int = 0  # rows that passed, even when others did not (then ``rows`` is empty)
    error_total: int = 0  # ``errors`` keeps the first MAX_ERRORS
    bad_rows: int = 0
    sheet: str | None = None
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    """The outcome of :func:`import_file`: ``count`` rows written (or checked, for a dry run)."""

    ledger: Ledger
    count: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False
    headers: list[str] = field(default_factory=list)
    error_total: int = 0  # ``errors`` keeps the first MAX_ERRORS
    bad_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportCancelled(Exception):
    """``should_cancel()`` said stop; nothing was written."""


class _Refused(Exception):
    """Raised inside the insert stream to roll the batch back when a row was bad."""


def _norm_label(text: Any) -> str:
    s = str(text).strip().translate(_LABEL_FIX)
    return s.strip("*＊").strip()


class _Scan:
    """One pass over a table: header analysis, then validated rows, errors collected."""

    def __init__(
        self,
        validator: Validator,
        table: Table,
        progress: Progress | None = None,
        should_cancel: CancelCheck | None = None,
    ):
        self.v = validator
        self.lg = validator.ledger
        self.table = table
        self.progress = progress
        self.should_cancel = should_cancel
        self.errors: list[RowError] = []
        self.error_total = 0  # errors found, kept or not (see MAX_ERRORS)
        self.bad_rows = 0
        self.headers: list[str] = []
        self.count = 0
        self.row_no = 0  # spreadsheet row of the row last yielded

    # -- header ---------------------------------------------------------------------------

    def _map_header(self, row_no: int, cells: list[Any]) -> list[tuple[Field, int]] | None:
        known: dict[str, Field] = {}
        for f in self.lg.fields:
            known[_norm_label(f.label)] = f
            known[f.key] = f
        present: list[tuple[Field, int]] = []
        seen: dict[str, int] = {}
        self.ignored: list[int] = []
        for i, cell in enumerate(cells):
            if is_blank(cell) or str(cell).strip() == "":
                self.ignored.append(i)
                continue
            f = known.get(_norm_label(cell))
            if f is None:
                self.errors.append(
                    RowError(row_no, "表头", f"未知的列“{str(cell).strip()}”。{self.lg.name}的列为：{self._labels()}")
                )
            elif f.key in seen:
                self.errors.append(RowError(row_no, "表头", f"“{f.label}”列出现了两次"))
            else:
                seen[f.key] = i
                present.append((f, i))
        for f in self.lg.fields:
            if f.required and f.key not in seen:
                self.errors.append(RowError(row_no, "表头", f"缺少必填列“{f.label}”"))
        self.error_total = len(self.errors)
        return None if self.errors else present

    def _labels(self) -> str:
        return "、".join(f.label + ("*" if f.required else "") for f in self.lg.fields)

    def _find_header(self, rows: Iterator[tuple[int, list[Any]]]) -> tuple[int, list[Any]] | None:
        """The header: the first row naming a known column among the first rows (a title row
        above it is skipped); failing that, the first non-blank row."""
        labels = {_norm_label(f.label) for f in self.lg.fields} | set(self.lg.keys)
        first = None
        for seen, (row_no, cells) in enumerate(rows):
            if not any(not is_blank(c) and str(c).strip() for c in cells):
                continue
            first = first or (row_no, cells)
            if any(_norm_label(c) in labels for c in cells if isinstance(c, str)):
                return row_no, cells
            if seen >= _HEADER_SCAN:
                break
        return first

    # -- rows -----------------------------------------------------------------------------

    def rows(self) -> Iterator[list[Any]]:
        """Clean rows as lists in ``ledger.keys`` order, in file order.  Errors land in
        ``self.errors``; once there is one, no more rows are yielded but the scan goes on,
        to report every bad row."""
        source = self.table.rows()
        found = self._find_header(source)
        if found is None:
            self._add(1, "表头", "文件是空的：第一行应为列名（表头）")
            return
        header_no, header = found
        self.headers = ["" if c is None else str(c).strip() for c in header]
        present = self._map_header(header_no, header)
        if present is None:
            return
        plan = dict((f.key, conv) for f, conv in self.v.plan)
        convert_row = compile_row(self.lg, plan, present)
        ignored = self.ignored
        errors = self.errors
        progress, should_cancel, total = self.progress, self.should_cancel, self.table.total
        width = len(header)
        pad = [None] * width
        tick = 0

        for row_no, cells in source:
            tick += 1
            if tick == _TICK:
                tick = 0
                if should_cancel is not None and should_cancel():
                    raise ImportCancelled("已取消导入，没有写入任何数据")
                if progress is not None:
                    progress(row_no, max(total, row_no))
            if len(cells) < width:
                cells = [*cells, *pad[len(cells) :]]
            if not any(cells) and _blank_row(cells):
                continue
            try:
                out = convert_row(cells)
            except RowInvalid:
                if _blank_row(cells):
                    continue
                self._slow(row_no, cells, present)
                continue
            if ignored or len(cells) > width:
                stray = [i for i in (*ignored, *range(width, len(cells))) if not _blank_cell(cells[i])]
                if stray:
                    self.bad_rows += 1
                    self._add(row_no, f"第{stray[0] + 1}列", "这一列没有表头，无法确定是哪一项")
                    continue
            self.count += 1
            if not errors:
                self.row_no = row_no
                yield out
        if progress is not None:
            progress(total, total)

    def _slow(self, row_no: int, cells: list[Any], present: list[tuple[Field, int]]) -> None:
        raw = {f.key: cells[i] for f, i in present}
        _, errs = self.v.clean(raw)
        self.bad_rows += 1
        for e in errs:
            self._add(row_no, e.label, e.message)
        if not errs:  # the fast path is stricter than it should be: a bug, so say so plainly
            self._add(row_no, "", "内部错误：该行未能通过快速校验")

    def _add(self, row_no: int, label: str, message: str) -> None:
        self.error_total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row_no, label, message))


def _blank_cell(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and is_blank(value))


def _blank_row(cells: list[Any]) -> bool:
    return all(_blank_cell(c) for c in cells)


def _scan(store: Any, ledger_id: str, path: str | Path, progress, should_cancel) -> _Scan:
    validator = store.validator(ledger_id)
    lg = validator.ledger
    table = open_table(path, prefer_sheets=(lg.name, lg.id))
    return _Scan(validator, table, progress, should_cancel)


def preview_import(
    store: Any,
    ledger_id: str,
    path: str | Path,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> ImportPreview:
    """Read and validate a file without writing anything; the clean rows are kept in memory
    (for the import preview dialog).  Raises ``ReadError`` if the file cannot be read and
    ``ImportCancelled`` if ``should_cancel()`` returned True."""
    scan = _scan(store, ledger_id, path, progress, should_cancel)
    preview = ImportPreview(scan.lg, Path(path), sheet=scan.table.sheet, encoding=scan.table.encoding)
    keys = scan.lg.keys
    for values in scan.rows():
        preview.rows.append(dict(zip(keys, values, strict=True)))
        preview.row_numbers.append(scan.row_no)
    preview.headers = scan.headers
    preview.errors = scan.errors
    preview.valid_count = scan.count
    preview.error_total, preview.bad_rows = scan.error_total, scan.bad_rows
    if preview.errors:
        preview.rows.clear()
        preview.row_numbers.clear()
    return preview


def commit_import(store: Any, preview: ImportPreview, note: str = "") -> int:
    """Write a clean preview: one transaction, one audit entry.  Returns the row count."""
    if preview.errors:
        raise ValueError("文件中有错误，不能导入")
    note = note or f"从 {preview.path.name} 导入 {len(preview.rows)} 行"
    return store.insert_many(preview.ledger.id, preview.rows, note, expected=len(preview.rows))


def import_file(
    store: Any,
    ledger_id: str,
    path: str | Path,
    *,
    dry_run: bool = False,
    note: str = "",
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
) -> ImportResult:
    """Validate and import a file in one pass, streamed (memory does not grow with the file).

    Rows are inserted as they validate, inside one transaction; if any row is bad (or the
    import is cancelled) the transaction is rolled back, so nothing is written, and every
    bad row is listed in ``result.errors``.  ``dry_run`` only validates."""
    if not dry_run and store.conn.in_transaction:
        # inside a caller's transaction a rollback here would not undo the rows already
        # inserted (the batch joins the outer transaction): check the whole file first
        checked = import_file(store, ledger_id, path, dry_run=True, progress=progress, should_cancel=should_cancel)
        if checked.errors or checked.count == 0:
            return checked
    scan = _scan(store, ledger_id, path, progress, should_cancel)
    result = ImportResult(scan.lg)
    if dry_run:
        for _ in scan.rows():
            pass
    else:
        note = note or f"从 {Path(path).name} 导入 {{count}} 行"

        def guarded() -> Iterator[list[Any]]:
            yield from scan.rows()
            if scan.errors or scan.count == 0:
                raise _Refused

        try:
            store.insert_many(scan.lg.id, guarded(), note, ordered=True, expected=scan.table.total)
            result.written = True
        except _Refused:
            pass
    result.count = scan.count
    result.errors = scan.errors
    result.headers = scan.headers
    result.error_total, result.bad_rows = scan.error_total, scan.bad_rows
    return result


__all__ = [
    "ImportCancelled",
    "ImportPreview",
    "ImportResult",
    "ReadError",
    "RowError",
    "commit_import",
    "import_file",
    "preview_import",
]
