"""The SQLite store: one table per ledger, soft delete, audit, settings, schema versions.

Every write goes through here, inside a transaction, and leaves an audit entry.  The file
stays an ordinary SQLite database: each ledger is a table named by its id.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import catalog, schema
from .catalog import Field, Ledger
from .faults import fault_message, on_network_drive, open_failure_message
from .privacy import mask_ids_in_text
from .schema import APP_ID, BASE_SCHEMA_V1, MIGRATIONS, SCHEMA_VERSION, cover_index_name  # noqa: F401
from .validation import ValidationError, Validator, parse_idcard, split_names

DEFAULT_SETTINGS: dict[str, Any] = {
    "county": "丰都县",
    "town": "武平镇",
    "issuer": "",  # empty: {county}{town}人民政府
    "villages": [],
    "font_scheme": "gb2312",  # or "windows": Windows' own 仿宋/楷体/黑体/宋体
    "backup_dir": "",
}


# settings kept out of ``settings()`` (and so out of the command line's listing)
HIDDEN_SETTINGS = frozenset({"password"})


class StoreError(Exception):
    """A store problem with a message a clerk can act on."""


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def year_bounds(year: int) -> tuple[str, str]:
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


class Store:
    """An open ledger database.  ``Store.open(path)`` creates or migrates it."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path
        self._db = None  # sqlite_utils.Database, made on first use (its import is slow)
        self._validators: dict[str, Validator] = {}

    @property
    def db(self):
        """The connection as a ``sqlite_utils.Database`` (imported on first use: start-up speed)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True, readonly: bool = False) -> Store:
        path = Path(path)
        try:
            if readonly:
                conn = _connect_readonly(path)
            else:
                if path.parent and not path.parent.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(path), timeout=10)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"无法打开数据库文件 {path}：{open_failure_message(path, exc) or exc}") from exc
        conn.isolation_level = None  # we manage transactions explicitly (see ``transaction``)
        store = cls(conn, path)
        try:
            store._configure(readonly)
            if not readonly:
                store._prepare(migrate)
        except sqlite3.DatabaseError as exc:
            conn.close()
            fault = open_failure_message(path, exc)
            if fault:
                raise StoreError(f"无法打开数据库文件 {path}：{fault}") from exc
            raise StoreError(
                f"无法打开数据库文件 {path}：它不是本程序的数据库，或已损坏（{exc}）。"
                "请确认选对了文件；如果文件已损坏，请用备份恢复（程序启动时会提示，或命令行 restore 备份文件）。"
            ) from exc
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def memory(cls) -> Store:
        conn = sqlite3.connect(":memory:")
        conn.isolation_level = None
        store = cls(conn, None)
        store._configure(False)
        store._prepare(True)
        return store

    def close(self) -> None:
        self.conn.close()

    def _configure(self, readonly: bool) -> None:
        c = self.conn
        c.execute("PRAGMA foreign_keys=ON")
        self._check_identity()  # before switching to WAL: never alter another program's file
        if not readonly:
            want = "delete" if self.path is not None and on_network_drive(self.path) else "wal"
            mode = c.execute(f"PRAGMA journal_mode={want}").fetchone()[0]
            if self.path is not None and mode.lower() != want:
                raise sqlite3.DatabaseError(f"journal_mode={mode}")
        c.execute("PRAGMA synchronous=FULL")
        c.execute("PRAGMA busy_timeout=10000")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _check_identity(self) -> None:
        """Refuse a file that is not ours, or is from a newer version, before writing to it."""
        version = self.schema_version
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        if tables and version == 0:
            raise sqlite3.DatabaseError("没有版本号的数据库")
        if tables and app_id not in (0, APP_ID):
            raise sqlite3.DatabaseError("application_id 不符")
        if tables and app_id == 0 and not {"settings", "audit"} <= tables:
            raise sqlite3.DatabaseError("没有本程序的数据表")  # another program's SQLite file
        if version > SCHEMA_VERSION:
            raise StoreError(f"这个数据库由更新版本的程序创建（结构版本 {version}），请升级本程序后再打开。")

    def _prepare(self, migrate: bool) -> None:
        self._check_identity()
        version = self.schema_version
        if version == 0:
            with self.transaction():
                for sql in BASE_SCHEMA_V1:
                    self.conn.execute(sql)
                self.conn.execute(f"PRAGMA application_id={APP_ID}")
                for step in range(1, SCHEMA_VERSION):
                    MIGRATIONS[step](self.conn)
                self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif version < SCHEMA_VERSION:
            if not migrate:
                raise StoreError(f"数据库结构版本为 {version}，需要升级")
            self.migrate_from(version)
        self.ensure_ledger_tables()

    def migrate_from(self, version: int) -> Path | None:
        """Copy the file aside, then run each migration step in one transaction."""
        copy = None
        if self.path is not None:
            copy = self.path.with_name(f"{self.path.stem}.v{version}-{dt.datetime.now():%Y%m%d%H%M%S}.bak")
            self.conn.execute("PRAGMA wal_checkpoint(FULL)")
            dest = sqlite3.connect(str(copy))
            with dest:
                self.conn.backup(dest)
            dest.close()
        with self.transaction():
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](self.conn)
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self.conn.execute(f"PRAGMA application_id={APP_ID}")
            self._audit("migrate", None, None, None, None, None, f"结构版本 {version} → {SCHEMA_VERSION}")
        return copy

    def ensure_ledger_tables(self) -> None:
        """Create each ledger's table, add columns the catalog gained, and the indexes."""
        with self.transaction():
            schema.ensure_ledger_tables(self.conn)

    # -- transactions and audit -----------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction; nested calls join the outer one."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (disk full, I/O error): only roll back
                # what is still open, so the original error is the one reported.
                if self.conn.in_transaction:
                    try:
                        self.conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise
        except sqlite3.OperationalError as exc:
            fault = fault_message(exc)  # disk full, read-only folder, lost share: say what to do
            if fault is None:
                raise
            raise StoreError(fault) from exc

    def _audit(self, action, ledger, row_id, row_uid, old, new, note=None) -> None:
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, ledger, row_id, row_uid, old, new, note) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                now(),
                _actor(),
                action,
                ledger,
                row_id,
                row_uid,
                None if old is None else json.dumps(old, ensure_ascii=False),
                None if new is None else json.dumps(new, ensure_ascii=False),
                note,
            ),
        )

    def log(self, action: str, note: str, ledger: str | None = None, row_id: int | None = None) -> None:
        """An audit entry for something that is not a row write (backup, reveal of an ID…)."""
        with self.transaction():
            self._audit(action, ledger, row_id, None, None, None, note)

    def audit_entries(self, limit: int = 200, offset: int = 0, ledger: str | None = None) -> list[dict]:
        where, params = ("WHERE ledger = ?", [ledger]) if ledger else ("", [])
        cur = self.conn.execute(
            f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset]
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]

    # -- settings -------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return DEFAULT_SETTINGS.get(key, default)
        return json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        old = self.setting(key)
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )
            self._audit("setting", None, None, None, {key: old}, {key: value}, f"设置 {key}")
        self._validators.clear()

    def settings(self) -> dict[str, Any]:
        out = dict(DEFAULT_SETTINGS)
        for key, value in self.conn.execute("SELECT key, value FROM settings"):
            if key not in HIDDEN_SETTINGS:
                out[key] = json.loads(value)
        out["issuer"] = self.issuer
        return out

    @property
    def issuer(self) -> str:
        """发文机关全称: set explicitly, or {county}{town}人民政府."""
        return self.setting("issuer") or f"{self.setting('county')}{self.setting('town')}人民政府"

    def choices(self, ledger_id: str, key: str) -> tuple[str, ...]:
        """A field's choice list: the catalog's, plus what the office added."""
        f = catalog.get(ledger_id).field(key)
        extra = self.setting(f"choices.{ledger_id}.{key}", []) or []
        return f.choices + tuple(c for c in extra if c not in f.choices)

    def report_text(self, year: int, section: str) -> str | None:
        row = self.conn.execute(
            "SELECT text FROM report_texts WHERE year = ? AND section = ?", (year, section)
        ).fetchone()
        return row[0] if row else None

    def report_texts(self, year: int) -> dict[str, str]:
        return dict(self.conn.execute("SELECT section, text FROM report_texts WHERE year = ?", (year,)))

    def set_report_text(self, year: int, section: str, text: str | None) -> None:
        old = self.report_text(year, section)
        with self.transaction():
            if text is None or not text.strip():
                self.conn.execute("DELETE FROM report_texts WHERE year = ? AND section = ?", (year, section))
            else:
                self.conn.execute(
                    "INSERT INTO report_texts (year, section, text, updated_at) VALUES (?,?,?,?)"
                    " ON CONFLICT(year, section) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                    (year, section, text, now()),
                )
            self._audit("report_text", None, None, None, {section: old}, {section: text}, f"{year}年报告 {section}")

    # -- validation -----------------------------------------------------------------------

    def validator(self, ledger_id: str) -> Validator:
        lg = catalog.get(ledger_id)
        v = self._validators.get(lg.id)
        if v is None:
            choices = {f.key: self.choices(lg.id, f.key) for f in lg.fields if f.kind == "choice"}
            v = Validator(lg, choices, self.resolve_ref)
            self._validators[lg.id] = v
        return v

    def resolve_ref(self, f: Field, value: Any) -> int:
        """A 重点人员 typed as 身份证号 or as a 姓名 that is unique in the roster."""
        text = str(value).strip()
        target = catalog.get(f.ref)
        if target.id == "key_persons":
            try:
                number = parse_idcard(text)
            except ValueError:
                number = None
            if number:
                row = self.conn.execute(
                    "SELECT id FROM key_persons WHERE id_number = ? AND deleted_at IS NULL", (number,)
                ).fetchone()
                if row:
                    return row[0]
                raise ValueError("重点人员名册中没有这个身份证号")
        rows = self.conn.execute(
            f'SELECT id FROM "{target.id}" WHERE "{target.title_field}" = ? AND deleted_at IS NULL', (text,)
        ).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if not rows:  # the text may be a mistyped ID number: never echo one whole
            raise ValueError(f"{target.name}中没有“{mask_ids_in_text(text)}”")
        raise ValueError(f"{target.name}中有{len(rows)}个“{text}”，请改填身份证号")

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

    def insert_clean(self, ledger_id: str, clean: dict[str, Any], uid: str | None = None) -> int:
        lg = catalog.get(ledger_id)
        stamp = now()
        row = {"uid": uid or str(uuid.uuid4()), **{k: clean.get(k) for k in lg.keys}}
        row["created_at"] = row["updated_at"] = stamp
        cols = list(row)
        with self.transaction():
            cur = self.conn.execute(
                f'INSERT INTO "{lg.id}" ({", ".join(map(_q, cols))}) VALUES ({", ".join("?" * len(cols))})',
                [row[c] for c in cols],
            )
            row_id = cur.lastrowid
            self._audit("insert", lg.id, row_id, row["uid"], None, _plain(lg, clean))
        return row_id

    def update_clean(self, ledger_id: str, row_id: int, clean: dict[str, Any]) -> int:
        lg = catalog.get(ledger_id)
        with self.transaction():
            old = self.get(lg.id, row_id, include_deleted=True)
            if old is None:
                raise StoreError(f"{lg.name}中没有编号为 {row_id} 的记录")
            values = {k: clean.get(k) for k in lg.keys}
            changed = {k: v for k, v in values.items() if old.get(k) != v}
            if not changed:
                return row_id
            sets = ", ".join(f"{_q(k)} = ?" for k in changed)
            self.conn.execute(
                f'UPDATE "{lg.id}" SET {sets}, updated_at = ? WHERE id = ?', [*changed.values(), now(), row_id]
            )
            self._audit("update", lg.id, row_id, old["uid"], {k: old.get(k) for k in changed}, _plain(lg, changed))
        return row_id

    def insert_many(
        self,
        ledger_id: str,
        rows: Iterable[dict[str, Any]] | Iterable[Sequence[Any]],
        note: str = "",
        *,
        ordered: bool = False,
        expected: int = 0,
    ) -> int:
        """Insert clean rows in one transaction with one audit entry for the batch.

        ``rows`` may be a generator (consumed once, streamed into ``executemany``); an
        exception it raises rolls the whole batch back.  With ``ordered`` each row is a
        sequence of values in ``ledger.keys`` order instead of a dict.  ``expected`` (a row
        count estimate) lets a big batch into a smaller table drop the secondary indexes and
        rebuild them afterwards, which is several times faster than updating them row by row.
        ``{count}`` in ``note`` becomes the number of rows.
        """
        lg = catalog.get(ledger_id)
        stamp = now()
        keys = lg.keys
        cols = ["uid", *keys, "created_at", "updated_at"]
        sql = f'INSERT INTO "{lg.id}" ({", ".join(map(_q, cols))}) VALUES ({", ".join("?" * len(cols))})'
        count = 0

        def values() -> Iterator[list[Any]]:
            nonlocal count
            uids = _uuid7_strings()
            if ordered:
                for r in rows:
                    count += 1
                    yield [next(uids), *r, stamp, stamp]
            else:
                for r in rows:
                    count += 1
                    yield [next(uids), *[r.get(k) for k in keys], stamp, stamp]

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
                        self.conn.execute(f"DROP INDEX {_q(name)}")
                self.conn.executemany(sql, values())
                for _, index_sql in rebuild:
                    self.conn.execute(index_sql)
                note = (note or "导入 {count} 行").replace("{count}", str(count))
                self._audit("import", lg.id, None, None, None, {"rows": count}, note)
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
        return f"{_q(field or lg.date_field)} BETWEEN ? AND ?", [lo, hi]

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
        order = order_by or (f"{_q(lg.date_field)}, id" if lg.date_field else "id")
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
                    f'UPDATE "{lg.id}" SET deleted_at = ?, updated_at = ? WHERE id = ?', (stamp, now(), rid)
                )
                self._audit(action, lg.id, rid, old["uid"], {"deleted_at": old["deleted_at"]}, {"deleted_at": stamp})
                done += 1
        return done

    def purge(self, ledger_id: str, row_ids: Iterable[int] | None = None) -> int:
        """Empty the 回收站 (all of a ledger's deleted rows, or the given ones) for good."""
        lg = catalog.get(ledger_id)
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
                    self.conn.execute("DELETE FROM visits WHERE person_id = ? AND deleted_at IS NOT NULL", (rid,))
                try:
                    self.conn.execute(f'DELETE FROM "{lg.id}" WHERE id = ?', (rid,))
                except sqlite3.IntegrityError:
                    raise StoreError(f"{lg.name}第 {rid} 条记录仍被其他记录引用，不能彻底删除") from None
                self._audit("purge", lg.id, rid, old["uid"], _plain(lg, old), None)
                done += 1
        return done

    def names_of(self, ledger_id: str, key: str = "name") -> list[str]:
        """Distinct names in a roster (for completers and the 执法人员 check)."""
        lg = catalog.get(ledger_id)
        return [r[0] for r in self.conn.execute(
            f'SELECT DISTINCT {_q(key)} FROM "{lg.id}" WHERE deleted_at IS NULL AND {_q(key)} IS NOT NULL ORDER BY 1'
        )]  # fmt: skip


def _uuid7_strings() -> Iterator[str]:
    """UUIDs (RFC 9562 version 7, "monotonic random") for one batch of inserts.

    A 48-bit millisecond timestamp, 42 random bits, and a counter that starts at a random
    31-bit value: unique across PCs and batches like uuid4, but ascending within a batch, so
    the ``uid`` index is appended to instead of written at random places (and formatting is
    ~10x cheaper than ``str(uuid.uuid4())``).
    """
    ms = int(dt.datetime.now().timestamp() * 1000) & (2**48 - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = rand & 0xFFF
    rand_b_hi = (rand >> 12) & (2**30 - 1)  # the top 30 of rand_b's 62 bits; the counter is the rest
    counter = (rand >> 42) & (2**31 - 1)
    high = (0b10 << 30) | rand_b_hi  # variant bits + 30 random bits = 8 hex digits
    t = f"{ms:012x}"
    h = f"{high:08x}"
    prefix = f"{t[:8]}-{t[8:]}-7{rand_a:03x}-{h[:4]}-{h[4:]}"
    while True:
        yield f"{prefix}{counter:08x}"
        counter += 1


def file_uri(path: str | Path) -> str:
    """A SQLite ``file:`` URI for ``path`` (no ``file://`` authority part, so Windows UNC
    paths of a shared folder, ``\\\\server\\share\\ledgers.db``, work as well as ``C:\\...``)."""
    from urllib.parse import quote

    return "file:" + quote(os.path.abspath(path), safe="/\\:")


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection; in a read-only folder SQLite cannot make a WAL database's
    -shm file, so fall back to ``immutable`` (nobody can write there either)."""
    uri = file_uri(path)
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=10)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        wal = Path(f"{path}-wal")
        if not path.exists() or (wal.exists() and wal.stat().st_size > 0):
            raise  # immutable would ignore the log, and with it the latest saved rows
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=10)


def _q(name: str) -> str:
    return f'"{name}"'


def _plain(lg: Ledger, values: dict[str, Any]) -> dict[str, Any]:
    """Values for the audit log, with ID numbers kept whole: the log is inside the database."""
    return {k: values[k] for k in values if k in lg._by_key}


def copy_file(src: Path, dest: Path) -> None:
    shutil.copy2(src, dest)


__all__ = ["SCHEMA_VERSION", "Store", "StoreError", "ValidationError", "split_names", "year_bounds"]
