"""The password of a database: it encrypts the file (``encryption``), and opens it.

With a password set, the database file, its log and its backups are encrypted (SQLCipher)
under a random key that the password, or the recovery code shown once when it was set,
unlocks (``keys``).  ``set_password`` encrypts, re-wraps or decrypts the file in place and
reconnects the store; it returns the recovery code when the file was just encrypted.  The
操作日志 records that a password was set, changed or cleared, never the password.

A store in memory (tests, previews) has no file to encrypt: there the password is only a
scrypt hash in the settings row ``password``, as in earlier versions, which also left that
row in files; ``clear_password(db_path)`` removes such a row (IT staff).  A password that
encrypts cannot be removed without the password or the recovery code: lose both and the
data is gone.
"""

from __future__ import annotations

import hmac
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.safety import encryption
from app.core.storage import dbapi, keys
from app.core.storage.common import StoreError, actor, now
from app.core.storage.kdf import scrypt
from app.core.storage.keys import SCRYPT_N, SCRYPT_P, SCRYPT_R, check_new_password

if TYPE_CHECKING:
    from app.core.storage.store import Store

SETTING = "password"
# scrypt cost as OWASP advises (N=2^17, r=8, p=1: 128 MiB of memory, ~0.5 s)
_N, _R, _P = SCRYPT_N, SCRYPT_R, SCRYPT_P


def _hash(text: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return scrypt(text, salt, n, r, p, 32)


def _stored(store: Store) -> dict[str, Any] | None:
    try:
        value = store.setting(SETTING)
    except ValueError:  # not JSON: no password we could check against
        return None
    return value if isinstance(value, dict) and value.get("hash") else None


def _encrypted(store: Store) -> bool:
    return store.path is not None and keys.is_encrypted(store.path)


def has_password(store: Store) -> bool:
    return _encrypted(store) or _stored(store) is not None


def set_password(store: Store, text: str | None) -> str | None:
    """Set, change or clear (``None`` or empty) the password; the recovery code when the
    file was just encrypted (show it once), else None."""
    if text:
        check_new_password(text)
    if store.path is not None:
        return _set_file_password(store, text)
    _set_hash(store, text)
    return None


def _set_file_password(store: Store, text: str | None) -> str | None:
    if store.readonly:
        raise StoreError("只读方式打开时不能设置密码。")
    if text and _encrypted(store):
        encryption.change_password(store.path, text)
        store.log("password", "修改密码")
        return None
    if not text and not _encrypted(store):
        _set_hash(store, None)  # a password row left by an earlier version
        return None
    code = None
    store.close()  # the file is swapped: no connection may stay on the old one
    try:
        if text:
            code = encryption.protect(store.path, text)
        else:
            encryption.unprotect(store.path)
    finally:
        store.reconnect()
    with store.transaction():
        store.conn.execute("DELETE FROM settings WHERE key = ?", (SETTING,))
        store.audit(
            "password",
            None,
            None,
            None,
            None,
            None,
            "设置密码：数据库文件及其备份已加密" if text else "清除密码：数据库文件已解密（已有的备份仍加密）",
        )
    return code


def _set_hash(store: Store, text: str | None) -> None:
    with store.transaction():
        if not text:
            store.conn.execute("DELETE FROM settings WHERE key = ?", (SETTING,))
            store.audit("password", None, None, None, None, None, "清除开机密码")
            return
        salt = os.urandom(16)
        value = {
            "algo": "scrypt",
            "n": _N,
            "r": _R,
            "p": _P,
            "salt": salt.hex(),
            "hash": _hash(text, salt, _N, _R, _P).hex(),
        }
        store.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (SETTING, json.dumps(value)),
        )
        store.audit("password", None, None, None, None, None, "设置开机密码")


def check_password(store: Store, text: str) -> bool:
    """True when ``text`` is the password (or the recovery code), or when none is set."""
    if _encrypted(store):
        try:
            encryption.unlock(store.path, text)
            return True
        except keys.WrongPassword:
            return False
    stored = _stored(store)
    if stored is None:
        return True
    try:
        expected = bytes.fromhex(stored["hash"])
        got = _hash(text or "", bytes.fromhex(stored["salt"]), int(stored["n"]), int(stored["r"]), int(stored["p"]))
    except (KeyError, ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, got)


def clear_password(db_path: str | Path) -> bool:
    """Remove the password from a database file (for IT staff); True if one was set.

    Works without opening the program's store, so it also works on a file another copy of
    the program has open; the removal is recorded in the 操作日志.
    """
    if not Path(db_path).is_file():
        raise StoreError(f"找不到数据库文件：{db_path}")
    conn = dbapi.connect(db_path, timeout=10)
    try:
        conn.isolation_level = None
        conn.execute("BEGIN IMMEDIATE")
        try:
            gone = conn.execute("DELETE FROM settings WHERE key = ?", (SETTING,)).rowcount > 0
            if gone:
                conn.execute(
                    "INSERT INTO audit (at, actor, action, note) VALUES (?, ?, 'password', ?)",
                    (now(), actor(), "信息化管理员清除开机密码"),
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return gone
    finally:
        conn.close()
