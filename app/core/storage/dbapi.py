"""Connections to database files, plain or encrypted.

A plain database is opened with Python's own ``sqlite3``; one with a password (``keys``) with
``sqlcipher3`` (SQLCipher 4, the same DB-API), keyed before its first read.  Both raise their
own exception classes, so code that catches database errors uses the tuples here
(``except dbapi.DatabaseError``), which hold both.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

import sqlcipher3.dbapi2 as sqlcipher

from app.core.storage import keys
from app.core.storage.common import StoreError

Error = (sqlite3.Error, sqlcipher.Error)
DatabaseError = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
OperationalError = (sqlite3.OperationalError, sqlcipher.OperationalError)
IntegrityError = (sqlite3.IntegrityError, sqlcipher.IntegrityError)


class PasswordRequired(StoreError):
    """An encrypted database and no key for it in this process (no password given)."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(
            f"数据库 {path.name} 设有密码：请先输入密码（命令行用环境变量 FAZHI_PASSWORD 提供密码或恢复码）。"
        )


class KeyFileMissing(StoreError):
    """An encrypted database whose key file (``….db.key``) is not beside it: without it the
    file cannot be opened, whatever the password (SQLite alone says "file is not a database")."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(
            f"数据库 {path.name} 已加密，但找不到它的密钥文件：应在 {keys.key_file(path)}（与数据库在同一文件夹）。"
            "请把密钥文件放回原处后再打开；没有它，密码也打不开这个数据库。"
        )


def looks_encrypted_without_key(path: Path) -> bool:
    """Not a plain SQLite file, whole 4 KiB pages as SQLCipher writes, and no key file beside
    it: an encrypted database whose ``.key`` was moved or deleted."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return size >= 4096 and size % 4096 == 0 and head != keys.SQLITE_HEADER and not keys.key_file(path).exists()


def keyed(conn: Any, data_key: bytes) -> Any:
    """Key a new ``sqlcipher3`` connection (before anything else reads the file)."""
    conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is ours to report, in Chinese
    conn.execute(f"PRAGMA key = {keys.sqlcipher_key(data_key)}")
    return conn


def connect(path: str | Path, *, key: bytes | None = None, uri: str | None = None, **kwargs: Any) -> Any:
    """A connection to ``path`` (or to ``uri``, a ``file:`` URI of it).

    ``key``: encrypt/decrypt with this data key (a new encrypted file is made this way);
    without one, an encrypted file is opened with the key this process unlocked, and a plain
    one with ``sqlite3``.  Raises ``PasswordRequired`` for an encrypted file still locked."""
    path = Path(path)
    if key is None and keys.is_encrypted(path):
        key = key_of(path)
    elif key is None and looks_encrypted_without_key(path):
        raise KeyFileMissing(path)
    target = uri if uri is not None else str(path)
    if uri is not None:
        kwargs["uri"] = True
    if key is None:
        return sqlite3.connect(target, **kwargs)
    return keyed(sqlcipher.connect(target, **kwargs), key)


def key_of(path: str | Path) -> bytes | None:
    """The data key ``path`` is encrypted with (None for a plain file); ``PasswordRequired``
    when it is encrypted and still locked."""
    path = Path(path)
    if not keys.is_encrypted(path):
        return None
    found = keys.known_keys(path)
    if not found:
        raise PasswordRequired(path)
    if len(found) > 1:  # a restore was interrupted between its key file and its swap
        for key in found:
            if _opens(path, key):
                return key
    return found[0]


def _opens(path: Path, key: bytes) -> bool:
    conn = keyed(sqlcipher.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True), key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        conn.close()


def is_cipher(conn: Any) -> bool:
    return isinstance(conn, sqlcipher.Connection)


def export(src: Any, dest: Path, dest_key: bytes | None) -> None:
    """Copy the database of ``src`` (a ``sqlcipher3`` connection) into a new file ``dest``
    under another key (or none): ``sqlcipher_export``, which re-encrypts every page, with
    the version numbers that it leaves out."""
    version = src.execute("PRAGMA user_version").fetchone()[0]
    app_id = src.execute("PRAGMA application_id").fetchone()[0]
    secret = keys.sqlcipher_key(dest_key) if dest_key is not None else "''"
    src.execute(f"ATTACH DATABASE ? AS export KEY {secret}", (str(dest),))
    try:
        src.execute("SELECT sqlcipher_export('export')")
        src.execute(f"PRAGMA export.user_version = {int(version)}")
        src.execute(f"PRAGMA export.application_id = {int(app_id)}")
    finally:
        src.execute("DETACH DATABASE export")


def readonly_uri(path: Path) -> str:
    """A read-only URI of a backup: ``immutable`` (read exactly this file, create nothing
    beside it: a USB stick may be locked), unless a log (``-wal``) lies beside it, as when
    a live database was copied with its log: then the log is read too (its rows are part
    of the data), which needs the folder to be writable for SQLite's ``-shm``."""
    wal = Path(f"{path}-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        return f"{file_uri(path)}?mode=ro"
    return f"{file_uri(path)}?mode=ro&immutable=1"


def export_from(dest: Any, src_path: Path, src_key: bytes | None) -> None:
    """Fill ``dest`` (an empty ``sqlcipher3`` connection, keyed) with the database in the
    file ``src_path`` (encrypted with ``src_key``, or plain): ``sqlcipher_export`` from it
    attached read-only, so the data is written only under ``dest``'s key, never in clear."""

    secret = keys.sqlcipher_key(src_key) if src_key is not None else "''"
    dest.execute(f"ATTACH DATABASE ? AS source KEY {secret}", (readonly_uri(src_path),))
    try:
        version = dest.execute("PRAGMA source.user_version").fetchone()[0]
        app_id = dest.execute("PRAGMA source.application_id").fetchone()[0]
        dest.execute("SELECT sqlcipher_export('main', 'source')")
        dest.execute(f"PRAGMA main.user_version = {int(version)}")
        dest.execute(f"PRAGMA main.application_id = {int(app_id)}")
    finally:
        dest.execute("DETACH DATABASE source")


def cipher_connect(path: str | Path, key: bytes | None, **kwargs: Any) -> Any:
    """A ``sqlcipher3`` connection even to a plain file (``sqlcipher_export`` needs one)."""
    conn = sqlcipher.connect(str(path), **kwargs)
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        conn.execute(f"PRAGMA key = {keys.sqlcipher_key(key)}")
    return conn


def file_uri(path: str | Path) -> str:
    """A SQLite ``file:`` URI for ``path`` (no ``file://`` authority part, so Windows UNC
    paths of a shared folder, ``\\\\server\\share\\ledgers.db``, work as well as ``C:\\...``)."""
    return "file:" + url_quote(os.path.abspath(path), safe="/\\:")


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection (keyed if the file is encrypted); in a read-only folder SQLite
    cannot make a WAL database's -shm file, so fall back to ``immutable`` (nobody can write
    there either)."""
    uri = file_uri(path)
    conn = connect(path, uri=f"{uri}?mode=ro", timeout=10)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except OperationalError:
        conn.close()
        wal = Path(f"{path}-wal")
        if not path.exists() or (wal.exists() and wal.stat().st_size > 0):
            raise  # immutable would ignore the log, and with it the latest saved rows
        return connect(path, uri=f"{uri}?mode=ro&immutable=1", timeout=10)
