"""``backup [--to FILE]`` and ``restore FILE``."""

from __future__ import annotations

from pathlib import Path

from app.cli.common import db_path
from app.cli.errors import CliError
from app.core import backup, lock


def cmd_backup(args) -> int:
    path = db_path(args)
    if not path.is_file():
        raise CliError(f"找不到数据库文件：{path}")
    made = backup.make_backup(path, Path(args.to) if args.to else None)
    print(f"已备份到：{made}")
    return 0


def cmd_restore(args) -> int:
    path = db_path(args)
    source = Path(args.file)
    try:
        safety = backup.restore(path, source)
    except lock.DatabaseInUse as exc:
        raise CliError(f"{exc}（恢复前请先关闭打开本数据库的程序）") from exc
    except lock.LockUnavailable as exc:
        raise CliError(str(exc)) from exc
    print(f"已检查备份文件：{source}（完整，可以使用）")
    if safety:
        print(f"恢复前的数据已备份到：{safety}")
    print(f"已用该备份恢复数据库：{path}")
    return 0
