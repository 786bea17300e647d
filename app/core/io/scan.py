"""One sheet's data rows under a known header: converted, or every reason they are not.

The hot path (``fastrow.compile_row``) converts each row with a function generated for the
sheet's columns from the validator's own converters.  A row that fails there is run through
``Validator.clean_import`` itself, so the reported reasons are exactly the validator's; only
then is it checked for being blank or a 合计/小计/总计 row (skipped), so those checks cost the
clean rows nothing.

Each converted row is the values in ``ledger.keys`` order and one more: its 待补充 fields as
JSON ({key: the cell's text}, in catalog order) or None.  A required field the sheet has no
column for (and no fill), a required cell left empty, a value nothing reads, a cross-field
rule: 待补充.  Only what ``Validator.refuses`` makes a row bad; a bad row's cells and reason
are kept in ``rejects`` when asked (``--skip-bad``).
"""

from __future__ import annotations

import json
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
        self.fatal = 0  # header problems: the sheet cannot be read at all, --skip-bad or not

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


def incomplete_json(ledger_keys: list[str], incomplete: dict[str, str]) -> str | None:
    """The stored form of a row's 待补充 fields: JSON in catalog order (so equal rows hash
    equal), None when complete."""
    if not incomplete:
        return None
    return json.dumps({k: incomplete[k] for k in ledger_keys if k in incomplete}, ensure_ascii=False)


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
        *,
        fills: dict[str, Any] | None = None,
        skip_bad: bool = False,
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
        present = {f.key for f, _ in header.present}
        # a value for every row of a required column the sheet lacks (--fill, the mapping tab)
        self.fills = {k: v for k, v in (fills or {}).items() if k not in present and self.lg.has_field(k)}
        self.skip_bad = skip_bad  # go on after a bad row, keeping it in ``rejects``
        self.rejects: list[tuple[int, list[Any], str]] = []  # row number, cells as read, reason
        self.incomplete = 0  # rows yielded 待补充
        self.incomplete_fields: Counter[str] = Counter()  # field key -> 待补充 rows lacking it

    def header_errors(self) -> bool:
        """Add the header's problems (a column twice); True if any.  A missing required
        column is not one: its rows come in 待补充."""
        h, add = self.header, self.errors.add
        for f in h.twice:
            add(h.row, "表头", f"“{f.label}”列出现了两次", self.sheet_label)
            self.errors.fatal += 1
        return bool(h.twice)

    @property
    def missing(self) -> list[str]:
        """Required fields with no column and no fill: every row lacks them."""
        return [f.key for f in self.header.missing if f.key not in self.fills]

    def rows(self) -> Iterator[list[Any]]:
        """Converted rows in file order.  Errors go to ``self.errors``; once there is one, no
        more rows are yielded (unless ``skip_bad``) but the scan goes on, to report every bad
        row."""
        if self.header_errors():
            return
        h = self.header
        keys = self.lg.keys
        fill_values = list(self.fills.values())
        nfill = len(fill_values)
        present = [*h.present, *((self.lg.field(k), j - nfill) for j, k in enumerate(self.fills))]
        plan = dict((f.key, conv) for f, conv in self.v.plan)
        for key, factor in h.scales.items():
            plan[key] = _scaled(plan[key], factor)
        convert_row = compile_row(self.lg, plan, present)
        base = dict.fromkeys(self.missing, "")
        base_json = incomplete_json(keys, base)
        blank_cols = h.blank
        uid_col, fix = h.uid_col, self.fix_cells
        errors = self.errors
        progress, should_cancel = self.progress, self.should_cancel
        total = self.table.total
        width = len(h.cells)
        pad = [None] * width
        tick = 0
        header_row = h.row
        skip_bad = self.skip_bad
        failed = bool(errors.total) and not skip_bad  # a local: read for every row

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
            read = cells
            if nfill:
                cells = [*cells, *fill_values]
            try:
                out = convert_row(cells)
                out.append(base_json)
            except RowInvalid:
                if blank_row(read) or total_row(read):
                    continue
                out = self._slow(row_no, read, cells, present, base)
                if out is None:
                    failed = not skip_bad
                    continue
            if blank_cols or len(read) > width:
                stray = [i for i in (*blank_cols, *range(width, len(read))) if not _blank_cell(read[i])]
                if stray:
                    if total_row(read):
                        continue
                    self._bad(row_no, read, [(f"第{stray[0] + 1}列", "这一列没有表头，无法确定是哪一项")])
                    failed = not skip_bad
                    continue
            self.count += 1
            if not failed:
                if out[-1] is not None:
                    self.incomplete += 1
                    self.incomplete_fields.update(json.loads(out[-1]).keys())
                self.row_no = row_no
                if uid_col is not None:
                    self.uid = uid
                yield out
        if progress is not None:
            progress(total, total)

    def _bad(self, row_no: int, cells: list[Any], problems: list[tuple[str, str]]) -> None:
        self.errors.bad_rows += 1
        for label, message in problems:
            self.errors.add(row_no, label, message, self.sheet_label)
        if self.skip_bad:
            self.rejects.append((row_no, list(cells), "；".join(f"{label}：{message}" for label, message in problems)))

    def _slow(
        self, row_no: int, read: list[Any], cells: list[Any], present: list[tuple[Field, int]], base: dict[str, str]
    ) -> list[Any] | None:
        """A row the fast path refused, through the validator: its values (待补充 marked), or
        None when it is bad (reasons added)."""
        raw = {f.key: cells[i] for f, i in present}
        out, hard, incomplete = self.v.clean_import(raw)
        for key in incomplete:
            f = self.lg.field(key)
            value = raw.get(key)
            if f.kind == "choice" and not _blank_cell(value):
                self.unknown_values.setdefault(f.key, Counter())[as_text(value)] += 1
        if hard:
            self._bad(row_no, read, [(e.label, e.message) for e in hard])
            return None
        for key, factor in self.header.scales.items():
            value = raw.get(key)
            if out.get(key) is not None and not (isinstance(value, str) and "万" in value):
                out[key] = round(out[key] * factor, 2)
        return [*(out[k] for k in self.lg.keys), incomplete_json(self.lg.keys, {**base, **incomplete})]
