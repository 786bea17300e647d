"""Checking a database or a backup: is it sound, is it ours, what does it hold.

``verify_backup`` before a restore, ``backup_summary`` for the restore dialog,
``quick_check`` at start-up; all of them open files read-only (an encrypted one with the key
this process unlocked).  Re-exported by ``backup``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from app.core.ledgers import catalog
from app.core.storage import dbapi, keys
from app.core.storage.common import StoreError
from app.core.storage.dbapi import connect_readonly, readonly_uri
from app.core.storage.faults import fault_message
from app.core.storage.schema import APP_ID, MIGRATIONS, SCHEMA_VERSION

HEADER = b"SQLite format 3\x00"


def live_source(db_path: Path) -> sqlite3.Connection:
    """A connection to read the live database from (read-only if its folder is)."""
    if os.access(db_path.parent, os.W_OK) and os.access(db_path, os.W_OK):
        conn = dbapi.connect(db_path, timeout=10)
    else:
        conn = connect_readonly(db_path)
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def open_file_readonly(path: Path) -> sqlite3.Connection:
    conn = dbapi.connect(path, uri=readonly_uri(path))
    if "immutable" not in readonly_uri(path):
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except dbapi.OperationalError as exc:  # a read-only folder: the log cannot be read
            conn.close()
            raise StoreError(
                f"备份文件 {path.name} 旁有日志文件 {path.name}-wal（其中有最新的数据），但所在文件夹只读，无法读取："
                "请把这两个文件一起复制到可写的文件夹后再用。"
            ) from exc
    return conn


def verify_backup(file: str | Path) -> None:
    """Raise ``StoreError`` (Chinese reason) unless ``file`` is a sound database of ours that
    this version of the program can open."""
    file = Path(file)
    name = file.name
    if not file.is_file():
        raise StoreError(f"找不到备份文件：{file}")
    try:
        with open(file, "rb") as fh:
            head = fh.read(100)
        size = file.stat().st_size
    except OSError as exc:
        raise StoreError(f"无法读取备份文件 {name}：{fault_message(exc) or exc}") from exc
    encrypted = keys.is_encrypted(file)
    if encrypted:  # SQLCipher: every page encrypted, 4096 bytes each; the header is not readable
        if size < 4096 or size % 4096:
            raise StoreError(f"备份文件 {name} 不完整（可能复制时被中断），不能用来恢复。请换一个备份文件。")
    elif len(head) < 100 or head[:16] != HEADER:
        raise StoreError(f"{name} 不是数据库文件，不能用来恢复。请选择本程序生成的备份文件（.db）。")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if not encrypted and (page_size < 512 or (pages and size < pages * page_size) or size % page_size):
        raise StoreError(f"备份文件 {name} 不完整（可能复制时被中断），不能用来恢复。请换一个备份文件。")
    try:
        conn = open_file_readonly(file)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            ours = app_id == APP_ID or (app_id == 0 and {"settings", "audit"} <= tables and version > 0)
            if not ours:
                raise StoreError(f"{name} 不是本程序的数据库（可能是其他软件的文件），不能用来恢复。")
            if version > SCHEMA_VERSION:
                raise StoreError(f"{name} 由更新版本的程序生成（结构版本 {version}），请先升级本程序再恢复。")
            if version < 1 or any(step not in MIGRATIONS for step in range(version, SCHEMA_VERSION)):
                raise StoreError(f"{name} 的结构版本（{version}）无法识别，不能用来恢复。")
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except StoreError:
        raise
    except dbapi.DatabaseError as exc:
        raise StoreError(f"备份文件 {name} 已损坏（{exc}），不能用来恢复。请换一个备份文件。") from exc
    if result != "ok":
        raise StoreError(f"备份文件 {name} 已损坏（完整性检查：{result}），不能用来恢复。请换一个备份文件。")


def backup_summary(file: str | Path) -> dict:
    """What a backup holds, for the restore dialog: ``{"rows": {台账名称: n}, "total": n,
    "last_change": ISO time of its newest 操作日志 entry or None, "size": bytes}``.

    Call ``verify_backup`` first; this only reads."""
    file = Path(file)
    conn = open_file_readonly(file)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = {}
        for lg in catalog.LEDGERS:
            if lg.id in tables:
                n = conn.execute(f'SELECT COUNT(*) FROM "{lg.id}" WHERE deleted_at IS NULL').fetchone()[0]
                if n:
                    rows[lg.name] = n
        last = conn.execute("SELECT MAX(at) FROM audit").fetchone()[0] if "audit" in tables else None
    finally:
        conn.close()
    return {"rows": rows, "total": sum(rows.values()), "last_change": last, "size": file.stat().st_size}


def quick_check(db_path: str | Path, *, readonly: bool = False) -> bool:
    """``PRAGMA quick_check`` on the database (True for a file not created yet).

    ``readonly``: a read-only session's check, on a read-only connection (it must not
    recover a log or checkpoint into a file another program holds)."""
    db_path = Path(db_path)
    if not db_path.exists():
        return True
    try:
        with open(db_path, "rb") as fh:
            head = fh.read(16)
        if head and head != HEADER and not keys.is_encrypted(db_path):
            return False
        # a writable connection where possible: after a crash it rolls back a hot journal (or
        # recovers the WAL) as opening the store would; a read-only one would report damage
        conn = connect_readonly(db_path) if readonly else live_source(db_path)
        try:
            return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except (dbapi.PasswordRequired, dbapi.KeyFileMissing):
        return True  # not unlocked here (or its key file is away): not known to be damaged
    except (OSError, *dbapi.Error):
        return False
