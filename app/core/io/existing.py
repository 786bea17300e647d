"""What a ledger already holds, for an import: duplicates and the rows a 记录编号 names.

Duplicates are found set-based: one query reads the live rows once and counts the hash of
each row's values (in ``ledger.keys`` order, as stored, then its 待补充 JSON, which keeps the
text of the cells it could not read: two 待补充 rows are equal only if the clerk wrote the
same); an imported row whose values hash
to a counted one is a duplicate and uses that count up, so a file imported twice adds
nothing, and a row the file holds twice while the ledger holds it once is added once.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from app.core.ledgers.catalog import Ledger
from app.core.ledgers.validation import mask_idcard
from app.core.storage.schema import INCOMPLETE
from app.core.storage.store import Store


def live_row_counts(store: Store, lg: Ledger) -> Counter[int]:
    """hash(row values, 待补充) -> how many live rows have them."""
    cols = ", ".join(f'"{k}"' for k in (*lg.keys, INCOMPLETE))
    cur = store.conn.execute(f'SELECT {cols} FROM "{lg.id}" WHERE deleted_at IS NULL')
    return Counter(map(hash, cur))


class Duplicates:
    """Imported rows checked against the live rows of one ledger (shared by its sheets).

    A live 待补充 row is also matched by an imported row equal to it on every field it has:
    the same record read more fully (the same file again with ``--fill`` or a mapping), which
    completes that row instead of adding a second one (``completes``)."""

    def __init__(self, store: Store, lg: Ledger, keep: bool):
        self.counts = Counter() if keep else live_row_counts(store, lg)
        self.keys = lg.keys
        # the fields a live 待补充 row lacks -> hash(its other values) -> row ids
        self.partial: dict[tuple[int, ...], dict[int, list[int]]] = {}
        if keep:
            return
        cols = ", ".join(f'"{k}"' for k in (*lg.keys, INCOMPLETE))
        cur = store.conn.execute(
            f'SELECT id, {cols} FROM "{lg.id}" WHERE deleted_at IS NULL AND "{INCOMPLETE}" IS NOT NULL'
        )
        at = {k: i for i, k in enumerate(lg.keys)}
        for row in cur:
            try:
                lacking = tuple(sorted(at[k] for k in json.loads(row[-1]) if k in at))
            except (ValueError, TypeError, AttributeError):
                continue
            if lacking:
                known = tuple(v for i, v in enumerate(row[1:-1]) if i not in lacking)
                self.partial.setdefault(lacking, {}).setdefault(hash(known), []).append(row[0])

    def completes(self, values: list[Any]) -> tuple[int, list[str]] | None:
        """The live 待补充 row that ``values`` (not a duplicate) reads more fully, and the
        fields it fills; the match is used up."""
        for lacking, rows in self.partial.items():
            if all(values[i] is None for i in lacking):
                continue
            ids = rows.get(hash(tuple(v for i, v in enumerate(values[:-1]) if i not in lacking)))
            if ids:
                return ids.pop(), [self.keys[i] for i in lacking]
        return None

    def seen(self, values: list[Any]) -> bool:
        """True (and the match used up) if ``values`` equal a live row not yet matched."""
        if not self.counts:
            return False
        h = hash(tuple(values))
        n = self.counts.get(h)
        if not n:
            return False
        self.counts[h] = n - 1
        return True


class StoredRows:
    """The ledger's rows by uid (deleted ones too), for a sheet with a 记录编号 column."""

    def __init__(self, store: Store, lg: Ledger):
        self.lg = lg
        cols = ", ".join(f'"{k}"' for k in (*lg.keys, INCOMPLETE))
        cur = store.conn.execute(f'SELECT uid, id, deleted_at, {cols} FROM "{lg.id}"')
        self.rows: dict[str, tuple[Any, ...]] = {r[0]: r[1:] for r in cur}
        self.keys = [*lg.keys, INCOMPLETE]

    def get(self, uid: str) -> tuple[int, bool, dict[str, Any]] | None:
        """(row id, deleted, values by key and its 待补充 JSON) of the row with this uid."""
        r = self.rows.get(uid)
        if r is None:
            return None
        return r[0], r[1] is not None, dict(zip(self.keys, r[2:], strict=True))

    def unmasker(self, columns: list[tuple[str, int]]):
        """A ``fix_cells`` for the scan: a masked 身份证号 (as exported) stands for the
        stored one of that row, so an exported sheet imports back unchanged."""
        at = {k: i for i, k in enumerate(self.keys)}

        def fix(uid: str, cells: list[Any]) -> list[Any]:
            r = self.rows.get(uid)
            if r is None:
                return cells
            for key, col in columns:
                cell, stored = cells[col], r[2 + at[key]]
                if isinstance(cell, str) and "*" in cell and stored and cell.strip() == mask_idcard(stored):
                    cells = list(cells)
                    cells[col] = stored
            return cells

        return fix
