"""The SQLite store: one table per ledger, soft delete, audit, settings, schema versions.

Every write goes through here, inside a transaction, and leaves an audit entry.  The file
stays an ordinary SQLite database: each ledger is a table named by its id.

``Store`` opens, configures and migrates the file and is what the rest of the program holds.
Its work is done by collaborators that share one ``Session`` (the connection and its
transactions): ``audit_log`` (``AuditLog``), ``config`` (``Settings``: settings, choice lists,
report texts) and ``ledger_rows`` (``LedgerRows``: validation, rows, the 回收站).  The store's
methods of the same names hand over to them, so callers hold one object.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from app.core.ledgers.catalog import Field
from app.core.ledgers.validation import Validator
from app.core.storage import collation, dbapi, keys, schema
from app.core.storage.audit import AuditLog
from app.core.storage.common import StoreError
from app.core.storage.dbapi import connect_readonly
from app.core.storage.faults import on_network_drive, open_failure_message
from app.core.storage.rows import LedgerRows
from app.core.storage.schema import APP_ID, BASE_SCHEMA_V1, MIGRATIONS, SCHEMA_VERSION
from app.core.storage.session import Session
from app.core.storage.settings import Settings


def _not_openable(path: Path, exc: Exception) -> StoreError:
    """Why a file could not be opened, for the clerk: a fault to fix, or not ours/damaged."""
    fault = open_failure_message(path, exc)
    if fault:
        return StoreError(f"无法打开数据库文件 {path}：{fault}")
    return StoreError(
        f"无法打开数据库文件 {path}：它不是本程序的数据库，或已损坏（{exc}）。"
        "请确认选对了文件；如果文件已损坏，请用备份恢复（程序启动时会提示，或命令行 restore 备份文件）。"
    )


class Store:
    """An open ledger database.  ``Store.open(path)`` creates or migrates it."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, *, readonly: bool = False, source: str | None = None
    ):
        self.session = Session(conn)
        self.audit_log = AuditLog(self.session)
        self.config = Settings(self.session, self.audit_log)
        self.ledger_rows = LedgerRows(self.session, self.audit_log, self.config)
        self.path = path
        self._readonly = readonly
        collation.register(conn)  # ``ORDER BY pinyin(col)``: Chinese text in pinyin order
        # where ``reopen`` connects: the file, or the shared in-memory copy a read-only
        # session of an older file reads (migrated there, never in the file)
        self._source = source
        self._db = None  # sqlite_utils.Database, made on first use (its import is slow)

    @property
    def conn(self) -> sqlite3.Connection:
        """The open connection (replaced by ``reconnect``)."""
        return self.session.conn

    @property
    def db(self):
        """The connection as a ``sqlite_utils.Database`` (imported on first use: start-up speed)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @property
    def readonly(self) -> bool:
        """Opened read-only (another PC holds the lock, or the folder is read-only): nothing
        this store does changes the file, and ``reopen`` keeps it so."""
        return self._readonly

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True, readonly: bool = False) -> Store:
        path = Path(path)
        if readonly:
            return cls._open_readonly(path)
        try:
            if path.parent and not path.parent.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = dbapi.connect(path, timeout=10)
        except (OSError, *dbapi.Error) as exc:
            raise StoreError(f"无法打开数据库文件 {path}：{open_failure_message(path, exc) or exc}") from exc
        conn.isolation_level = None  # we manage transactions explicitly (see ``transaction``)
        store = cls(conn, path)
        try:
            store._configure(False)
            store._prepare(migrate)
        except dbapi.DatabaseError as exc:
            conn.close()
            raise _not_openable(path, exc) from exc
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def _open_readonly(cls, path: Path) -> Store:
        """A read-only store: ``query_only`` on, no journal-mode change, no migration.

        A file of an older structure version is read into a shared in-memory copy and
        migrated there, so the program can read it while the file stays as it was (no
        ``.bak``, no audit entry, the old version number)."""
        try:
            conn = connect_readonly(path)
        except (OSError, *dbapi.Error) as exc:
            raise StoreError(f"无法打开数据库文件 {path}：{open_failure_message(path, exc) or exc}") from exc
        conn.isolation_level = None
        store = cls(conn, path, readonly=True)
        try:
            store._configure(True)
            if store.schema_version < SCHEMA_VERSION:
                store = store._migrated_copy()
            store.conn.execute("PRAGMA query_only=ON")
        except dbapi.DatabaseError as exc:
            store.conn.close()
            raise _not_openable(path, exc) from exc
        except BaseException:
            store.conn.close()
            raise
        return store

    def _migrated_copy(self) -> Store:
        """This (read-only, older) database copied into shared memory and migrated there."""
        source = f"file:fazhi-ro-{uuid.uuid4().hex}?mode=memory&cache=shared"
        if dbapi.is_cipher(self.conn):  # decrypted into memory only, as a page cache would be
            # exported into a scratch memory database, then copied page by page into the one
            # the store reads: the shared cache keeps the schema sqlcipher_export loaded while
            # it wrote, and a later schema change there would find its triggers twice
            scratch_uri = f"file:fazhi-ro-{uuid.uuid4().hex}?mode=memory&cache=shared"
            scratch = dbapi.cipher_connect(scratch_uri, None, uri=True)
            try:
                dbapi.export(self.conn, scratch_uri, None)
                mem = dbapi.cipher_connect(source, None, uri=True)
                scratch.backup(mem)
            finally:
                scratch.close()
        else:
            mem = sqlite3.connect(source, uri=True)  # lives while any connection to it is open
            self.conn.backup(mem)
        mem.isolation_level = None
        self.conn.close()
        copy = Store(mem, self.path, readonly=True, source=source)
        copy._configure(True)
        copy._prepare(True, copy_aside=False)
        return copy

    def reopen(self) -> Store:
        """A new connection to the same database, for another thread: same file, same
        read-only state (a read-only session never gets a writing connection this way)."""
        if self._source is not None:
            cipher = dbapi.is_cipher(self.conn)
            conn = (
                dbapi.cipher_connect(self._source, None, uri=True)
                if cipher
                else sqlite3.connect(self._source, uri=True)
            )
            conn.isolation_level = None
            conn.execute("PRAGMA query_only=ON")
            return Store(conn, self.path, readonly=True, source=self._source)
        if self.path is None:
            raise StoreError("内存数据库不能再次打开")
        return Store.open(self.path, readonly=self._readonly)

    def reconnect(self) -> None:
        """A fresh connection to the file (after it was swapped: a password set or cleared)."""
        fresh = Store.open(self.path, readonly=self._readonly)
        try:
            self.conn.close()
        except dbapi.Error:
            pass
        self.session.conn, self._source, self._db = fresh.conn, fresh._source, None

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
        # deleted content is overwritten with zeros, not left in free space: a person purged
        # from the 回收站 leaves no readable 身份证号 in the file (nor in a backup made later)
        c.execute("PRAGMA secure_delete=ON")

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

    def _prepare(self, migrate: bool, *, copy_aside: bool = True) -> None:
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
            self.migrate_from(version, copy_aside=copy_aside)
        self.ensure_ledger_tables()

    def migrate_from(self, version: int, *, copy_aside: bool = True) -> Path | None:
        """Copy the file aside, then run each migration step in one transaction."""
        copy = None
        if self.path is not None and copy_aside:
            copy = self.path.with_name(f"{self.path.stem}.v{version}-{dt.datetime.now():%Y%m%d%H%M%S}.bak")
            self.conn.execute("PRAGMA wal_checkpoint(FULL)")
            key = dbapi.key_of(self.path)  # an encrypted file's copy is encrypted too
            if key is not None:
                keys.write_envelope(keys.key_file(copy), keys.envelope_of(self.path))
            dest = dbapi.connect(copy, key=key)
            with dest:
                self.conn.backup(dest)
            dest.close()
        with self.transaction():
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](self.conn)
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self.conn.execute(f"PRAGMA application_id={APP_ID}")
            self.audit("migrate", None, None, None, None, None, f"结构版本 {version} → {SCHEMA_VERSION}")
        return copy

    def ensure_ledger_tables(self) -> None:
        """Create each ledger's table, add columns the catalog gained, and the indexes."""
        with self.transaction():
            schema.ensure_ledger_tables(self.conn)

    # -- transactions and audit -----------------------------------------------------------

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One IMMEDIATE transaction; nested calls join the outer one."""
        return self.session.transaction()

    def audit(
        self,
        action: str,
        ledger: str | None,
        row_id: int | None,
        row_uid: str | None,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        note: str | None = None,
    ) -> None:
        """One audit entry inside the caller's transaction (``AuditLog.record``)."""
        self.audit_log.record(action, ledger, row_id, row_uid, old, new, note)

    def log(self, action: str, note: str, ledger: str | None = None, row_id: int | None = None) -> None:
        """An audit entry for something that is not a row write (backup, reveal of an ID…)."""
        self.audit_log.log(action, note, ledger, row_id)

    def audit_entries(self, limit: int = 200, offset: int = 0, ledger: str | None = None) -> list[dict]:
        return self.audit_log.entries(limit, offset, ledger)

    # -- settings (``Settings``) ----------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        return self.config.get(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self.config.set(key, value)

    def settings(self) -> dict[str, Any]:
        return self.config.all()

    @property
    def office(self) -> str | None:
        """This PC's office, as rows record it (None while unnamed)."""
        return self.config.office

    @property
    def issuer(self) -> str:
        """发文机关全称: set explicitly, or {county}{town}人民政府; '' while the town is unnamed."""
        return self.config.issuer

    def choices(self, ledger_id: str, key: str) -> tuple[str, ...]:
        return self.config.choices(ledger_id, key)

    def report_text(self, year: int, section: str) -> str | None:
        return self.config.report_text(year, section)

    def report_texts(self, year: int) -> dict[str, str]:
        return self.config.report_texts(year)

    def set_report_text(self, year: int, section: str, text: str | None) -> None:
        self.config.set_report_text(year, section, text)

    # -- rows (``LedgerRows``) ------------------------------------------------------------

    def validator(self, ledger_id: str) -> Validator:
        return self.ledger_rows.validator(ledger_id)

    def resolve_ref(self, f: Field, value: Any) -> int:
        return self.ledger_rows.resolve_ref(f, value)

    def save(self, ledger_id: str, raw: dict[str, Any], row_id: int | None = None) -> int:
        """Validate and insert (or update ``row_id``); ``ValidationError`` lists every problem."""
        return self.ledger_rows.save(ledger_id, raw, row_id)

    def insert_clean(
        self, ledger_id: str, clean: dict[str, Any], uid: str | None = None, incomplete: str | None = None
    ) -> int:
        return self.ledger_rows.insert_clean(ledger_id, clean, uid, incomplete)

    def update_clean(self, ledger_id: str, row_id: int, clean: dict[str, Any]) -> int:
        return self.ledger_rows.update_clean(ledger_id, row_id, clean)

    def update_fields(self, ledger_id: str, row_id: int, values: dict[str, Any], note: str | None = None) -> bool:
        return self.ledger_rows.update_fields(ledger_id, row_id, values, note)

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
        return self.ledger_rows.insert_many(
            ledger_id, rows, note, ordered=ordered, expected=expected, incomplete=incomplete
        )

    def get(self, ledger_id: str, row_id: int, include_deleted: bool = False) -> dict | None:
        return self.ledger_rows.get(ledger_id, row_id, include_deleted)

    def where_year(self, ledger_id: str, year: int | None, field: str | None = None) -> tuple[str, list]:
        return self.ledger_rows.where_year(ledger_id, year, field)

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
        return self.ledger_rows.rows(
            ledger_id,
            year,
            deleted=deleted,
            where=where,
            params=params,
            order_by=order_by,
            limit=limit,
            offset=offset,
        )

    def count(self, ledger_id: str, year: int | None = None, *, deleted: bool = False) -> int:
        return self.ledger_rows.count(ledger_id, year, deleted=deleted)

    def count_incomplete(self, ledger_id: str | None = None) -> int:
        return self.ledger_rows.count_incomplete(ledger_id)

    def names_of(self, ledger_id: str, key: str = "name") -> list[str]:
        return self.ledger_rows.names_of(ledger_id, key)

    def delete(self, ledger_id: str, row_ids: int | Iterable[int]) -> int:
        """Soft delete: the rows go to the 回收站."""
        return self.ledger_rows.delete(ledger_id, row_ids)

    def restore(self, ledger_id: str, row_ids: int | Iterable[int]) -> int:
        return self.ledger_rows.restore(ledger_id, row_ids)

    def purge(self, ledger_id: str, row_ids: Iterable[int] | None = None) -> int:
        """Empty the 回收站 for good (``LedgerRows.purge``)."""
        return self.ledger_rows.purge(ledger_id, row_ids)

    def forget_freed_pages(self) -> None:
        self.ledger_rows.forget_freed_pages()
