"""What every command needs: the database the user named, opened.

A command that writes takes the database's lock, as the window does (one writer at a time),
and holds it until the command ends.  A command that only reads opens the file read-only:
it never migrates, never changes the journal mode, never writes, so it can run beside the
window of another PC.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli.errors import CliError
from app.core import lock
from app.core.paths import default_db_path
from app.core.store import Store


def db_path(args) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def writes(args) -> bool:
    """Whether this command changes the database."""
    command = getattr(args, "command", None)
    if command == "settings":
        return bool(getattr(args, "pairs", None))
    if command in ("import", "merge"):
        return not getattr(args, "dry_run", False)
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
    from app.core.backup import clean_leftovers

    clean_leftovers(path)  # a restore that was killed left its temporary copies
    return held


def release_locks() -> None:
    """Called by ``main`` when a command ends, however it ends."""
    while _TAKEN:
        _TAKEN.pop().release()


def open_store(args) -> Store:
    path = db_path(args)
    if writes(args):
        take_lock(path)  # held until the command ends
        return Store.open(path)
    if not path.is_file():  # nothing saved yet: read an empty database, create no file
        print(f"提示：数据库文件 {path} 还不存在，按空数据库处理。", file=sys.stderr)
        return Store.memory()
    return Store.open(path, readonly=True)
