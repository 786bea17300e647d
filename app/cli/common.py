"""What every command needs: the database the user named, opened."""

from __future__ import annotations

from pathlib import Path

from app.core.paths import default_db_path
from app.core.store import Store


def db_path(args) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def _writes(args) -> bool:
    """Whether this command changes the database (reading commands run beside the window)."""
    command = getattr(args, "command", None)
    if command == "settings":
        return bool(getattr(args, "pairs", None))
    if command in ("import", "merge"):
        return not getattr(args, "dry_run", False)
    return command in ("demo", "pack")  # pack: its audit entry


def open_store(args) -> Store:
    path = db_path(args)
    if _writes(args):
        from app.core import lock

        holder = lock.holder(path)  # one writer: the window (or another command) has it
        if holder is not None:
            from app.cli.errors import CliError

            raise CliError(str(lock.DatabaseInUse(lock.describe_holder(holder), holder)))
    return Store.open(path)
