"""Demo rows for a ledger the demo plan does not know, from its declaration alone.

A ledger added to the catalog (a 17th 台账) gets a few plausible rows, dated in the demo year:
choices from its options, counts, names, valid ID numbers, references to rows of the ledger
it points at, all obeying its rules, so the demo fills every ledger.  The rows come from a
source of their own (seeded by the ledger's id): adding a ledger moves none of the planned
ledgers' rows, nor any figure of the reference report.

A reference is written as the index of the row it points at among the referenced ledger's
demo rows, under ``_`` + the field's key (``_person_id``); ``generator.fill`` turns it into
the row id once that ledger is inserted.
"""

from __future__ import annotations

import zlib
from typing import Any

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Field, Ledger

from .base import Gen

Row = dict[str, Any]
ROWS = 6  # a few rows: enough to see in a table and a report, not a plan


def ref_key(f: Field) -> str:
    """Where a demo row keeps the index of the row its reference ``f`` points at."""
    return f"_{f.key}"


def rows(lg: Ledger, year: int, seed: int, planned: dict[str, list[Row]]) -> list[Row]:
    """``ROWS`` rows of ``lg`` in ``year``; references point into ``planned`` (the demo rows
    of the other ledgers, the referenced ones already there)."""
    g = Gen(year, seed ^ zlib.crc32(lg.id.encode()))
    out = []
    for i, day in enumerate(g.dates(year, ROWS)):
        row: Row = {}
        for f in lg.fields:
            value = _value(g, lg, f, i, day, planned)
            if value is not None:
                row[ref_key(f) if f.kind == "ref" else f.key] = value
        _obey_rules(g, lg, row, day)
        out.append(row)
    return out


def _value(g: Gen, lg: Ledger, f: Field, i: int, day: str, planned: dict[str, list[Row]]) -> Any:
    if f.kind == "date":
        # the row's own date places it in the year; another date only when it must be there
        # (a 解除日期 left empty: the row is still on the roster at the year's end)
        return day if f.key == lg.date_field else (_later(g, day) if f.required else None)
    if f.kind == "choice":
        return g.rng.choice(f.choices)
    if f.kind in ("int", "decimal"):
        lo = int(max(f.min_value or 0, 0))
        n = g.rng.randint(lo, int(min(f.max_value if f.max_value is not None else lo + 50, lo + 50)))
        return float(n) if f.kind == "decimal" else n
    if f.kind == "names":
        return "、".join(g.name(unique=False) for _ in range(max(f.min_count, 2)))
    if f.kind == "idcard":
        return g.id_number(g.rng.randint(1955, 2000), g.rng.random() < 0.45)
    if f.kind == "phone":
        return g.phone()
    if f.kind == "ref":  # a row that is there that day (a person already on the roster)
        target, rows = catalog.BY_ID.get(f.ref or ""), planned.get(f.ref or "", [])
        since = target and (target.start_field or target.date_field)
        live = [j for j, r in enumerate(rows) if not r.get("_deleted")]
        there = [j for j in live if not since or str(rows[j].get(since) or "") <= day]
        return g.rng.choice(there or live) if live else None
    if f.key == catalog.VILLAGE:
        return g.village()
    if f.kind == "text" and (f.label.endswith(("姓名", "人", "员")) or f.key == "name"):
        return g.name()  # unique: a title a reference may be typed as
    return f"{f.label}{i + 1}（演示）"


def _later(g: Gen, day: str) -> str:
    """A day after ``day`` in the same year."""
    return min(g.plus(day, g.rng.randint(1, 30)), f"{day[:4]}-12-31")


def _obey_rules(g: Gen, lg: Ledger, row: Row, day: str) -> None:
    for rule in lg.rules:
        if rule.kind == "required_when":
            target, trigger = rule.fields
            if row.get(trigger) in rule.when and row.get(target) in (None, ""):
                f = lg.field(target)
                row[target] = _later(g, day) if f.is_date else _value(g, lg, f, 0, day, {})
        elif rule.kind == "le":
            a, b = rule.fields
            if row.get(a) is not None and row.get(b) is not None and row[a] > row[b]:
                row[a] = row[b]
    for rule in lg.rules:  # after required_when: a date it added follows the row's own date
        if rule.kind == "date_order":
            a, b = rule.fields
            if row.get(a) and row.get(b) and row[b] < row[a]:
                row[b] = row[a]
