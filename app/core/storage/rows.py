"""The ledgers' rows, a part of ``Store``: validate and save, bulk insert, read, count, soft
delete, purge."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Field, Ledger
from app.core.ledgers.privacy import mask_ids_in_text
from app.core.ledgers.validation import Validator, parse_idcard
from app.core.storage import dbapi
from app.core.storage.audit import AuditLog
from app.core.storage.common import StoreError, next_stamp, now, plain_values, quote, uuid7_strings, year_bounds
from app.core.storage.schema import INCOMPLETE
from app.core.storage.session import Session
from app.core.storage.settings import Settings


class LedgerRows:
    """Every ledger's table: writes validated, in transactions, each one audited."""

    def __init__(self, session: Session, audit: AuditLog, settings: Settings):
        self._session = session
        self._audit = audit
        self._settings = settings
        self._validators: dict[str, Validator] = {}
        self._validators_of = settings.generation  # the settings the validators were built from

    # -- writing --------------------------------------------------------------------------

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
        row["created_office"] = row["updated_office"] = self._settings.office
        cols = list(row)
        with self._session.transaction():
            cur = self._session.conn.execute(
                f'INSERT INTO "{lg.id}" ({", ".join(map(quote, cols))}) VALUES ({", ".join("?" * len(cols))})',
                [row[c] for c in cols],
            )
            row_id = cur.lastrowid
            self._audit.record("insert", lg.id, row_id, row["uid"], None, plain_values(lg, clean))
        return row_id

    def update_clean(self, ledger_id: str, row_id: int, clean: dict[str, Any]) -> int:
        """Write a row the validator passed whole: a 待补充 row saved so is complete."""
        lg = catalog.get(ledger_id)
        with self._session.transaction():
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
            self._session.conn.execute(
                f'UPDATE "{lg.id}" SET {sets}, updated_at = ?, updated_office = ? WHERE id = ?',
                [*changed.values(), next_stamp(old["updated_at"]), self._settings.office, row_id],
            )
            before = {k: old.get(k) for k in changed if k != INCOMPLETE}
            self._audit.record("update", lg.id, row_id, old["uid"], before, plain_values(lg, changed))
        return row_id

    def update_fields(self, ledger_id: str, row_id: int, values: dict[str, Any], note: str | None = None) -> bool:
        """Write the given clean fields of one row, only those that differ (the Excel round
        trip); one audit entry with the old and new values.  False if nothing changed."""
        lg = catalog.get(ledger_id)
        with self._session.transaction():
            old = self.get(lg.id, row_id, include_deleted=True)
            if old is None:
                raise StoreError(f"{lg.name}中没有编号为 {row_id} 的记录")
            changed = {k: v for k, v in values.items() if (k in lg.keys or k == INCOMPLETE) and old.get(k) != v}
            if not changed:
                return False
            sets = ", ".join(f"{quote(k)} = ?" for k in changed)
            self._session.conn.execute(
                f'UPDATE "{lg.id}" SET {sets}, updated_at = ? WHERE id = ?', [*changed.values(), now(), row_id]
            )
            before = {k: old.get(k) for k in changed if k != INCOMPLETE}
            self._audit.record("update", lg.id, row_id, old["uid"], before, plain_values(lg, changed), note)
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
        office = self._settings.office
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

        bulk = (
            expected >= 5000 and expected > self._session.conn.execute(f'SELECT COUNT(*) FROM "{lg.id}"').fetchone()[0]
        )
        cache = self._session.conn.execute("PRAGMA cache_size").fetchone()[0]
        if bulk:  # room for the batch's pages, so they are not spilled to the WAL twice
            self._session.conn.execute("PRAGMA cache_size=-65536")
        try:
            with self._session.transaction():
                rebuild: list[tuple[str, str]] = []
                if bulk:
                    rebuild = self._session.conn.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                        (lg.id,),
                    ).fetchall()
                    for name, _ in rebuild:
                        self._session.conn.execute(f"DROP INDEX {quote(name)}")
                self._session.conn.executemany(sql, values())
                for _, index_sql in rebuild:
                    self._session.conn.execute(index_sql)
                note = (note or "导入 {count} 行").replace("{count}", str(count))
                self._audit.record("import", lg.id, None, None, None, {"rows": count}, note)
        finally:
            if bulk:
                self._session.conn.execute(f"PRAGMA cache_size={cache}")
        return count

    # -- reading --------------------------------------------------------------------------

    def get(self, ledger_id: str, row_id: int, include_deleted: bool = False) -> dict | None:
        lg = catalog.get(ledger_id)
        sql = f'SELECT * FROM "{lg.id}" WHERE id = ?' + ("" if include_deleted else " AND deleted_at IS NULL")
        cur = self._session.conn.execute(sql, (row_id,))
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
        cur = self._session.conn.execute(sql, args)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]

    def count(self, ledger_id: str, year: int | None = None, *, deleted: bool = False) -> int:
        lg = catalog.get(ledger_id)
        cond, args = self.where_year(lg.id, year)
        cond += " AND deleted_at IS NOT NULL" if deleted else " AND deleted_at IS NULL"
        return self._session.conn.execute(f'SELECT COUNT(*) FROM "{lg.id}" WHERE {cond}', args).fetchone()[0]

    def count_incomplete(self, ledger_id: str | None = None) -> int:
        """Live 待补充 rows of a ledger (of every ledger when None), any year."""
        ids = [catalog.get(ledger_id).id] if ledger_id else [lg.id for lg in catalog.LEDGERS]
        return sum(
            self._session.conn.execute(
                f'SELECT COUNT(*) FROM "{i}" WHERE "{INCOMPLETE}" IS NOT NULL AND deleted_at IS NULL'
            ).fetchone()[0]
            for i in ids
        )

    # -- the 回收站 -------------------------------------------------------------------------

    def delete(self, ledger_id: str, row_ids: int | Iterable[int]) -> int:
        """Soft delete: the rows go to the 回收站."""
        return self._set_deleted(ledger_id, row_ids, now(), "delete")

    def restore(self, ledger_id: str, row_ids: int | Iterable[int]) -> int:
        return self._set_deleted(ledger_id, row_ids, None, "restore")

    def _set_deleted(self, ledger_id, row_ids, stamp, action) -> int:
        lg = catalog.get(ledger_id)
        ids = [row_ids] if isinstance(row_ids, int) else list(row_ids)
        done = 0
        with self._session.transaction():
            for rid in ids:
                old = self.get(lg.id, rid, include_deleted=True)
                if old is None or (old["deleted_at"] is None) == (stamp is None):
                    continue
                self._session.conn.execute(
                    f'UPDATE "{lg.id}" SET deleted_at = ?, updated_at = ?, updated_office = ? WHERE id = ?',
                    (stamp, next_stamp(old["updated_at"]), self._settings.office, rid),
                )
                self._audit.record(
                    action, lg.id, rid, old["uid"], {"deleted_at": old["deleted_at"]}, {"deleted_at": stamp}
                )
                done += 1
        return done

    def purge(self, ledger_id: str, row_ids: Iterable[int] | None = None) -> int:
        """Empty the 回收站 (all of a ledger's deleted rows, or the given ones) for good.

        Nothing readable stays behind: ``secure_delete`` zeroes the rows' space in the file,
        the audit keeps their personal values masked, and the write-ahead log (which still
        holds the pages as they were) is checkpointed and truncated."""
        lg = catalog.get(ledger_id)
        done = self._purge(lg, row_ids)
        if done and not self._session.conn.in_transaction:
            self.forget_freed_pages()
        return done

    def forget_freed_pages(self) -> None:
        """Copy the write-ahead log into the file and truncate it to nothing (best effort: a
        reader on another connection can keep it from being truncated; SQLite removes the log
        when the last connection closes)."""
        try:
            self._session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except dbapi.Error:
            pass

    def _purge(self, lg: Ledger, row_ids: Iterable[int] | None) -> int:
        # the fields whose rows go with a purged row of ``lg``: read from the catalog once
        cascade = [
            (other, f) for other in catalog.LEDGERS for f in other.fields if f.ref == lg.id and f.on_purge == "cascade"
        ]
        with self._session.transaction():
            if row_ids is None:
                ids = [
                    r[0] for r in self._session.conn.execute(f'SELECT id FROM "{lg.id}" WHERE deleted_at IS NOT NULL')
                ]
            else:
                ids = list(row_ids)
            done = 0
            for rid in ids:
                old = self.get(lg.id, rid, include_deleted=True)
                if old is None or old["deleted_at"] is None:
                    continue
                for other, f in cascade:
                    self._purge_referring(other, f, rid)
                try:
                    self._session.conn.execute(f'DELETE FROM "{lg.id}" WHERE id = ?', (rid,))
                except dbapi.IntegrityError:
                    raise StoreError(f"{lg.name}第 {rid} 条记录仍被其他记录引用，不能彻底删除") from None
                self._audit.record("purge", lg.id, rid, old["uid"], plain_values(lg, old), None)
                done += 1
        return done

    def _purge_referring(self, lg: Ledger, f: Field, row_id: int) -> None:
        """The rows of ``lg`` in the 回收站 whose ``f`` points at a purged row go with it (``f``
        declares ``on_purge="cascade"``: a 重点人员's 走访记录), each audited.  Live rows that
        point at it stay, and their reference keeps the purge from happening."""
        for (rid,) in self._session.conn.execute(
            f'SELECT id FROM "{lg.id}" WHERE {quote(f.key)} = ? AND deleted_at IS NOT NULL', (row_id,)
        ).fetchall():
            old = self.get(lg.id, rid, include_deleted=True)
            self._session.conn.execute(f'DELETE FROM "{lg.id}" WHERE id = ?', (rid,))
            note = f"随{f.label}第 {row_id} 条彻底删除"
            self._audit.record("purge", lg.id, rid, old["uid"], plain_values(lg, old), None, note)

    def names_of(self, ledger_id: str, key: str = "name") -> list[str]:
        """Distinct names in a roster (for completers and the 执法人员 check)."""
        lg = catalog.get(ledger_id)
        col = quote(key)
        return [r[0] for r in self._session.conn.execute(
            f'SELECT DISTINCT {col} FROM "{lg.id}" WHERE deleted_at IS NULL AND {col} IS NOT NULL ORDER BY 1'
        )]  # fmt: skip

    # -- validation -----------------------------------------------------------------------

    def validator(self, ledger_id: str) -> Validator:
        """The ledger's validator, with the office's choice lists (rebuilt after a setting
        changes)."""
        lg = catalog.get(ledger_id)
        if self._validators_of != self._settings.generation:
            self._validators.clear()
            self._validators_of = self._settings.generation
        v = self._validators.get(lg.id)
        if v is None:
            choices = {f.key: self._settings.choices(lg.id, f.key) for f in lg.fields if f.kind == "choice"}
            v = Validator(lg, choices, self.resolve_ref)
            self._validators[lg.id] = v
        return v

    def resolve_ref(self, f: Field, value: Any) -> int:
        """The row a reference names: by the target's lookup field (a 重点人员's 身份证号), or
        by a title (姓名) that is unique among its live rows."""
        text = str(value).strip()
        target = catalog.get(f.ref)
        lookup = target.get_field(target.lookup_field) if target.lookup_field else None
        if lookup is not None:
            found = self._by_lookup(target, lookup, text)
            if found is not None:
                return found
        rows = self._session.conn.execute(
            f'SELECT id FROM "{target.id}" WHERE "{target.title_field}" = ? AND deleted_at IS NULL', (text,)
        ).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if not rows:  # the text may be a mistyped ID number: never echo one whole
            raise ValueError(f"{target.name}中没有“{mask_ids_in_text(text)}”")
        how = f"，请改填{lookup.label}" if lookup is not None else ""
        raise ValueError(f"{target.name}中有{len(rows)}个“{text}”{how}")

    def _by_lookup(self, target: Ledger, lookup: Field, text: str) -> int | None:
        """The live row whose lookup field holds ``text``; None when ``text`` is not shaped
        like that field's values (then it is read as a title)."""
        if lookup.kind == "idcard":
            try:
                value = parse_idcard(text)
            except ValueError:
                return None
        else:
            value = text
        if not value:
            return None
        row = self._session.conn.execute(
            f'SELECT id FROM "{target.id}" WHERE {quote(lookup.key)} = ? AND deleted_at IS NULL', (value,)
        ).fetchone()
        if row:
            return row[0]
        if lookup.kind == "idcard":  # an ID number that names nobody: say so, not "no such name"
            raise ValueError(f"{target.name}中没有这个{lookup.label}")
        return None
