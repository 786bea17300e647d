"""Setting and clearing the password: the database file re-encrypted in place, crash-safely.

``protect`` encrypts a plain database under a new random key (``keys``) and returns the
recovery code (shown once); ``change_password`` re-wraps the same key under a new password;
``unprotect`` writes the data back as a plain file.  Each writes the new file beside the old
one (``sqlcipher_export``), checks and fsyncs it, then swaps it in with one ``os.replace``:
killed at any moment, the database is the old file or the new one, never half of each.  The
key file is written before an encrypted file takes the place of a plain one and removed after
a plain one takes the place of an encrypted one, so an encrypted file never lacks its key
file (a plain file beside a stale key file is plain: ``keys.is_encrypted``).

``protect`` also encrypts the copies of the plain data already made (backups, the copies
before a restore or a migration): a password that left them in clear would protect nothing.

The caller holds the database's lock and has closed every connection to it.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.core.safety.backup import backups_dir
from app.core.storage import dbapi, keys
from app.core.storage.common import StoreError
from app.core.storage.files import fsync_dir, fsync_file, retire_wal, temp_beside
from app.core.storage.keys import check_new_password

WRONG = "密码或恢复码不正确。"


def unlock(db_path: str | Path, secret: str | None) -> bytes | None:
    """Unlock an encrypted database (or backup) for this process; None for a plain file.

    Raises ``keys.WrongPassword`` when ``secret`` (password or recovery code) does not open it."""
    db_path = Path(db_path)
    if not keys.is_encrypted(db_path):
        return None
    envelope = keys.envelope_of(db_path)
    if envelope is None:
        raise keys.WrongPassword()
    return keys.unlock(envelope, secret or "")


def opens(db_path: str | Path, secret: str) -> bool:
    """Whether ``secret`` unlocks the file (it stays unlocked for this process if so)."""
    try:
        unlock(db_path, secret)
        return True
    except keys.WrongPassword:
        return False


def _export_checked(
    src_path: Path, src_key: bytes | None, tmp: Path, dest_key: bytes | None, check: str, **connect: float
) -> str:
    """``src_path`` (under ``src_key``) written into ``tmp`` under ``dest_key``; what SQLite's
    ``PRAGMA {check}`` then says of ``tmp`` ("ok" when whole)."""
    src = dbapi.cipher_connect(src_path, src_key, **connect)
    try:
        dbapi.export(src, tmp, dest_key)
    finally:
        src.close()
    conn = dbapi.cipher_connect(tmp, dest_key)
    try:
        return conn.execute(f"PRAGMA {check}").fetchone()[0]
    finally:
        conn.close()


def _rewrite(db_path: Path, tmp: Path, src_key: bytes | None, dest_key: bytes | None) -> None:
    """Write the database into ``tmp`` under ``dest_key``, checked and on disk."""

    for stale in (tmp, *(Path(f"{tmp}{s}") for s in ("-journal", "-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    retire_wal(db_path)  # the whole database in the one file, no log beside it
    result = _export_checked(db_path, src_key, tmp, dest_key, "integrity_check", timeout=10)
    if result != "ok":
        tmp.unlink(missing_ok=True)
        raise StoreError(f"加密后的数据库检查未通过（{result}），数据没有改动。")
    fsync_file(tmp)


def _swap(tmp: Path, db_path: Path) -> None:
    try:
        os.replace(tmp, db_path)
    except PermissionError as exc:  # Windows: another program has the file open
        tmp.unlink(missing_ok=True)
        raise StoreError("数据库文件正被其他程序打开，无法加密或解密，数据没有改动。请关闭其他程序后再试。") from exc
    fsync_dir(db_path.parent)


def protect(db_path: str | Path, password: str) -> str:
    """Encrypt a plain database (and its copies) under ``password``; returns the recovery code."""
    db_path = Path(db_path)
    if not password:
        raise StoreError("密码不能为空。")
    check_new_password(password)
    if keys.is_encrypted(db_path):
        raise StoreError("数据库已设有密码；要修改密码，请先用现有密码打开。")
    envelope, data_key, code = keys.new_envelope(password)
    keys.remember(data_key)
    tmp = temp_beside(db_path, "encrypt")
    try:
        _rewrite(db_path, tmp, None, data_key)
        keys.write_envelope(keys.key_file(db_path), envelope)  # first: the file is still plain
        _swap(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    encrypt_copies(db_path)
    return code


def change_password(db_path: str | Path, password: str) -> None:
    """A new password for an encrypted, unlocked database (its recovery code stays)."""
    db_path = Path(db_path)
    if not password:
        raise StoreError("密码不能为空。")
    check_new_password(password)
    data_key = dbapi.key_of(db_path)
    envelope = keys.envelope_of(db_path)
    if data_key is None or envelope is None:
        raise StoreError("数据库没有设密码。")
    keys.write_envelope(keys.key_file(db_path), keys.rewrap_password(envelope, data_key, password))


def unprotect(db_path: str | Path) -> None:
    """Write an encrypted, unlocked database back as a plain file (its copies stay encrypted:
    they open with the password or recovery code they were made with)."""
    db_path = Path(db_path)
    data_key = dbapi.key_of(db_path)
    if data_key is None:
        keys.key_file(db_path).unlink(missing_ok=True)
        return
    tmp = temp_beside(db_path, "decrypt")
    try:
        _rewrite(db_path, tmp, data_key, None)
        _swap(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    keys.key_file(db_path).unlink(missing_ok=True)  # last: the file is plain now


def plain_copies(db_path: str | Path) -> list[Path]:
    """The plain copies of this database the program knows of: its backups folder and the
    copies made before a migration.  With a password set, ``encrypt_copies`` encrypts them;
    one still listed afterwards could not be encrypted (a damaged raw copy) and is reported."""

    db_path = Path(db_path)
    stem = db_path.stem
    found: list[Path] = []
    folder = backups_dir(db_path)
    if folder.is_dir():
        found += [p for p in folder.glob(f"{stem}-*.db") if p.is_file()]
    found += [p for p in db_path.parent.glob(f"{stem}.v*.bak") if p.is_file()]
    return [p for p in found if not keys.is_encrypted(p) and _is_sqlite(p)]


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == keys.SQLITE_HEADER
    except OSError:
        return False


_SIDES = ("-wal", "-shm", "-journal")


def encrypt_copies(db_path: str | Path) -> list[Path]:
    """Encrypt the plain copies of an encrypted database (backups, before-restore, damaged
    and migration copies) with its key; each is swapped in place like the database.

    A copy with its log beside it (a raw copy of a damaged database keeps its ``-wal`` or
    ``-journal``) is read with the log, as SQLite would open it, and the log goes once the
    encrypted copy holds its content.  A copy that cannot be read stays as it is: ask
    ``plain_copies`` afterwards and say so (nothing is skipped silently)."""
    db_path = Path(db_path)
    data_key = dbapi.key_of(db_path)
    envelope = keys.envelope_of(db_path)
    if data_key is None or envelope is None:
        return []
    done = []
    for copy in plain_copies(db_path):
        tmp = copy.with_name(f".{copy.name}.encrypt-{os.getpid()}.tmp")
        try:
            result = _export_checked(copy, None, tmp, data_key, "quick_check")
            if result != "ok":
                raise StoreError(result)
            fsync_file(tmp)
            keys.write_envelope(keys.key_file(copy), envelope)
            os.replace(tmp, copy)
            for side in _SIDES:  # the plain log of a copy now encrypted: its content is inside
                Path(f"{copy}{side}").unlink(missing_ok=True)
            done.append(copy)
        except (OSError, StoreError, *dbapi.Error):
            for stale in (tmp, *(Path(f"{tmp}{s}") for s in _SIDES)):
                stale.unlink(missing_ok=True)
    return done


def plain_backups_elsewhere(db_path: str | Path) -> list[Path]:
    """Plain backups made outside the backups folder (``backup --to``, 备份到…) that are still
    where the 操作日志 says: the program does not touch files the clerk put elsewhere (a USB
    stick), so they stay in clear until deleted; restored, they are re-encrypted."""
    db_path = Path(db_path)
    try:
        conn = dbapi.connect(db_path, timeout=5)
        try:
            notes = [r[0] for r in conn.execute("SELECT note FROM audit WHERE action = 'backup'")]
        finally:
            conn.close()
    except (OSError, StoreError, *dbapi.Error):
        return []
    known = {p.resolve() for p in plain_copies(db_path)}
    found: list[Path] = []
    for note in notes:
        where = Path(str(note or "").partition("：")[2].strip())
        if not where.is_absolute() or where in found:
            continue
        if where.is_file() and where.resolve() not in known and _is_sqlite(where) and not keys.is_encrypted(where):
            found.append(where)
    return found


def copies_left_message(db_path: str | Path) -> str | None:
    """One Chinese line naming the plain copies ``encrypt_copies`` could not encrypt, and the
    plain backups the clerk made elsewhere (``plain_backups_elsewhere``)."""
    if not keys.is_encrypted(db_path):
        return None
    left = plain_copies(db_path)
    elsewhere = plain_backups_elsewhere(db_path)
    parts = []
    if left:
        names = "、".join(str(p) for p in left)
        parts.append(f"以下副本无法读取，没有加密，仍以明文保存（请检查后删除或妥善保管）：{names}")
    if elsewhere:
        names = "、".join(str(p) for p in elsewhere)
        parts.append(
            f"以下备份在备份文件夹之外，仍以明文保存（不再需要请删除；用它恢复时会用现在的密码重新加密）：{names}"
        )
    return "注意：" + "；".join(parts) if parts else None
