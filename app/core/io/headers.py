"""Header rows: which column is which field of a ledger.

A header cell names a field by its label, its key or one of its aliases (``catalog_aliases``),
compared after normalising: spaces, ``*`` and line breaks dropped, brackets made full-width,
and a unit in brackets at the end ignored (涉及金额 ≡ 涉及金额（元）).  序号/编号/No. columns
are ignored; 记录编号 holds the row's uid (the Excel round trip); a column a clerk mapped to
不导入 is dropped; any other column is *skipped*, and the importer names it in a warning.

The header is searched among the first rows (title rows above it are skipped, merged or not):
the row that names most of the ledger's columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.core.ledgers.catalog import Field, Ledger

HEADER_SCAN = 12  # non-blank rows searched for the header
UID_LABEL = "记录编号"
# 原因: the column a rejects workbook adds (``rejects.py``), so a fixed one imports cleanly
IGNORED = frozenset({"序号", "编号", "序", "no", "no.", "№", "行号", "顺序号", "原因"})
UNITS = frozenset(
    {"元", "万元", "人", "次", "份", "项", "件", "个", "场", "名", "户", "家", "起", "篇", "期", "条",
     "天", "日", "人次", "场次", "%", "％", "个数", "单位：元", "单位：人"}
)  # fmt: skip
_FIX = str.maketrans({"(": "（", ")": "）", "*": None, "＊": None, " ": None, "\u3000": None, "\n": None,
                      "\r": None, "\t": None, "[": "（", "]": "）", "【": "（", "】": "）", ":": "："})  # fmt: skip
SKIP = None  # a mapping's target for a column not to import (不导入)


def norm_label(text: Any) -> str:
    """A header cell as compared: no spaces, ``*`` or line breaks; full-width brackets."""
    return str(text).strip().translate(_FIX)


def label_forms(text: Any) -> tuple[str, ...]:
    """The normalised text, and without a unit in brackets at its end (涉及金额（元） → 涉及金额)."""
    s = norm_label(text)
    if s.endswith("）") and "（" in s:
        cut = s.rindex("（")
        if s[cut + 1 : -1] in UNITS and cut > 0:
            return s, s[:cut]
    return (s,)


def is_ignored(text: Any) -> bool:
    return norm_label(text).lower() in IGNORED


_BASE_NAMES: dict[str, dict[str, str | None]] = {}  # ledger id -> its names (the catalog is fixed)


def column_names(ledger: Ledger, mapped: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """Normalised column name -> field key (``None``: mapped to 不导入) for a ledger."""
    base = _BASE_NAMES.get(ledger.id)
    if base is None:
        base = _BASE_NAMES[ledger.id] = _catalog_names(ledger)
    names = dict(base)
    for text, key in (mapped or {}).items():
        names[norm_label(text)] = key
    return names


def _catalog_names(ledger: Ledger) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for f in ledger.fields:
        for name in (f.label, *f.aliases):
            for form in label_forms(name):
                names.setdefault(form, f.key)
    for f in ledger.fields:  # a label always wins over another field's alias
        for form in label_forms(f.label):
            names[form] = f.key
        names[f.key] = f.key
    return names


@dataclass
class HeaderMatch:
    """A header row read against one ledger."""

    ledger: Ledger
    row: int  # as the spreadsheet shows it
    cells: list[str]  # the header cells as written
    present: list[tuple[Field, int]] = field(default_factory=list)  # field, column position
    uid_col: int | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)  # unknown columns: position, text
    dropped: list[int] = field(default_factory=list)  # 序号/编号 and columns mapped to 不导入
    blank: list[int] = field(default_factory=list)  # columns without a header
    twice: list[Field] = field(default_factory=list)  # a field named by two columns
    missing: list[Field] = field(default_factory=list)  # required fields without a column
    scales: dict[str, int] = field(default_factory=dict)  # a money column headed （万元）: × 10 000

    @property
    def recognised(self) -> int:
        return len(self.present)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.twice

    @property
    def skipped_labels(self) -> list[str]:
        return [text for _, text in self.skipped]


def match_header(ledger: Ledger, row_no: int, cells: list[Any], names: dict[str, str | None]) -> HeaderMatch:
    m = HeaderMatch(ledger, row_no, ["" if c is None else str(c).strip() for c in cells])
    seen: set[str] = set()
    for i, text in enumerate(m.cells):
        if not text:
            m.blank.append(i)
            continue
        forms = label_forms(text)
        key = next((names[f] for f in forms if f in names), "")  # "": not known; None: 不导入
        if forms[0] == UID_LABEL and m.uid_col is None:
            m.uid_col = i
        elif key is None or (key == "" and is_ignored(text)):
            m.dropped.append(i)
        elif key == "":
            m.skipped.append((i, text))
        elif key in seen:
            m.twice.append(ledger.field(key))
            m.dropped.append(i)
        else:
            seen.add(key)
            f = ledger.field(key)
            m.present.append((f, i))
            if f.kind == "decimal" and len(forms) > 1 and forms[0].endswith("（万元）"):
                m.scales[key] = 10000
    m.missing = [f for f in ledger.fields if f.required and f.key not in seen]
    return m


def _blank_row(cells: Iterable[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) or c == "" for c in cells)


def find_header(
    ledger: Ledger, first_rows: list[tuple[int, list[Any]]], names: dict[str, str | None]
) -> HeaderMatch | None:
    """The row among the first non-blank ones that names most of the ledger's columns (the
    first such); if none names any, the first non-blank row.  ``None`` for an empty sheet."""
    best: HeaderMatch | None = None
    first: HeaderMatch | None = None
    for row_no, cells in first_rows:
        if _blank_row(cells):
            continue
        m = match_header(ledger, row_no, cells, names)
        first = first or m
        score = m.recognised + (m.uid_col is not None)
        if score and (best is None or score > best.recognised + (best.uid_col is not None)):
            best = m
    return best or first


def read_first_rows(rows: Iterable[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """The rows up to and including the HEADER_SCAN-th non-blank one."""
    out: list[tuple[int, list[Any]]] = []
    seen = 0
    for row_no, cells in rows:
        out.append((row_no, cells))
        if not _blank_row(cells):
            seen += 1
            if seen >= HEADER_SCAN:
                break
        elif len(out) > 200:  # a sheet of blank rows: stop looking
            break
    return out
