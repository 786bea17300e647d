"""One sheet's data rows under a known header: converted, or every reason they are not.

The hot path (``fastrow.compile_row``) converts each row with a function generated for the
sheet's columns from the validator's own converters.  A row that fails there is run through
``Validator.clean`` itself, so the reported reasons are exactly the validator's; only then
is it checked for being blank or a 合计/小计/总计 row (skipped), so those checks cost the
clean rows nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from app.core.ledgers.catalog import Field
from app.core.ledgers.privacy import mask_ids_in_text
from app.core.ledgers.validation import Validator, as_text, is_blank

from .fastrow import RowInvalid, compile_row
from .headers import HeaderMatch
from .readers import Table

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

TICK = 2000  # rows between progress reports / cancellation checks
MAX_ERRORS = 10_000  # errors kept in the list; beyond that they are only counted
TOTAL_WORDS = ("合计", "小计", "总计", "共计")


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet shows it
    label: str  # column label, or "表头" for a header problem
    message: str
    sheet: str | None = None  # named when the workbook has several sheets

    def __post_init__(self) -> None:  # the message may quote a cell: never a whole 身份证号
        object.__setattr__(self, "message", mask_ids_in_text(self.message))

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        return f"{where}第{self.row}行 {self.label}：{self.message}"


class ImportCancelled(Exception):
    """``should_cancel()`` said stop; nothing was written."""


class Errors:
    """The errors of a whole import: the first MAX_ERRORS kept, all counted."""

    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.total = 0
        self.bad_rows = 0

    def add(self, row: int, label: str, message: str, sheet: str | None) -> None:
        self.total += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(RowError(row, label, message, sheet))


def _blank_cell(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and is_blank(value))


def blank_row(cells: list[Any]) -> bool:
    return all(_blank_cell(c) for c in cells)


def total_row(cells: list[Any]) -> bool:
    """A 合计 / 小计 / 总计 row: its first filled cell says so (spaces ignored)."""
    for c in cells:
        if not _blank_cell(c):
            return isinstance(c, str) and c.replace(" ", "").replace("\u3000", "").startswith(TOTAL_WORDS)
    return False


def _scaled(conv: Callable[[Any], Any], factor: int) -> Callable[[Any], Any]:
    """A number in a column headed in 万元 (1.2 → 12000); a cell that says 万 itself is read as written."""

    def convert(value: Any) -> Any:
        v = conv(value)
        if isinstance(value, str) and "万" in value:
            return v
        return round(v * factor, 2)

    return convert


class SheetScan:
    """The data rows of one sheet, converted in ``ledger.keys`` order."""

    def __init__(
        self,
        validator: Validator,
        table: Table,
        header: HeaderMatch,
        errors: Errors,
        sheet_label: str | None,
        progress: Progress | None = None,
        should_cancel: CancelCheck | None = None,
        fix_cells: Callable[[str, list[Any]], list[Any]] | None = None,
    ):
        self.v = validator
        self.lg = validator.ledger
        self.table = table
        self.header = header
        self.errors = errors
        self.sheet_label = sheet_label
        self.progress = progress
        self.should_cancel = should_cancel
        self.fix_cells = fix_cells  # (uid, cells) -> cells, for a round-trip sheet
        self.count = 0  # rows that converted
        self.row_no = 0  # spreadsheet row of the row last yielded
        self.uid: str | None = None  # 记录编号 of the row last yielded
        self.unknown_values: dict[str, Counter[str]] = {}  # choice field -> values not recognised

    def header_errors(self) -> bool:
        """Add the header's problems (a missing required column, a column twice); True if any."""
        h, add = self.header, self.errors.add
        for f in h.twice:
            add(h.row, "表头", f"“{f.label}”列出现了两次", self.sheet_label)
        for f in h.missing:
            add(h.row, "表头", f"缺少必填列“{f.label}”。{self.lg.name}的列为：{self._labels()}", self.sheet_label)
        return bool(h.twice or h.missing)

    def _labels(self) -> str:
        return "、".join(f.label + ("*" if f.required else "") for f in self.lg.fields)

    def rows(self) -> Iterator[list[Any]]:
        """Converted rows in file order.  Errors go to ``self.errors``; once there is one, no
        more rows are yielded but the scan goes on, to report every bad row."""
        if self.header_errors():
            return
        h = self.header
        present = h.present
        plan = dict((f.key, conv) for f, conv in self.v.plan)
        for key, factor in h.scales.items():
            plan[key] = _scaled(plan[key], factor)
        convert_row = compile_row(self.lg, plan, present)
        blank_cols = h.blank
        uid_col, fix = h.uid_col, self.fix_cells
        errors = self.errors
        progress, should_cancel = self.progress, self.should_cancel
        total = self.table.total
        width = len(h.cells)
        pad = [None] * width
        tick = 0
        header_row = h.row
        failed = bool(errors.total)  # a local: read for every row

        source = self.table.rows()
        for row_no, _ in source:  # up to the header (title rows, the header itself)
            if row_no >= header_row:
                break
        for row_no, cells in source:
            tick += 1
            if tick == TICK:
                tick = 0
                if should_cancel is not None and should_cancel():
                    raise ImportCancelled("已取消导入，没有写入任何数据")
                if progress is not None:
                    progress(row_no, max(total, row_no))
            if len(cells) < width:
                cells = [*cells, *pad[len(cells) :]]
            if not any(cells) and blank_row(cells):
                continue
            if uid_col is not None:
                uid = as_text(cells[uid_col]) if not _blank_cell(cells[uid_col]) else None
                if uid and fix is not None:
                    cells = fix(uid, cells)
            try:
                out = convert_row(cells)
            except RowInvalid:
                if blank_row(cells) or total_row(cells):
                    continue
                self._slow(row_no, cells, present)
                failed = True
                continue
            if blank_cols or len(cells) > width:
                stray = [i for i in (*blank_cols, *range(width, len(cells))) if not _blank_cell(cells[i])]
                if stray:
                    if total_row(cells):
                        continue
                    errors.bad_rows += 1
                    errors.add(row_no, f"第{stray[0] + 1}列", "这一列没有表头，无法确定是哪一项", self.sheet_label)
                    failed = True
                    continue
            self.count += 1
            if not failed:
                self.row_no = row_no
                if uid_col is not None:
                    self.uid = uid
                yield out
        if progress is not None:
            progress(total, total)

    def _slow(self, row_no: int, cells: list[Any], present: list[tuple[Field, int]]) -> None:
        raw = {f.key: cells[i] for f, i in present}
        _, errs = self.v.clean(raw)
        self.errors.bad_rows += 1
        for e in errs:
            self.errors.add(row_no, e.label, e.message, self.sheet_label)
            f = self.lg.field(e.key)
            value = raw.get(e.key)
            if f.kind == "choice" and not _blank_cell(value):
                self.unknown_values.setdefault(f.key, Counter())[as_text(value)] += 1
        if not errs:  # the fast path is stricter than it should be: a bug, so say so plainly
            self.errors.add(row_no, "", "内部错误：该行未能通过快速校验", self.sheet_label)
