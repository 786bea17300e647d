"""One writer per database: a lock file beside it that says who has it open.

``ledgers.db.lock`` holds JSON ``{user, host, pid, since}`` and, while the program runs, an
operating-system lock on one byte of it (``flock`` on POSIX, ``msvcrt.locking`` on Windows,
which a Windows file server enforces for every PC on a shared folder).  The OS drops that
lock when the process dies, however it dies, so a lock file left by a crash is recognised as
stale: the next ``acquire`` takes it over (and reports ``stale_holder``).  The JSON is only
there to tell a second user *who* has the database open.

The file is emptied, not deleted, on release: deleting a lock file lets a third process lock
a fresh file while a second still waits on the old one.
"""

from __future__ import annotations

import atexit
import datetime as dt
import getpass
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

from app.core.storage.common import StoreError
from app.core.storage.faults import READ_ONLY, fault_message, writable

# Windows locks byte ranges and refuses reads of a locked range, so lock a byte far past the
# JSON: others can still read who holds it.
_LOCK_OFFSET = 1 << 30

# locks held by this process, by resolved database path (this also keeps each alive until
# released; the OS drops them when the process ends, however it ends)
_HELD: dict[str, DbLock] = {}


class DatabaseInUse(Exception):
    """Another live program has the database open.  ``holder`` says who, in Chinese."""

    def __init__(self, holder: str, info: dict[str, Any] | None = None):
        self.holder = holder
        self.info = info or {}
        super().__init__(
            f"数据库正由{holder}打开。为避免两人同时修改造成混乱，现在不能修改；"
            "请等对方关闭程序后再试，或以只读方式查看。"
        )


class LockUnavailable(StoreError):
    """The lock file cannot be written (a read-only folder, a full disk): the message says
    what to do; the window can still open the database read-only."""

    def __init__(self, message: str = READ_ONLY):
        super().__init__(message)


def lock_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def _key(db_path: str | Path) -> str:
    return os.path.normcase(str(Path(db_path).resolve()))


def _me() -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return {
        "user": user,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": dt.datetime.now().isoformat(timespec="seconds"),
    }


def describe_holder(info: dict[str, Any] | None) -> str:
    """``用户 张三（电脑 PC-01，开始时间 2024-03-05 09:12）``."""
    if not info:
        return "另一个程序（使用者不详）"
    since = str(info.get("since") or "").replace("T", " ")[:16] or "不详"
    return f"用户 {info.get('user') or '不详'}（电脑 {info.get('host') or '不详'}，开始时间 {since}）"


def _read_info(fd: int) -> dict[str, Any] | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = os.read(fd, 4096)
        info = json.loads(data.decode("utf-8")) if data.strip() else None
        return info if isinstance(info, dict) else None
    except (OSError, ValueError):
        return None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _os_lock(fd: int) -> bool:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _os_unlock(fd: int) -> None:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _os_lock(fd: int) -> bool:
        # flock belongs to the open file, not the process: a second acquire in this
        # process fails like anyone else's, and closing some other descriptor of the
        # file does not drop it (as it would a POSIX record lock).
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _os_unlock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass


class DbLock:
    """The lock on one database, held until ``release()`` (or the end of a ``with``)."""

    def __init__(self, db_path: Path, fd: int, info: dict[str, Any], stale_holder: dict[str, Any] | None):
        self.db_path = db_path
        self.path = lock_path(db_path)
        self.info = info
        #: who held the lock when the program last stopped without releasing it (a crash)
        self.stale_holder = stale_holder
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        _HELD.pop(_key(self.db_path), None)
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        _os_unlock(fd)
        os.close(fd)

    def __enter__(self) -> DbLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def acquire(db_path: str | Path) -> DbLock:
    """Take the database for this program.

    Raises ``DatabaseInUse`` (with ``.holder``) when a live program holds it, and
    ``LockUnavailable`` when the folder is read-only (then open the store read-only).
    """
    db_path = Path(db_path)
    held = _HELD.get(_key(db_path))
    if held is not None and held.held:
        raise DatabaseInUse(describe_holder(held.info) + "（本程序的另一个窗口）", held.info)
    path = lock_path(db_path)
    try:
        # only its owner reads who has the database open (user, PC, process)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        if not writable(path) or isinstance(exc, PermissionError):
            raise LockUnavailable() from exc
        raise LockUnavailable(fault_message(exc) or f"无法创建锁文件 {path}：{exc}") from exc
    try:
        if not _os_lock(fd):
            info = _read_info(fd)
            raise DatabaseInUse(describe_holder(info), info)
        previous = _read_info(fd)
        if hasattr(os, "fchmod"):  # a lock file an earlier version made readable by all
            try:
                os.fchmod(fd, 0o600)
            except OSError:  # not ours (a shared folder): it stays as it is
                pass
        info = _me()
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"))
            os.fsync(fd)
        except OSError as exc:
            _os_unlock(fd)
            raise LockUnavailable(fault_message(exc) or READ_ONLY) from exc
    except BaseException:
        os.close(fd)
        raise
    lock = DbLock(db_path, fd, info, previous)
    _HELD[_key(db_path)] = lock
    return lock


@atexit.register
def _release_all() -> None:
    """A normal exit leaves no lock content behind (only a crash leaves a stale one)."""
    for held in list(_HELD.values()):
        held.release()


def holder(db_path: str | Path) -> dict[str, Any] | None:
    """Who holds the database now (``None`` when nobody does); does not take the lock."""
    held = _HELD.get(_key(db_path))
    if held is not None and held.held:
        return held.info
    path = lock_path(db_path)
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if _os_lock(fd):  # nobody holds it: whatever the file says is stale
            _os_unlock(fd)
            return None
        return _read_info(fd) or {}
    finally:
        os.close(fd)


def held_here(db_path: str | Path) -> bool:
    """Whether this process holds the database's lock."""
    held = _HELD.get(_key(db_path))
    return held is not None and held.held
