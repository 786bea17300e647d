"""Import: a spreadsheet or CSV file into one ledger or several, all or nothing.

``plan_import`` decides which sheet goes into which ledger (``plan.py``); each sheet's rows
are converted under its header (``scan.py``); rows equal to a live row are duplicates and
left out (``existing.py``); a row with a 记录编号 updates that row.  A row whose required
field is missing or unreadable comes in 待补充 (``scan.py``).  Any bad row in any sheet means
nothing is written, and every problem is a ``RowError`` with the row number the spreadsheet
shows (and the sheet, when the workbook has several); with ``skip_bad`` the readable rows are
written and the bad ones go to the rejects workbook (``rejects.py``).

- ``import_file(store, ledger or None, path, ...)`` validates and writes in one streamed pass
  inside one transaction (the command line's path);
- ``preview_import(...)`` keeps the rows in memory and writes nothing (the window's preview);
  ``commit_import(store, preview)`` then writes it in one transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from app.core.ledgers.catalog import Ledger
from app.core.storage.schema import INCOMPLETE
from app.core.storage.store import Store

from .existing import Duplicates, StoredRows
from .headers import UID_LABEL
from .mapping import Mapping, remember
from .plan import ImportPlan, SheetPlan, plan_import
from .rejects import rejects_path, write_rejects
from .scan import CancelCheck, Errors, Progress, RowError, SheetScan, incomplete_json

DUPLICATE_NOTE = "与已有记录完全相同"


@dataclass
class SheetOutcome:
    """One sheet of an import: where it went and what it holds."""

    sheet: str | None
    ledger: Ledger
    header_row: int
    columns: list[str]  # the header cells as written
    skipped_columns: list[str]  # not recognised: named in a warning, not imported
    mapping: Mapping
    valid: int = 0  # rows that converted
    count: int = 0  # new rows
    duplicates: int = 0  # equal to a live row: left out
    updated: int = 0  # rows named by 记录编号 that change
    unchanged: int = 0  # rows named by 记录编号 that do not
    completed: int = 0  # live 待补充 rows this file reads more fully: filled in, not added again
    rows: list[list[Any]] = field(default_factory=list)  # preview: the new rows, in ledger.keys order
    row_numbers: list[int] = field(default_factory=list)
    with_uid: list[tuple[str, list[Any]]] = field(default_factory=list)  # new rows keeping their 记录编号
    updates: list[tuple[int, dict[str, Any], int]] = field(default_factory=list)  # row id, changes, row no
    unknown_values: dict[str, Counter[str]] = field(default_factory=dict)
    incomplete: int = 0  # new rows that come in 待补充
    incomplete_fields: Counter[str] = field(default_factory=Counter)  # field key -> such rows lacking it
    missing: list[str] = field(default_factory=list)  # required fields with no column (and no fill)
    no_column: list[str] = field(default_factory=list)  # required fields the sheet has no column for
    rejects: list[tuple[int, list[Any], str]] = field(default_factory=list)  # bad rows: row no, cells, reason

    @property
    def name(self) -> str:
        return self.sheet or ""


@dataclass
class ImportResult:
    """The outcome of an import (or of a check: ``written`` False)."""

    ledger: Ledger | None
    path: Path | None = None
    sheets: list[SheetOutcome] = field(default_factory=list)
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0  # ``errors`` keeps the first MAX_ERRORS
    bad_rows: int = 0
    written: bool = False
    several: bool = False  # a workbook of several sheets
    fatal: int = 0  # header problems: nothing can be imported, --skip-bad or not
    skip_bad: bool = False
    rejects_file: Path | None = None  # where the bad rows were written (--skip-bad)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def completed(self) -> int:
        """Live 待补充 rows the file filled in (the same records read more fully)."""
        return sum(s.completed for s in self.sheets)

    @property
    def incomplete(self) -> int:
        """New rows that come in 待补充."""
        return sum(s.incomplete for s in self.sheets)

    @property
    def rejected(self) -> int:
        """Bad rows kept for the rejects workbook."""
        return sum(len(s.rejects) for s in self.sheets)

    @property
    def count(self) -> int:
        """New rows: imported, or that would be."""
        return sum(s.count for s in self.sheets)

    @property
    def valid_count(self) -> int:
        return sum(s.valid for s in self.sheets)

    @property
    def duplicates(self) -> int:
        return sum(s.duplicates for s in self.sheets)

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.sheets)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.sheets)

    @property
    def headers(self) -> list[str]:
        return self.sheets[0].columns if self.sheets else []

    @property
    def sheet(self) -> str | None:
        return self.sheets[0].sheet if self.sheets else None

    def warnings(self) -> list[str]:
        """Columns not imported (never silent; sheets with the same ones said once), and
        sheets left out."""
        out = []
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for s in self.sheets:
            if s.skipped_columns:
                groups.setdefault((s.ledger.name, tuple(s.skipped_columns)), []).append(s.sheet or "")
        for (ledger, columns), sheets in groups.items():
            where = "、".join(f"“{x}”" for x in sheets if x)
            where = f"工作表{where}中" if self.several and where else ""
            cols = "、".join(f"“{c}”" for c in columns)
            out.append(f"{where}这些列认不出是{ledger}的哪一项，没有导入：{cols}")
        if self.sheets:
            for name, why in self.skipped_sheets:
                out.append(f"工作表“{name}”没有导入（{why}）")
        return out

    def plan_lines(self) -> list[str]:
        """工作表 → 台账 (rows), one line per sheet."""
        name = self.path.name if self.path else ""
        lines = []
        for s in self.sheets:
            rows = f"，{s.valid} 行" if s.valid or not self.errors else ""
            lines.append(f"{s.sheet or name} → {s.ledger.name}（第{s.header_row}行为表头{rows}）")
        return lines


@dataclass
class ImportPreview(ImportResult):
    """A checked file, its rows kept in memory until ``commit_import``."""

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The new rows of every sheet, as field key -> value (empty if any row is bad)."""
        return [dict(zip(s.ledger.keys, r[:-1], strict=True)) for s in self.sheets for r in s.rows]

    @property
    def row_numbers(self) -> list[int]:
        return [n for s in self.sheets for n in s.row_numbers]


class _Refused(Exception):
    """Raised inside the transaction to roll it back when a row was bad or nothing is new."""


def _note(note: str, path: Path, sheet: SheetPlan, several: bool) -> str:
    if note:
        return note
    where = f"（{sheet.sheet}）" if several and sheet.sheet else " "
    return f"从 {path.name}{where}导入 {{count}} 行"


def _run(
    store: Store,
    plan: ImportPlan,
    *,
    write: bool,
    keep_rows: bool,
    keep_duplicates: bool = False,
    note: str = "",
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
    skip_bad: bool = False,
    rejects: str | Path | None = None,
) -> ImportResult:
    result = (ImportPreview if keep_rows else ImportResult)(
        plan.sheets[0].ledger if plan.sheets else None, plan.path, several=plan.several, skip_bad=skip_bad
    )
    result.skipped_sheets = list(plan.skipped)
    errors = Errors()
    if plan.problem:
        errors.add(1, "表头", plan.problem, None)
        errors.fatal += 1
    grand = sum(sp.table.total for sp in plan.sheets)
    duplicates: dict[str, Duplicates] = {}
    done = 0
    cache = _roomy_cache(store) if write and grand >= 5000 else None
    try:
        with store.transaction() if write else nullcontext():
            for sp in plan.sheets:
                label = sp.sheet if plan.several else None
                lg = sp.ledger
                out = SheetOutcome(sp.sheet, lg, sp.header.row, sp.header.cells, sp.header.skipped_labels, sp.mapping)
                result.sheets.append(out)
                dups = duplicates.get(lg.id) or duplicates.setdefault(lg.id, Duplicates(store, lg, keep_duplicates))
                stored = StoredRows(store, lg) if sp.header.uid_col is not None else None
                ids = [(f.key, i) for f, i in sp.header.present if f.personal]  # exported masked
                offset = done

                def step(n: int, _total: int, offset: int = offset) -> None:
                    if progress is not None:
                        progress(offset + n, max(grand, offset + n))

                scan = SheetScan(
                    store.validator(lg.id).with_mapped_values(sp.mapping.values),
                    sp.table, sp.header, errors, label, step, should_cancel,
                    stored.unmasker(ids) if stored is not None and ids else None,
                    fills=sp.mapping.fills, skip_bad=skip_bad,
                )  # fmt: skip
                out.missing = scan.missing
                out.no_column = [f.key for f in sp.header.missing]
                lean = stored is None and not dups.counts and not keep_rows  # the common case
                rows = scan.rows() if lean else _sorted_rows(scan, out, dups, stored, errors, label, keep_rows)
                if write and (skip_bad or not errors.total) and not errors.fatal:
                    first = next(rows, None)
                    if first is not None:
                        store.insert_many(
                            lg.id, chain([first], rows), _note(note, plan.path, sp, plan.several),
                            ordered=True, expected=sp.table.total, incomplete=True,
                        )  # fmt: skip
                for _ in rows:
                    pass
                out.valid = scan.count
                if lean:
                    out.count = scan.count
                out.incomplete += scan.incomplete
                out.incomplete_fields.update(scan.incomplete_fields)
                out.unknown_values = scan.unknown_values
                out.rejects = scan.rejects
                done += sp.table.total
                if write and (skip_bad or not errors.total) and not errors.fatal:
                    _write_round_trip(store, lg, out, plan.path.name)
            if write:
                if errors.fatal or (errors.total and not skip_bad):
                    raise _Refused
                if skip_bad and any(s.rejects for s in result.sheets):
                    result.rejects_file = write_rejects(
                        rejects_path(plan.path, rejects, getattr(store, "path", None)), result.sheets
                    )
                if not any(s.count or s.updated or s.completed for s in result.sheets):
                    raise _Refused
                for s in result.sheets:
                    remember(store, s.ledger.id, s.mapping)
                result.written = True
    except _Refused:
        result.written = False
    finally:
        if cache is not None:
            store.conn.execute(f"PRAGMA cache_size={cache}")
    result.errors, result.error_total, result.bad_rows = errors.items, errors.total, errors.bad_rows
    result.fatal = errors.fatal
    if errors.total and keep_rows and not skip_bad:
        for s in result.sheets:
            s.rows.clear()
            s.row_numbers.clear()
    return result


def _roomy_cache(store: Store) -> int:
    """Room in the page cache for a big import's pages for the whole transaction (as
    ``insert_many`` gives its own), so they are not spilled to the WAL before the commit;
    returns the size to restore."""
    cache = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    store.conn.execute("PRAGMA cache_size=-65536")
    return cache


def _sorted_rows(scan, out: SheetOutcome, dups: Duplicates, stored, errors: Errors, label, keep: bool):
    """The sheet's new rows (for ``insert_many``); duplicates counted and left out, rows with
    a 记录编号 set aside as updates (or as new rows keeping that uid)."""
    at = {k: i for i, k in enumerate(out.ledger.keys)}
    present = [*(f.key for f, _ in scan.header.present), *scan.fills]
    for values in scan.rows():
        uid = scan.uid
        if uid is not None and stored is not None:
            found = stored.get(uid)
            if found is None:
                out.count += 1
                out.with_uid.append((uid, values))
            elif found[1]:
                errors.bad_rows += 1
                errors.add(
                    scan.row_no,
                    UID_LABEL,
                    "这条记录已删除（在回收站中）：请先恢复，或清空记录编号作为新记录导入",
                    label,
                )
            else:
                old = found[2]
                changed = {k: values[at[k]] for k in present if old[k] != values[at[k]]}
                kept = merged_incomplete(out.ledger.keys, old.get(INCOMPLETE), values[-1])
                if kept != old.get(INCOMPLETE):
                    changed[INCOMPLETE] = kept
                if changed:
                    out.updated += 1
                    out.updates.append((found[0], changed, scan.row_no))
                else:
                    out.unchanged += 1
            continue
        if dups.seen(values):
            out.duplicates += 1
            if values[-1] is not None:
                out.incomplete -= 1
                out.incomplete_fields.subtract(json.loads(values[-1]).keys())
            continue
        match = dups.completes(values)
        if match is not None:  # a 待补充 row imported before, read more fully now: completed
            row_id, filled = match
            changes = {k: values[at[k]] for k in filled}
            changes[INCOMPLETE] = values[-1]
            out.completed += 1
            out.updates.append((row_id, changes, scan.row_no))
            if values[-1] is not None:
                out.incomplete -= 1
                out.incomplete_fields.subtract(json.loads(values[-1]).keys())
            continue
        out.count += 1
        if keep:
            out.rows.append(values)
            out.row_numbers.append(scan.row_no)
        yield values


def _write_round_trip(store: Store, lg: Ledger, out: SheetOutcome, file_name: str) -> None:
    """The rows a 记录编号 named: changed fields written (audited per row), unknown uids added."""
    note = f"从 {file_name} 导入修改"
    for row_id, changed, _ in out.updates:
        store.update_fields(lg.id, row_id, changed, note)
    for uid, values in out.with_uid:
        store.insert_clean(lg.id, dict(zip(lg.keys, values[:-1], strict=True)), uid=uid, incomplete=values[-1])


def merged_incomplete(keys: list[str], old: str | None, new: str | None) -> str | None:
    """A round-trip row's 待补充 fields: the new ones, keeping the text an earlier import
    kept for a field the sheet now shows empty (an exported 待补充 row shows it empty)."""
    if new is None:
        return None
    fields = json.loads(new)
    before = json.loads(old) if old else {}
    return incomplete_json(keys, {k: v or before.get(k, "") for k, v in fields.items()})


def _plan(store: Store, ledger_id, path, sheet, mappings) -> ImportPlan:
    return plan_import(store, path, ledger_id, sheet=sheet, given=mappings)


def preview_import(
    store: Store,
    ledger_id: str | None,
    path: str | Path,
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
    *,
    sheet: str | None = None,
    mappings: dict[str, Mapping] | None = None,
    keep_duplicates: bool = False,
    skip_bad: bool = False,
) -> ImportPreview:
    """Read and check a file without writing anything; the new rows are kept in memory (for
    the window's preview), with ``skip_bad`` also when some rows are bad (each sheet's
    ``rejects`` then holds those).  Raises ``ReadError`` if the file cannot be read and
    ``ImportCancelled`` if ``should_cancel()`` returned True."""
    plan = _plan(store, ledger_id, path, sheet, mappings)
    return _run(
        store, plan, write=False, keep_rows=True, keep_duplicates=keep_duplicates,
        progress=progress, should_cancel=should_cancel, skip_bad=skip_bad,
    )  # fmt: skip


def commit_import(store: Store, preview: ImportPreview, note: str = "", *, rejects: str | Path | None = None) -> int:
    """Write a preview in one transaction: per sheet one audit entry for the new rows, one
    per changed row.  Returns the rows written (new and changed).  A preview with bad rows
    is written only if it was read with ``skip_bad`` (its readable rows); ``rejects`` is
    then where its bad rows are saved (nothing saved when None)."""
    if preview.fatal or (preview.errors and not preview.skip_bad):
        raise ValueError("文件中有错误，不能导入")
    name = preview.path.name if preview.path else ""
    written = 0
    db_path = getattr(store, "path", None)
    if rejects is not None and preview.rejected:
        rejects_path(preview.path or "", rejects, db_path)  # refused before anything is written
    with store.transaction():
        if rejects is not None and preview.rejected:
            preview.rejects_file = write_rejects(rejects_path(preview.path or "", rejects, db_path), preview.sheets)
        for s in preview.sheets:
            if s.rows:
                where = f"（{s.sheet}）" if preview.several and s.sheet else " "
                text = note or f"从 {name}{where}导入 {len(s.rows)} 行"
                written += store.insert_many(
                    s.ledger.id, s.rows, text, ordered=True, expected=len(s.rows), incomplete=True
                )
            _write_round_trip(store, s.ledger, s, name)
            written += len(s.updates) + len(s.with_uid)
        for s in preview.sheets:
            remember(store, s.ledger.id, s.mapping)
    preview.written = True
    return written


def import_file(
    store: Store,
    ledger_id: str | None,
    path: str | Path,
    *,
    dry_run: bool = False,
    note: str = "",
    progress: Progress | None = None,
    should_cancel: CancelCheck | None = None,
    sheet: str | None = None,
    mappings: dict[str, Mapping] | None = None,
    keep_duplicates: bool = False,
    skip_bad: bool = False,
    rejects: str | Path | None = None,
) -> ImportResult:
    """Check and import a file in one pass, streamed (memory does not grow with the file).

    Rows are inserted as they pass, inside one transaction; if any row of any sheet is bad
    (or the import is cancelled) it is rolled back, so nothing is written, and every bad row
    is listed in ``result.errors``.  With ``skip_bad`` the readable rows are written and the
    bad ones saved to ``rejects_path(path, rejects)`` (``result.rejects_file``).  ``dry_run``
    only checks.  ``ledger_id`` None: each sheet's ledger is recognised from its header."""
    kw = dict(sheet=sheet, mappings=mappings, keep_duplicates=keep_duplicates, skip_bad=skip_bad)
    if skip_bad and not dry_run:
        rejects_path(path, rejects, getattr(store, "path", None))  # refused before a row is read
    if not dry_run and store.conn.in_transaction:
        # inside a caller's transaction a rollback here would not undo the rows already
        # inserted (the batch joins the outer transaction): check the whole file first
        checked = import_file(
            store, ledger_id, path, dry_run=True, progress=progress, should_cancel=should_cancel, **kw
        )
        if (
            checked.fatal
            or (checked.errors and not skip_bad)
            or not (checked.count or checked.updated or checked.completed)
        ):
            return checked
    plan = _plan(store, ledger_id, path, sheet, mappings)
    return _run(
        store, plan, write=not dry_run, keep_rows=False, keep_duplicates=keep_duplicates, note=note,
        progress=progress, should_cancel=should_cancel, skip_bad=skip_bad, rejects=rejects,
    )  # fmt: skip
