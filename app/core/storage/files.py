"""Files beside a database: flushing them to disk, the log beside it, and the temporary
copies a killed restore or password change leaves (``.ledgers.db.KIND-PID.tmp``)."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.storage import dbapi
from app.core.storage.common import StoreError


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename just made in it) to disk, where the system can.

    Errors are swallowed on purpose: it is called after ``os.replace`` has already put the
    new file in place, so the operation has happened; a folder that cannot be opened or
    synced (Windows, some network shares) must not make it look failed to the caller.
    """
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_beside(db_path: Path, kind: str) -> Path:
    """The temporary file this process writes beside ``db_path`` for a ``kind`` of rewrite."""
    return db_path.with_name(f".{db_path.name}.{kind}-{os.getpid()}.tmp")


def leftovers(db_path: str | Path, kind: str) -> list[Path]:
    """Temporary files of a ``kind`` of rewrite of ``db_path`` (any process) that was killed."""
    db_path = Path(db_path)
    return list(db_path.parent.glob(f".{db_path.name}.{kind}-*.tmp*"))


def retire_wal(db_path: Path) -> None:
    """Fold the write-ahead log into the file and remove -wal/-shm, so the swapped-in file
    cannot be paired with the old log."""
    if db_path.exists():
        try:
            conn = dbapi.connect(db_path, timeout=2)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            finally:
                conn.close()
        except dbapi.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError("数据库正被其他程序使用，无法恢复。请关闭所有打开本数据库的程序后再试。") from exc
            mode = "damaged"
        except dbapi.DatabaseError:
            mode = "damaged"  # its raw copy (with -wal) was kept by _safety_copy
        if mode.lower() not in ("delete", "damaged"):
            raise StoreError("数据库正被其他程序使用，无法恢复。请关闭所有打开本数据库的程序后再试。")
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(f"{db_path}{suffix}")
        if side.exists():
            side.unlink()


def log_files_exist(path: Path) -> bool:
    """Whether a ``-wal`` or ``-shm`` is beside the database (some connection has it open,
    or one left them)."""
    return any(Path(f"{path}{side}").exists() for side in ("-wal", "-shm"))


def tidy_log_files(path: Path) -> None:
    """Remove the ``-wal``/``-shm`` a read-only connection left beside a closed database.

    A read-only connection cannot remove them itself.  A brief connection that only reads
    (``query_only``) and closes as the last one lets SQLite do it: it checkpoints the empty
    log and deletes both, and only when no other connection has the database open (SQLite's
    own locks decide, so a window or another command using it keeps its files).  In a
    read-only folder, or for a database still locked by a password, nothing happens."""
    if not path.is_file() or not log_files_exist(path):
        return
    try:
        conn = dbapi.connect(path, timeout=0)
        try:
            conn.execute("PRAGMA query_only=ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except (OSError, StoreError, *dbapi.Error):
        pass
