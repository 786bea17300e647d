"""The key of an encrypted database, and the small file beside it that unlocks it.

A database with a password is a SQLCipher file encrypted with a random 256-bit key (the
*data key*).  Beside it, ``ledgers.db.key`` (JSON) holds that key wrapped twice: under a key
derived from the password and under one derived from the recovery code, so either unlocks
it.  Each wrapping: ``scrypt(secret, salt, N=2**17, r=8, p=1)`` gives 64 bytes, the first 32
are XORed with the data key and the last 32 authenticate ``salt‖wrapped`` (HMAC-SHA256);
each salt is random and used once, so the XOR pad is never reused.  A wrong secret fails the
HMAC check: the database is never opened with a wrong key.

Every copy (backup, before-restore copy, migration copy) is encrypted with the same data key
and gets a copy of the key file (``…db.key``), so the same password or recovery code opens it.
Lose both, and the data is gone: nobody (not the developers either) can decrypt it.

Keys the program has unlocked are kept in memory for the process (``remember``), found by
the file's key id, so every connection (worker threads, backups) opens without asking again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from app.core.storage.common import StoreError
from app.core.storage.kdf import scrypt

# OWASP's scrypt parameters: 128 MiB of memory, about half a second on an office PC
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SQLITE_HEADER = b"SQLite format 3\x00"
KEY_SUFFIX = ".key"

_KEYS: dict[str, bytes] = {}  # key id -> data key, for keys unlocked in this process


class WrongPassword(Exception):
    """The password (or recovery code) does not unlock this key file."""


def key_file(db_path: str | Path) -> Path:
    """``ledgers.db`` -> ``ledgers.db.key``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + KEY_SUFFIX)


def is_encrypted(db_path: str | Path) -> bool:
    """A file that is not plain SQLite and has a key file beside it.

    (A plain file with a key file left beside it is plain: setting or clearing the password
    was interrupted before or after the swap, and the key file is stale.)"""
    db_path = Path(db_path)
    try:
        with open(db_path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return len(head) == 16 and head != SQLITE_HEADER and key_file(db_path).is_file()


def key_id(data_key: bytes) -> str:
    return hashlib.sha256(b"fazhi-taizhang key id\x00" + data_key).hexdigest()[:32]


def _derive(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return scrypt(secret, salt, n, r, p, 64)


def _wrap(data_key: bytes, secret: str) -> dict[str, Any]:
    salt = os.urandom(16)
    kek = _derive(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    wrapped = bytes(a ^ b for a, b in zip(data_key, kek[:32], strict=True))
    mac = hmac.new(kek[32:], salt + wrapped, hashlib.sha256).digest()
    return {"n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt.hex(), "key": wrapped.hex(), "mac": mac.hex()}


def _unwrap(entry: dict[str, Any], secret: str) -> bytes | None:
    try:
        salt, wrapped, mac = (bytes.fromhex(entry[k]) for k in ("salt", "key", "mac"))
        kek = _derive(secret, salt, int(entry["n"]), int(entry["r"]), int(entry["p"]))
    except (KeyError, ValueError, TypeError):
        return None
    if not hmac.compare_digest(mac, hmac.new(kek[32:], salt + wrapped, hashlib.sha256).digest()):
        return None
    return bytes(a ^ b for a, b in zip(wrapped, kek[:32], strict=True))


# -- recovery codes -------------------------------------------------------------------------

_RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper


def new_recovery_code() -> str:
    """``ABCD-EFGH-…``: 24 characters in 6 groups (~118 bits), to print and keep."""
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(24))
    return "-".join(chars[i : i + 4] for i in range(0, 24, 4))


def normalise_recovery(code: str) -> str:
    """As typed (lower case, spaces, no dashes) -> ``ABCD-EFGH-…``."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# -- key files ----------------------------------------------------------------------------


def new_envelope(password: str) -> tuple[dict[str, Any], bytes, str]:
    """(key file content, data key, recovery code) for a database getting a password."""
    data_key = os.urandom(32)
    code = new_recovery_code()
    envelope = {
        "format": "fazhi-taizhang key file",
        "version": 1,
        "cipher": "sqlcipher4",
        "key_id": key_id(data_key),
        "password": _wrap(data_key, password),
        "recovery": _wrap(data_key, code),
    }
    return envelope, data_key, code


def rewrap_password(envelope: dict[str, Any], data_key: bytes, password: str) -> dict[str, Any]:
    """The same data key and recovery code under a new password."""
    return {**envelope, "password": _wrap(data_key, password)}


def read_envelope(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        value = json.load(fh)
    if not isinstance(value, dict) or "key_id" not in value:
        raise ValueError("not a key file")
    return value


def write_envelope(path: str | Path, envelope: dict[str, Any]) -> None:
    """Write a key file atomically (temporary file, fsync, replace)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(envelope, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def merged(new: dict[str, Any] | None, old: dict[str, Any] | None) -> dict[str, Any] | None:
    """A key file that unlocks both keys: written while a file changes from one to the other
    (a restore), so a crash in between leaves a file its key file still opens."""
    if new is None or old is None or old.get("key_id") == new.get("key_id"):
        return new or old
    return {**new, "previous": [_strip(old)]}


def _strip(envelope: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in envelope.items() if k != "previous"}


def _all(envelope: dict[str, Any]) -> list[dict[str, Any]]:
    return [_strip(envelope), *[e for e in envelope.get("previous", []) if isinstance(e, dict)]]


def unlock(envelope: dict[str, Any], secret: str) -> bytes:
    """The data key, with the password or the recovery code; remembered for this process."""
    found = None
    for one in _all(envelope):
        for which, text in (("password", secret or ""), ("recovery", normalise_recovery(secret or ""))):
            entry = one.get(which)
            if isinstance(entry, dict) and text:
                data_key = _unwrap(entry, text)
                if data_key is not None and key_id(data_key) == one.get("key_id"):
                    remember(data_key)
                    found = found or data_key
                    break
    if found is None:
        raise WrongPassword()
    return found


# -- keys this process knows --------------------------------------------------------------


def remember(data_key: bytes) -> None:
    _KEYS[key_id(data_key)] = data_key


def forget_all() -> None:
    _KEYS.clear()


def known_keys(db_path: str | Path) -> list[bytes]:
    """The data keys of an encrypted file's key file this process has unlocked (two only
    while a restore swaps files: then one of them opens it)."""
    try:
        envelope = read_envelope(key_file(db_path))
    except (OSError, ValueError):
        return []
    return [_KEYS[str(one.get("key_id"))] for one in _all(envelope) if str(one.get("key_id")) in _KEYS]


def envelope_of(db_path: str | Path) -> dict[str, Any] | None:
    try:
        return read_envelope(key_file(db_path))
    except (OSError, ValueError):
        return None


def sqlcipher_key(data_key: bytes) -> str:
    """The ``PRAGMA key`` value: a raw key (no SQLCipher key derivation: ours is scrypt)."""
    return f"\"x'{data_key.hex()}'\""


MIN_LENGTH = 8  # characters (a 汉字 counts as one): for a new password, never when opening


def too_short(text: str | None, what: str = "密码") -> str | None:
    """The one Chinese line refusing a new password (of the database or of a data pack)
    shorter than ``MIN_LENGTH``; None when it is long enough.  Opening a file made with an
    older, shorter password still works: this is asked only when a password is set."""
    if text is not None and len(text) < MIN_LENGTH:
        return f"{what}至少要有 {MIN_LENGTH} 个字符（现在 {len(text)} 个），请换一个更长的{what}。"
    return None


def check_new_password(text: str | None, what: str = "密码") -> None:
    """Raise ``StoreError`` with ``too_short``'s line when ``text`` is too short."""
    message = too_short(text, what)
    if message:
        raise StoreError(message)
