"""Which sheets of a file go into which ledgers: the import plan.

Every sheet whose header matches is imported (one sheet per month or quarter is common);
the others are named as skipped.  Without a ledger, each sheet's ledger is recognised from
its header: the ledger whose required columns are all there and that names most columns,
the sheet's name breaking a tie (一季度学法培训 → 学法培训台账).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Ledger
from app.core.storage.store import Store

from .headers import HeaderMatch, column_names, find_header, read_first_rows
from .mapping import Mapping, remembered
from .readers import ReadError, Table, open_tables

_SUFFIXES = ("台账", "名册", "清单", "记录")


@dataclass
class SheetPlan:
    table: Table
    header: HeaderMatch
    mapping: Mapping  # remembered and given, as used for this sheet

    @property
    def ledger(self) -> Ledger:
        return self.header.ledger

    @property
    def sheet(self) -> str | None:
        return self.table.sheet


@dataclass
class ImportPlan:
    path: Path
    sheets: list[SheetPlan] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why)
    several: bool = False  # a workbook of several sheets: messages name the sheet
    problem: str | None = None  # why nothing can be imported

    @property
    def ledgers(self) -> list[Ledger]:
        return list({p.ledger.id: p.ledger for p in self.sheets}.values())


def name_hint(sheet: str | None, lg: Ledger) -> bool:
    """The sheet's name says the ledger (学法培训台账, 2024学法培训一季度)."""
    if not sheet:
        return False
    core = lg.name
    for s in _SUFFIXES:
        if core.endswith(s) and len(core) > len(s) + 1:
            core = core[: -len(s)]
            break
    return lg.name in sheet or core in sheet


def _score(m: HeaderMatch, sheet: str | None) -> tuple[int, int, bool]:
    return (m.complete, m.recognised + (m.uid_col is not None), name_hint(sheet, m.ledger))


def _best(matches: list[HeaderMatch], sheet: str | None) -> HeaderMatch | None:
    """The ledger whose required columns are all there and that names most columns; failing
    that, one that names at least three columns, clearly more than any other (its missing
    column is then an error the clerk can mend by a mapping)."""
    fits = [m for m in matches if m.complete and m.recognised >= 2]
    if fits:
        return max(fits, key=lambda m: _score(m, sheet))
    partial = sorted((m for m in matches if m.recognised >= 3), key=lambda m: _score(m, sheet), reverse=True)
    if partial and (len(partial) == 1 or _score(partial[0], sheet)[1:] > _score(partial[1], sheet)[1:]):
        return partial[0]
    return None


def plan_import(
    store: Store,
    path: str | Path,
    ledger_id: str | None = None,
    *,
    sheet: str | None = None,
    given: dict[str, Mapping] | None = None,
) -> ImportPlan:
    """Read each sheet's first rows and decide.  ``given`` are mappings by ledger id, on top
    of the remembered ones.  Raises ``ReadError`` if the file cannot be read or ``sheet``
    is not in it."""
    tables = open_tables(path)
    visible = [t for t in tables if not t.hidden]
    plan = ImportPlan(Path(path), several=len(visible) > 1)  # a template's hidden 选项 sheet aside
    if sheet is not None:
        chosen = [t for t in tables if t.sheet == sheet]
        if not chosen:
            names = "、".join(str(t.sheet) for t in tables)
            raise ReadError(f"文件中没有名为“{sheet}”的工作表。工作表有：{names}")
        visible = chosen
    mappings = {lg.id: remembered(store, lg.id).merged((given or {}).get(lg.id)) for lg in catalog.LEDGERS}
    names = {lg_id: column_names(catalog.get(lg_id), m.columns) for lg_id, m in mappings.items()}
    wanted = catalog.get(ledger_id) if ledger_id else None
    single = len(visible) == 1
    refused = [t.refused for t in visible if t.refused]
    for table in visible:
        label = table.sheet or table.path.name
        if table.refused:
            plan.skipped.append((label, "超出台账可能的大小，没有读取"))
            continue
        first = read_first_rows(table.rows())
        matches = [m for lg in catalog.LEDGERS if (m := find_header(lg, first, names[lg.id])) is not None]
        if not matches:
            plan.skipped.append((label, "空白"))
            continue
        best = _best(matches, table.sheet)
        if wanted is None:
            if best is None:
                plan.skipped.append((label, "没有认出是哪个台账的表头"))
                continue
            plan.sheets.append(SheetPlan(table, best, mappings[best.ledger.id]))
            continue
        mine = next(m for m in matches if m.ledger.id == wanted.id)
        fits = mine.recognised + (mine.uid_col is not None) >= 2
        other = best is not None and best.ledger.id != wanted.id and not mine.complete
        if single or sheet is not None or (fits and not other):
            plan.sheets.append(SheetPlan(table, mine, mappings[wanted.id]))
        elif other:
            plan.skipped.append((label, f"看起来是{best.ledger.name}"))
        else:
            plan.skipped.append((label, f"没有{wanted.name}的表头"))
    if not plan.sheets and refused:
        raise ReadError(refused[0])
    if not plan.sheets and all(why == "空白" for _, why in plan.skipped):
        plan.problem = "文件是空的：第一行应为列名（表头）"
    elif not plan.sheets:
        skipped = "；".join(f"“{s}”{why}" for s, why in plan.skipped)
        if wanted is not None:
            plan.problem = f"文件中没有找到{wanted.name}的表头（{skipped}）"
        else:
            plan.problem = f"认不出文件中的表格是哪个台账的（{skipped}）。请指明台账，例如：import 学法培训台账 文件"
    return plan
