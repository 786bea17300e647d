"""``backup [--to FILE]``, ``restore FILE`` and ``password set|clear``."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from app.cli.common import db_path, take_lock, unlock
from app.cli.errors import CliError
from app.core.safety import backup, encryption, lock
from app.core.storage import keys
from app.core.storage.keys import too_short


def cmd_backup(args) -> int:
    path = db_path(args)
    if not path.is_file():
        raise CliError(f"找不到数据库文件：{path}")
    unlock(path)
    made = backup.make_backup(path, Path(args.to) if args.to else None)
    print(f"已备份到：{made}")
    return 0


def cmd_restore(args) -> int:
    path = db_path(args)
    source = Path(args.file)
    unlock(path)
    unlock(source, "备份文件")
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


def _read_new_password() -> str:
    """The new password, typed twice (from the terminal, or two lines of standard input)."""
    if sys.stdin.isatty():
        first = getpass.getpass("新密码：")
        second = getpass.getpass("再输入一次：")
    else:
        first = sys.stdin.readline().rstrip("\r\n")
        second = sys.stdin.readline().rstrip("\r\n")
    if not first:
        raise CliError("密码不能为空（新密码从标准输入读两次，每行一次）。", 2)
    if first != second:
        raise CliError("两次输入的密码不一致，密码没有改动。", 2)
    short = too_short(first)
    if short:
        raise CliError(f"{short}密码没有改动。", 2)
    return first


def _audit(path: Path, note: str) -> None:
    from app.core.storage.store import Store

    store = Store.open(path)
    try:
        store.log("password", note)
    finally:
        store.close()


def cmd_password(args) -> int:
    path = db_path(args)
    if not path.is_file():
        raise CliError(f"找不到数据库文件：{path}")
    unlock(path)  # an encrypted database: FAZHI_PASSWORD is the current password
    take_lock(path)
    if args.action == "clear":
        if not keys.is_encrypted(path):
            raise CliError("数据库没有设密码。")
        encryption.unprotect(path)
        _audit(path, "清除密码：数据库文件已解密（已有的备份仍加密，用原密码或恢复码打开）")
        print("已清除密码：数据库文件不再加密，其中的身份证号等信息以明文保存。")
        return 0
    password = _read_new_password()
    if keys.is_encrypted(path):
        encryption.change_password(path, password)
        _audit(path, "修改密码")
        print("已修改密码。恢复码不变。")
        return 0
    code = encryption.protect(path, password)
    _audit(path, "设置密码：数据库文件及其备份已加密")
    print("已设置密码：数据库文件及其备份已加密。")
    print("恢复码（只显示这一次，请打印或抄下，与密码分开妥善保管）：")
    print(f"    {code}")
    print(
        "忘记密码时，可用恢复码代替密码（环境变量 FAZHI_PASSWORD 或窗口的密码框）。密码和恢复码都丢失，数据无法找回。"
    )
    left = encryption.copies_left_message(path)
    if left:
        print(left, file=sys.stderr)
    return 0
