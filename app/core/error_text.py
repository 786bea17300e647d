"""What went wrong, in one Chinese line a clerk can act on: for the command line and the window.

``UserError`` is a failure whose message is already written for the clerk (the command line's
``CliError`` is one); ``describe_error`` turns any exception into such a line: faults of the
disk or the database say what to do, the rest name the error.
"""

from __future__ import annotations

from app.core.ledgers.privacy import mask_ids_in_text
from app.core.ledgers.validation import ValidationError
from app.core.paths import UnsafeOutputPath
from app.core.storage.common import StoreError
from app.core.storage.dbapi import Error
from app.core.storage.faults import fault_message


class UserError(Exception):
    """A failure whose message is meant for the clerk as it is."""


def describe_error(exc: BaseException, hint: str = "") -> str:
    """One Chinese line for ``exc``; ``hint`` follows an error nobody foresaw (the command
    line adds how to see the details).  ID-shaped text in it is masked: an error may quote
    a cell, and the line is shown on screen."""
    return mask_ids_in_text(_describe(exc, hint))


def _describe(exc: BaseException, hint: str) -> str:
    if isinstance(exc, (UserError, StoreError, ValidationError, UnsafeOutputPath)):
        return str(exc)
    fault = fault_message(exc) if isinstance(exc, Error) else None
    if fault:  # disk full, read-only folder, I/O error, locked: what to do
        return fault
    if isinstance(exc, KeyError):
        return str(exc.args[0]) if exc.args else "找不到所需的项目"
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件：{exc.filename}"
    if isinstance(exc, PermissionError):
        return f"没有权限访问：{exc.filename}（文件可能被其他程序占用，或文件夹只读）"
    if isinstance(exc, OSError):
        if getattr(exc, "errno", None) == 28:
            return "磁盘空间不足，请清理磁盘后重试。已保存的数据没有丢失。"
        return f"文件操作失败：{exc.strerror or exc}"
    if isinstance(exc, ModuleNotFoundError) and exc.name and exc.name.startswith("app."):
        return "这个功能尚未完成。"
    return f"{type(exc).__name__}: {exc}{hint}"
