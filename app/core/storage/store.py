"""The SQLite store: one table per ledger, soft delete, audit, settings, schema versions.

Every write goes through here, inside a transaction, and leaves an audit entry.  The file
stays an ordinary SQLite database: each ledger is a table named by its id.  ``Store`` is
put together from parts: opening, migrating, transactions and the audit log here; settings
and report texts in ``store_settings``; row access in ``store_rows``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.core.ledgers import privacy
from app.core.ledgers.validation import ValidationError, Validator, split_names
from app.core.storage import collation, dbapi, keys, schema
from app.core.storage.common import StoreError, actor, now, year_bounds
from app.core.storage.dbapi import connect_readonly
from app.core.storage.faults import fault_message, on_network_drive, open_failure_message
from app.core.storage.rows import RowsMixin
from app.core.storage.schema import APP_ID, BASE_SCHEMA_V1, MIGRATIONS, SCHEMA_VERSION
from app.core.storage.settings import SettingsMixin


def _not_openable(path: Path, exc: Exception) -> StoreError:
    """Why a file could not be opened, for the clerk: a fault to fix, or not ours/damaged."""
    fault = open_failure_message(path, exc)
    if fault:
        return StoreError(f"无法打开数据库文件 {path}：{fault}")
    return StoreError(
        f"无法打开数据库文件 {path}：它不是本程序的数据库，或已损坏（{exc}）。"
        "请确认选对了文件；如果文件已损坏，请用备份恢复（程序启动时会提示，或命令行 restore 备份文件）。"
    )


class Store(SettingsMixin, RowsMixin):
    """An open ledger database.  ``Store.open(path)`` creates or migrates it."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, *, readonly: bool = False, source: str | None = None
    ):
        self.conn = conn
        self.path = path
        self._readonly = readonly
        collation.register(conn)  # ``ORDER BY pinyin(col)``: Chinese text in pinyin order
        # where ``reopen`` connects: the file, or the shared in-memory copy a read-only
        # session of an older file reads (migrated there, never in the file)
        self._source = source
        self._db = None  # sqlite_utils.Database, made on first use (its import is slow)
        self._validators: dict[str, Validator] = {}

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
        self.conn, self._source, self._db = fresh.conn, fresh._source, None

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
                    except dbapi.Error:
                        pass
                raise
        except dbapi.OperationalError as exc:
            fault = fault_message(exc)  # disk full, read-only folder, lost share: say what to do
            if fault is None:
                raise
            raise StoreError(fault) from exc

    def audit(self, action, ledger, row_id, row_uid, old, new, note=None) -> None:
        """One audit entry; personal values (the catalog's ``personal`` fields, ID-shaped
        text) are kept masked, so purging a person leaves no whole 身份证号 in the log."""
        self.conn.execute(
            "INSERT INTO audit (at, actor, action, ledger, row_id, row_uid, old, new, note) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                now(),
                actor(),
                action,
                ledger,
                row_id,
                row_uid,
                None if old is None else privacy.audit_json(ledger, old),
                None if new is None else privacy.audit_json(ledger, new),
                privacy.mask_ids_in_text(note) if note else note,
            ),
        )

    def log(self, action: str, note: str, ledger: str | None = None, row_id: int | None = None) -> None:
        """An audit entry for something that is not a row write (backup, reveal of an ID…)."""
        with self.transaction():
            self.audit(action, ledger, row_id, None, None, None, note)

    def audit_entries(self, limit: int = 200, offset: int = 0, ledger: str | None = None) -> list[dict]:
        where, params = ("WHERE ledger = ?", [ledger]) if ledger else ("", [])
        cur = self.conn.execute(
            f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset]
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]


__all__ = ["SCHEMA_VERSION", "Store", "StoreError", "ValidationError", "split_names", "year_bounds"]
