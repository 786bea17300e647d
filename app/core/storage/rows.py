"""Row access for ``Store``: validate and save, bulk insert, read, count, soft delete, purge."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from app.core.ledgers import catalog
from app.core.storage import dbapi
from app.core.storage.common import StoreError, next_stamp, now, plain_values, quote, uuid7_strings, year_bounds
from app.core.storage.schema import INCOMPLETE


class RowsMixin:
    """The ledger rows; mixed into ``Store`` (uses its connection, ``transaction``,
    ``audit`` and ``validator``)."""

    # -- rows -----------------------------------------------------------------------------

    def save(self, ledger_id: str, raw: dict[str, Any], row_id: int | None = None) -> int:
        """Validate and insert (or update ``row_id``); returns the row id.

        Raises ``ValidationError`` listing every problem; nothing is written then.
        """
        lg = catalog.get(ledger_id)
        clean = self.validator(lg.id).check(raw)
        if row_id is None:
            return self.insert_clean(lg.id, clean)
        return self.update_clean(lg.id, row_id, clean)

    def insert_clean(
        self, ledger_id: str, clean: dict[str, Any], uid: str | None = None, incomplete: str | None = None
    ) -> int:
        """Insert a clean row; ``incomplete`` marks it 待补充 (an import's JSON of the fields
        it lacks)."""
        lg = catalog.get(ledger_id)
        stamp = now()
        row = {"uid": uid or str(uuid.uuid4()), **{k: clean.get(k) for k in lg.keys}}
        if incomplete is not None:
            row[INCOMPLETE] = incomplete
        row["created_at"] = row["updated_at"] = stamp
        row["created_office"] = row["updated_office"] = self.office
        cols = list(row)
        with self.transaction():
            cur = self.conn.execute(
                f'INSERT INTO "{lg.id}" ({", ".join(map(quote, cols))}) VALUES ({", ".join("?" * len(cols))})',
                [row[c] for c in cols],
            )
            row_id = cur.lastrowid
            self.audit("insert", lg.id, row_id, row["uid"], None, plain_values(lg, clean))
        return row_id

    def update_clean(self, ledger_id: str, row_id: int, clean: dict[str, Any]) -> int:
        """Write a row the validator passed whole: a 待补充 row saved so is complete."""
        lg = catalog.get(ledger_id)
        with self.transaction():
            old = self.get(lg.id, row_id, include_deleted=True)
            if old is None:
                raise StoreError(f"{lg.name}中没有编号为 {row_id} 的记录")
            values = {k: clean.get(k) for k in lg.keys}
            changed = {k: v for k, v in values.items() if old.get(k) != v}
            if old.get(INCOMPLETE) is not None:
                changed[INCOMPLETE] = None
            if not changed:
                return row_id
            sets = ", ".join(f"{quote(k)} = ?" for k in changed)
            self.conn.execute(
                f'UPDATE "{lg.id}" SET {sets}, updated_at = ?, updated_office = ? WHERE id = ?',
                [*changed.values(), next_stamp(old["updated_at"]), self.office, row_id],
            )
            before = {k: old.get(k) for k in changed if k != INCOMPLETE}
            self.audit("update", lg.id, row_id, old["uid"], before, plain_values(lg, changed))
        return row_id

    def update_fields(self, ledger_id: str, row_id: int, values: dict[str, Any], note: str | None = None) -> bool:
        """Write the given clean fields of one row, only those that differ (the Excel round
        trip); one audit entry with the old and new values.  False if nothing changed."""
        lg = catalog.get(ledger_id)
        with self.transaction():
            old = self.get(lg.id, row_id, include_deleted=True)
            if old is None:
                raise StoreError(f"{lg.name}中没有编号为 {row_id} 的记录")
            changed = {k: v for k, v in values.items() if (k in lg.keys or k == INCOMPLETE) and old.get(k) != v}
            if not changed:
                return False
            sets = ", ".join(f"{quote(k)} = ?" for k in changed)
            self.conn.execute(
                f'UPDATE "{lg.id}" SET {sets}, updated_at = ? WHERE id = ?', [*changed.values(), now(), row_id]
            )
            before = {k: old.get(k) for k in changed if k != INCOMPLETE}
            self.audit("update", lg.id, row_id, old["uid"], before, plain_values(lg, changed), note)
        return True

    def insert_many(
        self,
        ledger_id: str,
        rows: Iterable[dict[str, Any]] | Iterable[Sequence[Any]],
        note: str = "",
        *,
        ordered: bool = False,
        expected: int = 0,
        incomplete: bool = False,
    ) -> int:
        """Insert clean rows in one transaction with one audit entry for the batch.

        ``rows`` may be a generator (consumed once, streamed into ``executemany``); an
        exception it raises rolls the whole batch back.  With ``ordered`` each row is a
        sequence of values in ``ledger.keys`` order instead of a dict.  ``expected`` (a row
        count estimate) lets a big batch into a smaller table drop the secondary indexes and
        rebuild them afterwards, which is several times faster than updating them row by row.
        ``{count}`` in ``note`` becomes the number of rows.  With ``incomplete`` (and
        ``ordered``) each row carries one more value after the fields: its 待补充 JSON or None.
        """
        lg = catalog.get(ledger_id)
        stamp = now()
        keys = lg.keys
        extra = [INCOMPLETE] if incomplete and ordered else []
        cols = ["uid", *keys, *extra, "created_at", "updated_at", "created_office", "updated_office"]
        office = self.office
        sql = f'INSERT INTO "{lg.id}" ({", ".join(map(quote, cols))}) VALUES ({", ".join("?" * len(cols))})'
        count = 0

        def values() -> Iterator[list[Any]]:
            nonlocal count
            uids = uuid7_strings()
            if ordered:
                for r in rows:
                    count += 1
                    yield [next(uids), *r, stamp, stamp, office, office]
            else:
                for r in rows:
                    count += 1
                    yield [next(uids), *[r.get(k) for k in keys], stamp, stamp, office, office]

        bulk = expected >= 5000 and expected > self.conn.execute(f'SELECT COUNT(*) FROM "{lg.id}"').fetchone()[0]
        cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        if bulk:  # room for the batch's pages, so they are not spilled to the WAL twice
            self.conn.execute("PRAGMA cache_size=-65536")
        try:
            with self.transaction():
                rebuild: list[tuple[str, str]] = []
                if bulk:
                    rebuild = self.conn.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                        (lg.id,),
                    ).fetchall()
                    for name, _ in rebuild:
                        self.conn.execute(f"DROP INDEX {quote(name)}")
                self.conn.executemany(sql, values())
                for _, index_sql in rebuild:
                    self.conn.execute(index_sql)
                note = (note or "导入 {count} 行").replace("{count}", str(count))
                self.audit("import", lg.id, None, None, None, {"rows": count}, note)
        finally:
            if bulk:
                self.conn.execute(f"PRAGMA cache_size={cache}")
        return count

    def get(self, ledger_id: str, row_id: int, include_deleted: bool = False) -> dict | None:
        lg = catalog.get(ledger_id)
        sql = f'SELECT * FROM "{lg.id}" WHERE id = ?' + ("" if include_deleted else " AND deleted_at IS NULL")
        cur = self.conn.execute(sql, (row_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def where_year(self, ledger_id: str, year: int | None, field: str | None = None) -> tuple[str, list]:
        """SQL condition (and params) for rows of ``year`` by the ledger's first date field."""
        lg = catalog.get(ledger_id)
        if year is None:
            return "1", []
        lo, hi = year_bounds(year)
        return f"{quote(field or lg.date_field)} BETWEEN ? AND ?", [lo, hi]

    def rows(
        self,
        ledger_id: str,
        year: int | None = None,
        *,
        deleted: bool = False,
        where: str | None = None,
        params: Iterable[Any] = (),
        order_by: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict]:
        lg = catalog.get(ledger_id)
        cond, args = self.where_year(lg.id, year)
        cond += " AND deleted_at IS NOT NULL" if deleted else " AND deleted_at IS NULL"
        if where:
            cond += f" AND ({where})"
            args += list(params)
        order = order_by or (f"{quote(lg.date_field)}, id" if lg.date_field else "id")
        sql = f'SELECT * FROM "{lg.id}" WHERE {cond} ORDER BY {order}'
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        cur = self.conn.execute(sql, args)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]

    def count(self, ledger_id: str, year: int | None = None, *, deleted: bool = False) -> int:
        lg = catalog.get(ledger_id)
        cond, args = self.where_year(lg.id, year)
        cond += " AND deleted_at IS NOT NULL" if deleted else " AND deleted_at IS NULL"
        return self.conn.execute(f'SELECT COUNT(*) FROM "{lg.id}" WHERE {cond}', args).fetchone()[0]

    def count_incomplete(self, ledger_id: str | None = None) -> int:
        """Live 待补充 rows of a ledger (of every ledger when None), any year."""
        ids = [catalog.get(ledger_id).id] if ledger_id else [lg.id for lg in catalog.LEDGERS]
        return sum(
            self.conn.execute(
                f'SELECT COUNT(*) FROM "{i}" WHERE "{INCOMPLETE}" IS NOT NULL AND deleted_at IS NULL'
            ).fetchone()[0]
            for i in ids
        )

    def delete(self, ledger_id: str, row_ids: int | Iterable[int]) -> int:
        """Soft delete: the rows go to the 回收站."""
        return self._set_deleted(ledger_id, row_ids, now(), "delete")

    def restore(self, ledger_id: str, row_ids: int | Iterable[int]) -> int:
        return self._set_deleted(ledger_id, row_ids, None, "restore")

    def _set_deleted(self, ledger_id, row_ids, stamp, action) -> int:
        lg = catalog.get(ledger_id)
        ids = [row_ids] if isinstance(row_ids, int) else list(row_ids)
        done = 0
        with self.transaction():
            for rid in ids:
                old = self.get(lg.id, rid, include_deleted=True)
                if old is None or (old["deleted_at"] is None) == (stamp is None):
                    continue
                self.conn.execute(
                    f'UPDATE "{lg.id}" SET deleted_at = ?, updated_at = ?, updated_office = ? WHERE id = ?',
                    (stamp, next_stamp(old["updated_at"]), self.office, rid),
                )
                self.audit(action, lg.id, rid, old["uid"], {"deleted_at": old["deleted_at"]}, {"deleted_at": stamp})
                done += 1
        return done

    def purge(self, ledger_id: str, row_ids: Iterable[int] | None = None) -> int:
        """Empty the 回收站 (all of a ledger's deleted rows, or the given ones) for good.

        Nothing readable stays behind: ``secure_delete`` zeroes the rows' space in the file,
        the audit keeps their personal values masked, and the write-ahead log (which still
        holds the pages as they were) is checkpointed and truncated."""
        lg = catalog.get(ledger_id)
        done = self._purge(lg, row_ids)
        if done and not self.conn.in_transaction:
            self.forget_freed_pages()
        return done

    def forget_freed_pages(self) -> None:
        """Copy the write-ahead log into the file and truncate it to nothing (best effort: a
        reader on another connection can keep it from being truncated; SQLite removes the log
        when the last connection closes)."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except dbapi.Error:
            pass

    def _purge(self, lg: catalog.Ledger, row_ids: Iterable[int] | None) -> int:
        with self.transaction():
            if row_ids is None:
                ids = [r[0] for r in self.conn.execute(f'SELECT id FROM "{lg.id}" WHERE deleted_at IS NOT NULL')]
            else:
                ids = list(row_ids)
            done = 0
            for rid in ids:
                old = self.get(lg.id, rid, include_deleted=True)
                if old is None or old["deleted_at"] is None:
                    continue
                if lg.id == "key_persons":
                    self._purge_visits_of(rid)
                try:
                    self.conn.execute(f'DELETE FROM "{lg.id}" WHERE id = ?', (rid,))
                except dbapi.IntegrityError:
                    raise StoreError(f"{lg.name}第 {rid} 条记录仍被其他记录引用，不能彻底删除") from None
                self.audit("purge", lg.id, rid, old["uid"], plain_values(lg, old), None)
                done += 1
        return done

    def _purge_visits_of(self, person_id: int) -> None:
        """A purged person's 走访记录 already in the 回收站 go with them, each audited."""
        visits = catalog.get("visits")
        for (vid,) in self.conn.execute(
            "SELECT id FROM visits WHERE person_id = ? AND deleted_at IS NOT NULL", (person_id,)
        ).fetchall():
            old = self.get(visits.id, vid, include_deleted=True)
            self.conn.execute("DELETE FROM visits WHERE id = ?", (vid,))
            note = f"随重点人员第 {person_id} 条彻底删除"
            self.audit("purge", visits.id, vid, old["uid"], plain_values(visits, old), None, note)

    def names_of(self, ledger_id: str, key: str = "name") -> list[str]:
        """Distinct names in a roster (for completers and the 执法人员 check)."""
        lg = catalog.get(ledger_id)
        col = quote(key)
        return [r[0] for r in self.conn.execute(
            f'SELECT DISTINCT {col} FROM "{lg.id}" WHERE deleted_at IS NULL AND {col} IS NOT NULL ORDER BY 1'
        )]  # fmt: skip
