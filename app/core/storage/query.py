"""Read-only queries behind the program's tables: filter, search, sort, windows of rows.

Views never run SQL; their models ask a ``LedgerQuery``.  On a million rows ``LIMIT/OFFSET``
deep into a sorted table costs seconds per window, so a model first asks for the ordered
row ids (``ids()``, one pass, 8 bytes a row in an ``array``) and then fetches the rows of
one window at a time by id (``rows_by_ids``), which is instant wherever the window is.

Search uses SQLite FTS5 with the trigram tokenizer (Chinese has no spaces between words,
so the default tokenizer would see a whole sentence as one word).  The FTS table is made by
sqlite-utils with triggers that keep it in step; ``ensure_fts`` builds it, typically off the
GUI thread on first search.  Terms shorter than three characters, or a ledger without its
FTS table yet, fall back to ``LIKE``.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Ledger
from app.core.storage.common import quote as _q  # short: it is in most SQL lines here
from app.core.storage.common import year_bounds
from app.core.storage.store import Store

SEARCH_KINDS = ("text", "longtext", "choice", "names", "phone")
PINYIN_KINDS = ("text", "longtext", "choice", "names")  # sorted by ``pinyin()`` (core.collation)
META_SORT = ("id", "created_at", "updated_at", "deleted_at")


def fts_table(ledger_id: str) -> str:
    return f"{ledger_id}_fts"


def search_columns(lg: Ledger) -> list[str]:
    return [f.key for f in lg.fields if f.kind in SEARCH_KINDS]


def month_bounds(year: int, month: int) -> tuple[str, str]:
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LedgerQuery:
    """The rows of one ledger a view shows: live or deleted, by year/month, matching a search."""

    def __init__(
        self,
        store: Store,
        ledger_id: str,
        *,
        year: int | None = None,
        month: int | None = None,
        search: str = "",
        deleted: bool = False,
        only: Sequence[int] | None = None,
    ):
        self.store = store
        self.ledger = catalog.get(ledger_id)
        self.year = year
        self.month = month
        self.search = search
        self.deleted = deleted
        self.only = only  # just these row ids (e.g. the rows behind a figure), or None for all
        self.incomplete = False  # just the 待补充 rows

    # -- the condition --------------------------------------------------------------------

    @property
    def key(self) -> tuple:
        """What the rows depend on (for caches)."""
        only = None if self.only is None else tuple(self.only)
        return (self.ledger.id, self.year, self.month, self.search.strip(), self.deleted, only, self.incomplete)

    def where(self) -> tuple[str, list[Any]]:
        lg = self.ledger
        parts = ["deleted_at IS NOT NULL" if self.deleted else "deleted_at IS NULL"]
        params: list[Any] = []
        date = lg.date_field
        if date and self.year is not None:
            lo, hi = month_bounds(self.year, self.month) if self.month else year_bounds(self.year)
            parts.append(f"{_q(date)} BETWEEN ? AND ?")
            params += [lo, hi]
        elif date and self.month:
            parts.append(f"substr({_q(date)}, 6, 2) = ?")
            params.append(f"{self.month:02d}")
        if self.incomplete:
            parts.append("incomplete IS NOT NULL")
        if self.only is not None:
            parts.append("id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps([int(i) for i in self.only]))
        for term in self.search.split():
            sql, args = self._term(term)
            parts.append(sql)
            params += args
        return " AND ".join(parts), params

    def _term(self, term: str) -> tuple[str, list[Any]]:
        lg = self.ledger
        if len(term) >= 3 and self.has_fts():
            fts = _q(fts_table(lg.id))
            parts = [f"id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"]
            params: list[Any] = ['"' + term.replace('"', '""') + '"']
        else:
            parts = [f"{_q(c)} LIKE ? ESCAPE '\\'" for c in search_columns(lg)]
            params = [f"%{_like_escape(term)}%"] * len(parts)
        for f in lg.fields:  # a reference matches by the title of the row it names (a 走访's person)
            if f.kind == "ref":
                target = catalog.get(f.ref)
                parts.append(
                    f"{_q(f.key)} IN (SELECT id FROM {_q(target.id)} WHERE {_q(target.title_field or 'id')}"
                    f" LIKE ? ESCAPE '\\')"
                )
                params.append(f"%{_like_escape(term)}%")
        return "(" + " OR ".join(parts) + ")", params

    # -- full-text index ------------------------------------------------------------------

    def has_fts(self) -> bool:
        return has_fts(self.store, self.ledger.id)

    def ensure_fts(self) -> bool:
        return ensure_fts(self.store, self.ledger.id)

    # -- reading --------------------------------------------------------------------------

    def _order(self, order_by: str | None, desc: bool) -> str:
        lg = self.ledger
        if order_by is None:
            order_by = lg.date_field or "id"
        if not lg.has_field(order_by) and order_by not in META_SORT:
            raise KeyError(f"{lg.name}没有可排序的列“{order_by}”")
        direction = " DESC" if desc else ""
        if order_by == "id":
            return f"id{direction}"
        column = _q(order_by)
        if lg.has_field(order_by) and lg.field(order_by).kind in PINYIN_KINDS:
            column = f"pinyin({column})"  # 阿, 李, 王, 张: not by code point
        if lg.has_field(order_by) and not lg.field(order_by).required:
            # NULLs last either way: rows with an empty optional date should not lead the list.
            return f"{_q(order_by)} IS NULL, {column}{direction}, id{direction}"
        return f"{column}{direction}, id{direction}"

    def count(self) -> int:
        cond, params = self.where()
        return self.store.conn.execute(f"SELECT COUNT(*) FROM {_q(self.ledger.id)} WHERE {cond}", params).fetchone()[0]

    def ids(self, order_by: str | None = None, desc: bool = False) -> array:
        """Every matching row id, in order, as a compact ``array('q')``."""
        cond, params = self.where()
        cur = self.store.conn.execute(
            f"SELECT id FROM {_q(self.ledger.id)} WHERE {cond} ORDER BY {self._order(order_by, desc)}", params
        )
        out = array("q")
        while True:
            chunk = cur.fetchmany(20000)
            if not chunk:
                return out
            out.extend(r[0] for r in chunk)

    def page(self, offset: int, limit: int, order_by: str | None = None, desc: bool = False) -> list[dict]:
        """One window of rows, for callers that do not keep the id list."""
        cond, params = self.where()
        sql = f"SELECT * FROM {_q(self.ledger.id)} WHERE {cond} ORDER BY {self._order(order_by, desc)} LIMIT ? OFFSET ?"
        return _dicts(self.store.conn.execute(sql, [*params, limit, offset]))

    def rows_by_ids(self, ids: Sequence[int]) -> list[dict]:
        """The rows with these ids, in the order given (missing ones left out)."""
        if not ids:
            return []
        found: dict[int, dict] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            sql = f"SELECT * FROM {_q(self.ledger.id)} WHERE id IN ({','.join('?' * len(chunk))})"
            for row in _dicts(self.store.conn.execute(sql, chunk)):
                found[row["id"]] = row
        return [found[i] for i in ids if i in found]

    def years(self) -> list[int]:
        """Every year from the newest row's to the oldest's (newest first), for the year filter.

        MIN and MAX come straight off the date index, so this stays instant on a million rows.
        """
        date = self.ledger.date_field
        if not date:
            return []
        lo, hi = self.store.conn.execute(
            f"SELECT MIN({_q(date)}), MAX({_q(date)}) FROM {_q(self.ledger.id)} WHERE {_q(date)} IS NOT NULL"
        ).fetchone()
        if not lo or not hi or not lo[:4].isdigit() or not hi[:4].isdigit():
            return []
        return list(range(int(hi[:4]), int(lo[:4]) - 1, -1))


def _dicts(cur) -> list[dict]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur]


# -- full-text index ----------------------------------------------------------------------


def has_fts(store: Store, ledger_id: str) -> bool:
    name = fts_table(ledger_id)
    return (
        store.conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None
    )


def ensure_fts(store: Store, ledger_id: str) -> bool:
    """Build the ledger's trigram FTS table with its triggers; False if it cannot (read-only)."""
    if has_fts(store, ledger_id):
        return True
    lg = catalog.get(ledger_id)
    try:
        with store.transaction():
            store.db[lg.id].enable_fts(search_columns(lg), create_triggers=True, tokenize="trigram")
    except Exception:
        return False
    return True


# -- lookups for forms and tables ---------------------------------------------------------


def distinct_values(store: Store, ledger_id: str, key: str, limit: int = 500) -> list[str]:
    """Values already typed in a text column, most used first (for completers)."""
    lg = catalog.get(ledger_id)
    lg.field(key)  # KeyError for an unknown column
    # the latest rows only: on a big ledger a GROUP BY over everything would stall the form
    cur = store.conn.execute(
        f"SELECT v FROM (SELECT {_q(key)} AS v FROM {_q(lg.id)} WHERE deleted_at IS NULL ORDER BY id DESC LIMIT 5000)"
        f" WHERE v IS NOT NULL AND v != '' GROUP BY v ORDER BY COUNT(*) DESC LIMIT ?",
        (limit,),
    )
    return [r[0] for r in cur]


def pick_list(store: Store, ledger_id: str) -> list[dict]:
    """The live rows of a ledger a reference may point at, for pickers: ``id``, ``title`` (the
    ledger's ``title_field``) and its ``picker_fields`` (a 重点人员's 村（社区） and 类别),
    ordered by the title's pinyin."""
    lg = catalog.get(ledger_id)
    title = _q(lg.title_field or "id")
    extra = "".join(f", {_q(k)}" for k in lg.picker_fields)
    cur = store.conn.execute(
        f"SELECT id, {title} AS title{extra} FROM {_q(lg.id)} WHERE deleted_at IS NULL ORDER BY pinyin({title}), id"
    )
    return _dicts(cur)


def titles(store: Store, ledger_id: str, ids: Iterable[int]) -> dict[int, str]:
    """Row id -> the row's title (e.g. a 重点人员's name), for showing references."""
    lg = catalog.get(ledger_id)
    ids = list(set(ids))
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = f"SELECT id, {_q(lg.title_field or 'id')} FROM {_q(lg.id)} WHERE id IN ({','.join('?' * len(chunk))})"
        out.update({r[0]: str(r[1]) for r in store.conn.execute(sql, chunk)})
    return out


def deleted_counts(store: Store) -> dict[str, int]:
    """How many rows each ledger has in the 回收站."""
    return {lg.id: store.count(lg.id, deleted=True) for lg in catalog.LEDGERS}


def is_empty(store: Store) -> bool:
    """No live or deleted rows in any ledger (a fresh database)."""
    return all(store.conn.execute(f"SELECT 1 FROM {_q(lg.id)} LIMIT 1").fetchone() is None for lg in catalog.LEDGERS)


# -- the audit log --------------------------------------------------------------------------


class AuditQuery:
    """The 操作日志, newest first, optionally for one ledger."""

    def __init__(self, store: Store, ledger_id: str | None = None):
        self.store = store
        self.ledger_id = ledger_id

    def count(self) -> int:
        if self.ledger_id:
            sql, params = "SELECT COUNT(*) FROM audit WHERE ledger = ?", [self.ledger_id]
        else:
            sql, params = "SELECT COUNT(*) FROM audit", []
        return self.store.conn.execute(sql, params).fetchone()[0]

    def page(self, offset: int, limit: int) -> list[dict]:
        rows = self.store.audit_entries(limit=limit, offset=offset, ledger=self.ledger_id)
        for row in rows:
            for key in ("old", "new"):
                row[key] = json.loads(row[key]) if row[key] else None
        return rows


def year_choices(store: Store, ledger_id: str | None = None, today: dt.date | None = None) -> list[int]:
    """The years a clerk can pick, newest first: next year down to the first year with data
    (in ``ledger_id``, or in any dated ledger), this year when there is none yet."""
    this = (today or dt.date.today()).year
    ids = [ledger_id] if ledger_id else [lg.id for lg in catalog.LEDGERS if lg.date_field]
    first = this
    for lid in ids:
        date = catalog.get(lid).date_field
        if not date:
            continue
        (lo,) = store.conn.execute(f"SELECT MIN({_q(date)}) FROM {_q(lid)} WHERE {_q(date)} IS NOT NULL").fetchone()
        if lo and lo[:4].isdigit():
            first = min(first, int(lo[:4]))
    return list(range(this + 1, first - 1, -1))
