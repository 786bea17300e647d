"""An optional password asked when the program opens.

It guards the *program*, not the file: the database stays an ordinary SQLite file (so a
forgotten password can never lose data).  Only a scrypt hash with a random salt is stored,
in the settings row ``password``; the 操作日志 records that it was set or cleared, never the
hash.  Recovery (README, "For IT staff"): ``clear_password(db_path)``, or with any SQLite
tool ``DELETE FROM settings WHERE key = 'password';``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Store

SETTING = "password"
# scrypt cost: 16 MiB of memory, ~50 ms on an office PC
_N, _R, _P = 2**14, 8, 1


def _hash(text: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(text.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def _stored(store: Store) -> dict[str, Any] | None:
    row = store.conn.execute("SELECT value FROM settings WHERE key = ?", (SETTING,)).fetchone()
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except ValueError:
        return None
    return value if isinstance(value, dict) and value.get("hash") else None


def has_password(store: Store) -> bool:
    return _stored(store) is not None


def set_password(store: Store, text: str | None) -> None:
    """Set the opening password, or clear it with ``None`` (or an empty text)."""
    with store.transaction():
        if not text:
            store.conn.execute("DELETE FROM settings WHERE key = ?", (SETTING,))
            store._audit("password", None, None, None, None, None, "清除开机密码")
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
        store._audit("password", None, None, None, None, None, "设置开机密码")


def check_password(store: Store, text: str) -> bool:
    """True when ``text`` is the password, or when none is set."""
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
    from .store import StoreError, now

    if not Path(db_path).is_file():
        raise StoreError(f"找不到数据库文件：{db_path}")
    from . import dbapi

    conn = dbapi.connect(db_path, timeout=10)
    try:
        conn.isolation_level = None
        conn.execute("BEGIN IMMEDIATE")
        try:
            gone = conn.execute("DELETE FROM settings WHERE key = ?", (SETTING,)).rowcount > 0
            if gone:
                conn.execute(
                    "INSERT INTO audit (at, actor, action, note) VALUES (?, ?, 'password', ?)",
                    (now(), _actor(), "信息化管理员清除开机密码"),
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return gone
    finally:
        conn.close()


def _actor() -> str:
    from .store import _actor as actor

    return actor()
