"""Backups and restore of the one database file.

Where: the setting ``backup_dir`` if set (relative to the database's folder), else a
``backups`` folder beside the database — for the default database that is
``%LOCALAPPDATA%\\FazhiTaizhang\\backups``.  Names, so several databases can share a folder::

    ledgers-20240305-101500.db              a backup made on request (never rotated)
    ledgers-auto-2024-03-05.db              the automatic daily backup (rotated)
    ledgers-before-restore-20240305-1015.db the data as it was just before a restore
    ledgers-damaged-20240305-101500.db      a raw copy of a database too damaged to back up

A backup is made with SQLite's online backup API from a separate connection (safe while the
program writes), into a temporary file that only becomes the backup once ``PRAGMA
integrity_check`` says ok.  A backup is a single self-contained file (journal mode DELETE).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

from app.core.paths import check_output_path
from app.core.safety import lock
from app.core.safety.backup_check import live_source, open_file_readonly, verify_backup
from app.core.storage import dbapi, keys
from app.core.storage.common import StoreError, actor, now
from app.core.storage.dbapi import connect_readonly, file_uri
from app.core.storage.faults import fault_message
from app.core.storage.files import fsync_dir, fsync_file, leftovers, log_files_exist, retire_wal, tidy_log_files
from app.core.storage.store import Store

KEEP_DAILY = 30
KEEP_MONTHLY = 12
_AUTO_RE = r"-auto-(\d{4}-\d{2}-\d{2})\.db$"


class CorruptDatabase(StoreError):
    """The database itself fails its integrity check."""


# -- where --------------------------------------------------------------------------------


def _read_setting(db_path: Path, key: str) -> str | None:
    if not db_path.is_file():
        return None
    had_log = log_files_exist(db_path)
    try:
        conn = connect_readonly(db_path)
    except (*dbapi.Error, StoreError):  # damaged, or encrypted and still locked
        return None
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    except dbapi.Error:
        return None
    finally:
        conn.close()
        if not had_log:  # a read-only connection leaves -wal/-shm behind: not here
            tidy_log_files(db_path)
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def backups_dir(db_path: str | Path) -> Path:
    """The folder backups of ``db_path`` go to (not created here)."""
    db_path = Path(db_path)
    configured = (_read_setting(db_path, "backup_dir") or "").strip()
    if configured:
        folder = Path(os.path.expandvars(os.path.expanduser(configured)))
        return folder if folder.is_absolute() else db_path.parent / folder
    return db_path.parent / "backups"


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _free_name(folder: Path, base: str) -> Path:
    path = folder / f"{base}.db"
    n = 2
    while path.exists():
        path = folder / f"{base}-{n}.db"
        n += 1
    return path


def list_backups(db_path: str | Path) -> list[Path]:
    """Every backup of this database in its backup folder, newest first."""
    db_path = Path(db_path)
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    kinds = r"(\d{8}-\d{6}|auto-\d{4}-\d{2}-\d{2}|before-restore-\d{8}-\d{6})(-\d+)?"
    pattern = re.compile(rf"^{re.escape(db_path.stem)}-{kinds}\.db$")
    found = [p for p in folder.iterdir() if pattern.match(p.name) and p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


# -- making backups -----------------------------------------------------------------------


def _fault(exc: BaseException, what: str) -> StoreError:
    return StoreError(f"{what}失败：{fault_message(exc) or exc}")


def _copy_verified(
    src: sqlite3.Connection | tuple[Path, bytes | None],
    dest: Path,
    *,
    audit_note: str | None = None,
    key: bytes | None = None,
) -> None:
    """Copy ``src`` into ``dest`` through a temporary file; it appears only once verified.

    ``key``: the data key the copy is encrypted with.  ``src`` is either a connection
    encrypted with that same key (copied page by page, SQLite's backup API), or a file and
    the key it is encrypted with (None: plain), re-encrypted into the copy page by page
    (``sqlcipher_export``): the copy is never written in clear when ``key`` is set."""
    tmp = _tmp_of(dest)
    try:
        # a URI connection: ``export_from`` attaches its source read-only by URI
        dst = dbapi.connect(tmp, key=key, uri=file_uri(tmp) if isinstance(src, tuple) else None)
        try:
            if isinstance(src, tuple):
                dbapi.export_from(dst, *src)
            else:
                src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            if audit_note is not None:
                dst.execute(
                    "INSERT INTO audit (at, actor, action, note) VALUES (?, ?, 'restore_backup', ?)",
                    (now(), actor(), audit_note),
                )
                dst.commit()
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
        if result != "ok":
            raise CorruptDatabase(
                f"数据库完整性检查未通过（{result}），备份没有生成。请从较早的备份恢复，或联系信息化管理员。"
            )
        fsync_file(tmp)
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except BaseException:
        for leftover in (tmp, *(Path(f"{tmp}{s}") for s in ("-journal", "-wal", "-shm"))):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
        raise


def _log(db_path: Path, action: str, note: str) -> None:
    """Best effort: an audit entry in the live database, written as every writer writes:
    holding its lock (this program's, or taken for the moment).  While another program
    holds the lock, the backup only read the database, and nothing is written into it."""
    if lock.held_here(db_path):
        _write_log(db_path, action, note)
        return
    try:
        with lock.acquire(db_path):
            _write_log(db_path, action, note)
    except (lock.DatabaseInUse, lock.LockUnavailable):
        pass  # another program has it open (or the folder is read-only): no entry


def _write_log(db_path: Path, action: str, note: str) -> None:
    try:
        conn = dbapi.connect(db_path, timeout=5)
        conn.isolation_level = None
        try:
            conn.execute("PRAGMA busy_timeout=5000")
            Store(conn, db_path).log(action, note)
        finally:
            conn.close()
    except (*dbapi.Error, StoreError, OSError):
        pass


def make_backup(db_path: str | Path, dest: str | Path | None = None, *, note: str = "备份") -> Path:
    """Back up ``db_path`` (to ``dest``, or a new file in ``backups_dir``); returns the file.

    Raises ``StoreError`` with a Chinese reason (``CorruptDatabase`` if the data fails its
    integrity check); a failed backup leaves no file behind.
    """
    db_path = Path(db_path)
    if not db_path.is_file():
        raise StoreError(f"找不到数据库文件：{db_path}")
    if dest is None:
        folder = backups_dir(db_path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _fault(exc, f"创建备份文件夹 {folder} ") from exc
        dest = _free_name(folder, f"{db_path.stem}-{_stamp()}")
    dest = Path(dest)
    check_output_path(db_path, dest)  # not the database, nor its log, key file or lock
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        key = dbapi.key_of(db_path)  # a backup of an encrypted database is encrypted
        src = live_source(db_path)
        try:
            if key is not None:  # the key file first: a backup is never without one
                keys.write_envelope(keys.key_file(dest), keys.envelope_of(db_path))
            _copy_verified(src, dest, key=key)
        finally:
            src.close()
            if not dest.exists():
                keys.key_file(dest).unlink(missing_ok=True)
    except StoreError:
        raise
    except (OSError, *dbapi.Error) as exc:
        if isinstance(exc, dbapi.DatabaseError) and fault_message(exc) is None:
            raise CorruptDatabase(f"数据库无法读取（{exc}），备份没有生成。请从较早的备份恢复。") from exc
        raise _fault(exc, "备份") from exc
    _log(db_path, "backup", f"{note}：{dest.absolute()}")  # where it is, whatever the folder it was made from
    return dest


def auto_backup(db_path: str | Path, today: dt.date | None = None) -> Path | None:
    """The daily automatic backup (called when the program closes): at most one a day.

    Returns the new backup, or None when today's exists (or there is no database yet).
    Rotates afterwards: keeps the last ``KEEP_DAILY`` daily and ``KEEP_MONTHLY`` monthly.
    """
    db_path = Path(db_path)
    if not db_path.is_file():
        return None
    today = today or dt.date.today()
    folder = backups_dir(db_path)
    dest = folder / f"{db_path.stem}-auto-{today.isoformat()}.db"
    if dest.exists():
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fault(exc, "自动备份") from exc
    made = make_backup(db_path, dest, note="自动备份")
    rotate(db_path)
    return made


def rotate(db_path: str | Path, keep_daily: int = KEEP_DAILY, keep_monthly: int = KEEP_MONTHLY) -> list[Path]:
    """Delete automatic backups beyond the last ``keep_daily`` days and the newest backup of
    each of the last ``keep_monthly`` months.  Other backups are never touched."""
    db_path = Path(db_path)
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    pattern = re.compile(rf"^{re.escape(db_path.stem)}{_AUTO_RE}")
    dated: list[tuple[str, Path]] = []
    for p in folder.iterdir():
        m = pattern.match(p.name)
        if m:
            dated.append((m.group(1), p))
    dated.sort(reverse=True)
    keep = {d for d, _ in dated[:keep_daily]}
    months: dict[str, str] = {}
    for d, _ in dated:  # newest first: the first seen in a month is its newest
        months.setdefault(d[:7], d)
    keep.update(sorted(months.values(), reverse=True)[:keep_monthly])
    removed = []
    # temporary files of backups that were killed halfway (an hour is far longer than a backup)
    for p in folder.glob(".*.tmp"):
        try:
            if p.stat().st_mtime < dt.datetime.now().timestamp() - 3600:
                p.unlink()
        except OSError:
            pass
    for d, p in dated:
        if d not in keep:
            try:
                p.unlink()
                keys.key_file(p).unlink(missing_ok=True)  # an encrypted backup's key file
                removed.append(p)
            except OSError:
                pass
    return removed


def latest_good_backup(db_path: str | Path) -> Path | None:
    """The newest backup of this database that passes ``verify_backup``."""
    for path in list_backups(db_path):
        try:
            verify_backup(path)
        except StoreError:
            continue
        return path
    return None


# -- restore ------------------------------------------------------------------------------


def _safety_copy(db_path: Path) -> Path:
    """Keep the current data before a restore: a verified backup, or a raw copy if damaged."""
    folder = backups_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fault(exc, "恢复前备份当前数据") from exc
    try:
        return make_backup(db_path, _free_name(folder, f"{db_path.stem}-before-restore-{_stamp()}"), note="恢复前备份")
    except CorruptDatabase:
        pass
    raw = _free_name(folder, f"{db_path.stem}-damaged-{_stamp()}")
    try:
        shutil.copy2(db_path, raw)
        if keys.key_file(db_path).exists():
            shutil.copy2(keys.key_file(db_path), keys.key_file(raw))
        # the log or rollback journal belongs to the data: retire_wal removes them next
        for suffix in ("-wal", "-shm", "-journal"):
            side = Path(f"{db_path}{suffix}")
            if side.exists():
                shutil.copy2(side, Path(f"{raw}{suffix}"))
    except OSError as exc:
        raise _fault(exc, "恢复前备份当前数据") from exc
    return raw


def restore(db_path: str | Path, backup_file: str | Path) -> Path | None:
    """Replace the database with ``backup_file``; returns the backup of the data replaced.

    Checks the file first (a bad one is refused, nothing changed), backs up the current
    data, then swaps the file in atomically.  Every connection to the database must be
    closed first; the caller either holds the database's lock or it is free (else
    ``lock.DatabaseInUse``).  The restored database gets a ``restore_backup`` entry in its 操作日志.
    """
    db_path = Path(db_path)
    backup_file = Path(backup_file)
    verify_backup(backup_file)
    if db_path.exists() and backup_file.resolve() == db_path.resolve():
        raise StoreError("不能用数据库文件本身恢复，请选择一个备份文件。")
    if lock.held_here(db_path):
        return _restore(db_path, backup_file)
    with lock.acquire(db_path):
        return _restore(db_path, backup_file)


def _tmp_of(dest: Path) -> Path:
    """The temporary file ``_copy_verified`` writes before it becomes ``dest``."""
    return dest.with_name(f".{dest.name}.{os.getpid()}.tmp")


def restore_leftovers(db_path: str | Path) -> list[Path]:
    """Temporary files of a restore of ``db_path`` that was killed: the copy being swapped
    in (``.ledgers.db.restore-PID.tmp``) and the verified copy being made of it
    (``..ledgers.db.restore-PID.tmp.PID.tmp``), with their journals."""
    db_path = Path(db_path)
    # and those of a password change (``safety.encryption`` names them so)
    found = [p for kind in ("encrypt", "decrypt") for p in leftovers(db_path, kind) if p.is_file()]
    for pattern in (f".{db_path.name}.restore-*.tmp*", f"..{db_path.name}.restore-*.tmp*"):
        found.extend(p for p in db_path.parent.glob(pattern) if p.is_file())
    return found


def clean_leftovers(db_path: str | Path) -> list[Path]:
    """Remove what a killed restore left beside the database.  Call it holding the lock
    (the program does when it starts): a restore in progress holds the lock, so whatever
    is found then was left by one that was killed."""
    removed = []
    for stale in restore_leftovers(db_path):
        try:
            stale.unlink()
            removed.append(stale)
        except OSError:
            pass
    return removed


def _restore(db_path: Path, backup_file: Path) -> Path | None:
    clean_leftovers(db_path)  # we hold the lock
    safety = _safety_copy(db_path) if db_path.exists() else None
    tmp = db_path.with_name(f".{db_path.name}.restore-{os.getpid()}.tmp")
    note = f"从备份恢复：{backup_file}" + (f"；恢复前的数据已备份到 {safety}" if safety else "")
    try:
        backup_key = dbapi.key_of(backup_file)
        # A database with a password stays encrypted with its own key, whatever the backup
        # was made with (before the password, or under an older one): its key file is
        # untouched and the backup's data is re-encrypted into the copy swapped in.
        live_key = dbapi.key_of(db_path) if db_path.exists() else None
        key = live_key if live_key is not None else backup_key
        if key != backup_key:
            note += "；已用本数据库现在的密码重新加密"
            _copy_verified((backup_file, backup_key), tmp, audit_note=note, key=key)
        else:
            src = open_file_readonly(backup_file)
            try:
                _copy_verified(src, tmp, audit_note=note, key=key)
            finally:
                src.close()
        retire_wal(db_path)
        if live_key is None and key is not None:  # both keys unlock the key file until the swap is done
            keys.write_envelope(
                keys.key_file(db_path), keys.merged(keys.envelope_of(backup_file), keys.envelope_of(db_path))
            )
        try:
            os.replace(tmp, db_path)
        except PermissionError as exc:  # Windows: someone (a read-only viewer) has the file open
            raise StoreError(
                "数据库文件正被其他程序打开，无法替换，数据没有改动。请关闭所有打开本数据库的程序（包括只读查看的）后再试。"
            ) from exc
        fsync_dir(db_path.parent)
        if key is None:
            keys.key_file(db_path).unlink(missing_ok=True)  # a plain file now: the key file is stale
        elif live_key is None:
            keys.write_envelope(keys.key_file(db_path), keys.envelope_of(backup_file))
    except StoreError:
        tmp.unlink(missing_ok=True)
        raise
    except (OSError, *dbapi.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise _fault(exc, "恢复") from exc
    return safety
