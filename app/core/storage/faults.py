"""Disk and file-system faults turned into Chinese messages that say what to do.

SQLite reports a full disk, a read-only folder or a vanished network share as
``sqlite3.OperationalError`` with an English text; Python reports them as ``OSError``.  The
store maps them here so a clerk reads one sentence saying that nothing already saved is lost
and what to do next.  No imports from the rest of the app: ``store`` uses this module.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from app.core.storage.dbapi import Error

DISK_FULL = (
    "磁盘空间已满，这次操作没有保存。已保存的数据没有丢失：请清理磁盘"
    "（或请信息化管理员把数据文件夹移到空间充足的磁盘）后重试。"
)
READ_ONLY = (
    "数据库文件或其所在文件夹是只读的，无法保存。已保存的数据没有丢失：请让信息化管理员开通该文件夹的写权限，"
    "或把数据文件夹复制到可写的位置后再打开。"
)
IO_ERROR = (
    "读写磁盘出错（磁盘可能有故障，或网络共享文件夹已断开）。这次操作没有保存，已保存的数据没有丢失；"
    "请检查磁盘或网络连接后重试。"
)
LOCKED = "数据库正被另一个程序写入，等待超时。这次操作没有保存，请稍后重试；如一直如此，请关闭其他打开本数据库的程序。"


def fault_message(exc: BaseException) -> str | None:
    """The Chinese message for a disk-full / read-only / I/O / locked fault, or None."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return DISK_FULL
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return READ_ONLY
        if exc.errno == errno.EIO:
            return IO_ERROR
        return None
    if not isinstance(exc, Error):
        return None
    text = str(exc).lower()
    if "disk is full" in text:
        return DISK_FULL
    if "readonly" in text or "read-only" in text:
        return READ_ONLY
    if "disk i/o error" in text:
        return IO_ERROR
    if "database is locked" in text or "database is busy" in text:
        return LOCKED
    return None


def writable(path: Path) -> bool:
    """Whether ``path`` (a file, or the folder it would be created in) can be written."""
    path = Path(path)
    folder = path.parent if path.parent != Path() else Path(".")
    if not folder.exists():
        return writable(folder)
    if not os.access(folder, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def open_failure_message(path: Path, exc: BaseException) -> str | None:
    """Why a database could not be opened for writing, when it is a fault of the folder."""
    msg = fault_message(exc)
    if msg:
        return msg
    if "unable to open" in str(exc).lower() and not writable(path):
        return READ_ONLY
    return None


# file systems of network shares: SQLite's WAL mode needs every user of a database on one PC
NETWORK_FS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ncpfs", "davfs", "fuse.davfs2"}
)


def mount_fstype(path: str, mounts: list[str]) -> str:
    """The file-system type of the mount holding ``path``, from ``/proc/mounts`` lines."""
    best, fstype = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mnt = parts[1].replace("\\040", " ")
        inside = path == mnt or path.startswith(mnt.rstrip("/") + "/")
        if inside and len(mnt) >= len(best):
            best, fstype = mnt, parts[2]
    return fstype


def on_network_drive(path: str | Path) -> bool:
    """Whether ``path`` is on a network share (a UNC path or mapped drive on Windows).

    The store then uses a rollback journal instead of WAL: WAL's shared-memory index only
    works between programs on one PC, while a rollback journal relies on file locks that
    Windows file sharing (SMB) enforces for every PC.
    """
    p = os.path.abspath(path)
    if os.name == "nt":  # pragma: no cover - Windows only
        if p.startswith("\\\\"):
            return True
        try:
            import ctypes

            return ctypes.windll.kernel32.GetDriveTypeW(os.path.splitdrive(p)[0] + "\\") == 4  # DRIVE_REMOTE
        except Exception:
            return False
    try:
        with open("/proc/mounts", encoding="utf-8", errors="replace") as fh:
            mounts = fh.read().splitlines()
    except OSError:
        return False
    return mount_fstype(p, mounts) in NETWORK_FS
