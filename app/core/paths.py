"""Where things live: the user's data folder, and resources found the same way frozen or not."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "FazhiTaizhang"
# the files beside a database that belong to it: its log, shared memory, rollback journal,
# key file (without it an encrypted database cannot be opened) and lock
DB_COMPANIONS = ("-wal", "-shm", "-journal", ".key", ".lock")


class UnsafeOutputPath(ValueError):
    """An output file that would overwrite the database or one of the files that belong to it."""


def data_dir() -> Path:
    """The user's data folder (``%LOCALAPPDATA%\\FazhiTaizhang`` on Windows).

    ``FAZHI_DATA_DIR`` overrides it (tests, portable installs).
    """
    override = os.environ.get("FAZHI_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "ledgers.db"


def logs_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """``resources/`` beside the source tree, or inside a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def _same_file(a: Path, b: Path) -> bool:
    """The same file after resolving links and ``..`` (case-insensitive where the system is:
    Windows, and any folder where both exist and are one file, as on macOS)."""
    if os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def check_output_path(db_path: str | Path | None, out_path: str | Path) -> None:
    """Refuse, with one Chinese line (``UnsafeOutputPath``), an output file that is the
    database ``db_path`` itself or its -wal, -shm, -journal, .key or .lock: writing it would
    destroy the data or the key that opens it.  Every command and dialog that writes a file
    (backup, pack, export, report and its charts, returns, template, import rejects) calls
    this before writing.  ``db_path`` None (a database in memory) has nothing to protect."""
    if db_path is None:
        return
    db = Path(db_path)
    out = Path(out_path)
    for suffix in ("", *DB_COMPANIONS):
        target = db.with_name(db.name + suffix)
        if _same_file(out, target):
            what = "数据库本身" if not suffix else f"数据库的附属文件 {target.name}"
            raise UnsafeOutputPath(
                f"输出文件不能是数据库本身或其附属文件（{out} 是{what}），否则数据会被覆盖：请另选文件名或位置。"
            )
