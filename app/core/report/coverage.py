"""Which ledgers hold rows in a year: what the report's 〔?ledger〕 conditions and the checks'
"台账本年度无记录" findings read.

A ledger of events counts the rows whose date (the ledger's first date field) falls in the
year; a roster (执法人员名册, 重点人员名册 … with a start and an end date) counts the rows on
it at any time of the year.  Deleted rows never count.
"""

from __future__ import annotations

from app.core.ledgers import catalog
from app.core.storage.common import year_bounds
from app.core.storage.store import Store


def ledger_rows(store: Store, year: int) -> dict[str, int]:
    """Ledger id -> rows of ``year``, for every ledger of the catalog, in catalog order."""
    lo, hi = year_bounds(year)
    out: dict[str, int] = {}
    for lg in catalog.LEDGERS:
        if lg.start_field:
            start, end = lg.start_field, lg.end_field
            where = f'"{start}" <= :hi AND ("{end}" IS NULL OR "{end}" = \'\' OR "{end}" >= :lo)'
        else:
            where = f'"{lg.date_field}" BETWEEN :lo AND :hi'
        sql = f'SELECT COUNT(*) FROM "{lg.id}" WHERE deleted_at IS NULL AND {where}'
        out[lg.id] = store.conn.execute(sql, {"lo": lo, "hi": hi}).fetchone()[0]
    return out
