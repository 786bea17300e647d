"""What every command needs: the database the user named, opened.

A command that writes takes the database's lock, as the window does (one writer at a time),
and holds it until the command ends.  A command that only reads opens the file read-only:
it never migrates, never changes the journal mode, never writes, so it can run beside the
window of another PC.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.cli.errors import CliError
from app.core.paths import default_db_path
from app.core.safety import encryption, lock
from app.core.storage import keys
from app.core.storage.files import log_files_exist, tidy_log_files
from app.core.storage.store import Store


def db_path(args) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def writes(args) -> bool:
    """Whether this command changes the database."""
    command = getattr(args, "command", None)
    if command == "settings":
        return bool(getattr(args, "pairs", None))
    if command == "import":
        return not getattr(args, "dry_run", False)
    if command == "merge":  # even a dry run: it builds its pairing tables in the connection
        return True
    if command == "paragraph":  # rewording or resetting a paragraph saves it
        return any(getattr(args, k, None) for k in ("set", "file", "reset"))
    if command == "export":  # whole ID numbers leave an audit entry
        return bool(getattr(args, "full_id", False))
    return command in ("demo", "pack", "password")  # pack: its audit entry


_TAKEN: list[lock.DbLock] = []  # locks this command holds, released by ``release_locks``


def take_lock(path: Path) -> lock.DbLock:
    """The database's lock for a writing command (released when the command ends)."""
    if lock.held_here(path):  # this command took it already (restore, password)
        return next(held for held in _TAKEN if held.held)
    try:
        held = lock.acquire(path)
    except lock.DatabaseInUse as exc:
        raise CliError(str(exc)) from None
    except lock.LockUnavailable as exc:
        raise CliError(str(exc)) from None
    _TAKEN.append(held)
    from app.core.safety.backup import clean_leftovers

    clean_leftovers(path)  # a restore or password change that was killed left temporary copies
    if keys.is_encrypted(path) and keys.known_keys(path):
        encryption.encrypt_copies(path)  # plain copies a killed password change had not reached
        left = encryption.copies_left_message(path)
        if left:
            print(left, file=sys.stderr)
    return held


_OPENED: list[Store] = []  # stores this command opened, closed by ``release_locks``
_TIDY: list[Path] = []  # databases read here that had no -wal/-shm beside them before


def release_locks() -> None:
    """Called by ``main`` when a command ends, however it ends: its stores closed (a command
    that forgot to close one must not keep the file open), then its lock released."""
    while _OPENED:
        try:
            _OPENED.pop().close()
        except Exception:
            pass
    while _TAKEN:
        _TAKEN.pop().release()
    while _TIDY:  # a read-only connection leaves its log files: gone unless someone else reads
        tidy_log_files(_TIDY.pop())


MISSING_PASSWORD = "数据库设有密码：请用环境变量 FAZHI_PASSWORD 提供密码（或恢复码）。"
WRONG_PASSWORD = "密码不正确（环境变量 FAZHI_PASSWORD），数据库没有打开。"


def unlock(path: Path, what: str = "数据库") -> None:
    """An encrypted database (or backup) opens with ``FAZHI_PASSWORD``: the password or the
    recovery code.  Missing or wrong: one Chinese line, exit code 2."""
    if not keys.is_encrypted(path) or keys.known_keys(path):
        return
    secret = os.environ.get("FAZHI_PASSWORD")
    if not secret:
        raise CliError(MISSING_PASSWORD.replace("数据库", what, 1), 2)
    try:
        encryption.unlock(path, secret)
    except keys.WrongPassword:
        raise CliError(WRONG_PASSWORD.replace("数据库", what), 2) from None


def open_store(args) -> Store:
    path = db_path(args)
    unlock(path)
    if writes(args):
        take_lock(path)  # held until the command ends
        return _opened(Store.open(path))
    if not path.is_file():  # nothing saved yet: read an empty database, create no file
        print(f"提示：数据库文件 {path} 还不存在，按空数据库处理。", file=sys.stderr)
        return Store.memory()
    if not log_files_exist(path):  # the -wal/-shm reading makes go when the command ends
        _TIDY.append(path)
    return _opened(Store.open(path, readonly=True))


def _opened(store: Store) -> Store:
    _OPENED.append(store)
    return store
