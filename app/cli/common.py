"""What every command needs: the database the user named, opened."""

from __future__ import annotations

from pathlib import Path

from app.core.paths import default_db_path
from app.core.store import Store


def db_path(args) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def open_store(args) -> Store:
    return Store.open(db_path(args))
