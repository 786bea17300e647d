"""Personal information: 身份证号 stay masked outside the database unless a clerk asks.

- ``mask_ids_in_text``: masks every ID-shaped run of characters in free text (log lines,
  error messages, audit values shown on screen) the way ``validation.mask_idcard`` does.
- ``MaskIdFilter`` / ``install_log_masking``: a logging filter, so no log file ever holds a
  whole ID number, not even inside a traceback.
- ``reveal_idcard``: the one way to show a whole number; it leaves a ``reveal`` entry in the
  操作日志.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from . import catalog

if TYPE_CHECKING:
    from .store import Store

# 6 region digits, 8 birth-date digits, 3 sequence digits, check digit or X; not part of a
# longer run of digits.  Invalid checksums are masked too: a mistyped ID is still personal.
_ID_RE = re.compile(r"(?<![0-9])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_ids_in_text(text: str) -> str:
    """``500230198001011234`` anywhere in ``text`` → ``500230********1234``."""
    if not text:
        return text
    return _ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)


def idcard_fields(ledger_id: str) -> list[str]:
    """Keys of a ledger's 身份证号 fields."""
    return [f.key for f in catalog.get(ledger_id).fields if f.kind == "idcard"]


def mask_row(ledger_id: str, row: dict[str, Any]) -> dict[str, Any]:
    """A copy of a row with its ID numbers masked."""
    from .validation import mask_idcard

    keys = idcard_fields(ledger_id)
    if not keys:
        return dict(row)
    out = dict(row)
    for k in keys:
        if out.get(k):
            out[k] = mask_idcard(str(out[k]))
    return out


def mask_audit_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An 操作日志 entry for display: ID numbers in its old/new values and note masked."""
    out = dict(entry)
    for k in ("old", "new", "note"):
        if isinstance(out.get(k), str):
            out[k] = mask_ids_in_text(out[k])
    return out


def reveal_idcard(store: Store, ledger_id: str, row_id: int, key: str | None = None) -> str | None:
    """The whole ID number of one row, for a clerk who asked; logged as ``reveal``."""
    lg = catalog.get(ledger_id)
    keys = idcard_fields(lg.id)
    key = key or (keys[0] if keys else None)
    if key is None or key not in keys:
        raise KeyError(f"{lg.name}没有身份证号字段")
    row = store.get(lg.id, row_id, include_deleted=True)
    if row is None:
        return None
    title = row.get(lg.title_field) if lg.title_field else None
    store.log("reveal", f"查看完整身份证号：{lg.name}第 {row_id} 条" + (f"（{title}）" if title else ""), lg.id, row_id)
    return row.get(key)


class MaskIdFilter(logging.Filter):
    """Masks ID numbers in a record's message, arguments and traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = mask_ids_in_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_ids_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_ids_in_text(record.stack_info)
        return True


def log_to_file(path, level: int = logging.INFO) -> logging.Handler | None:
    """The root logger writes to ``path`` (the window's and the command line's ``app.log``),
    every record masked by ``install_log_masking``; None when the file cannot be opened.

    Once per file: a second call finds the handler already there."""
    from pathlib import Path

    path = Path(path)
    root = logging.getLogger()
    for h in root.handlers:
        if isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path.resolve():
            install_log_masking(root)
            return h
    try:
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    install_log_masking(root)
    return handler


def install_log_masking(logger: logging.Logger | None = None) -> MaskIdFilter:
    """Put a ``MaskIdFilter`` on every handler of ``logger`` (default: the root logger).

    Handler filters see records from every logger that propagates to it; call this after
    a handler is added (``log_to_file`` does, for the window and the command line).
    """
    logger = logger or logging.getLogger()
    filt = MaskIdFilter()
    for handler in logger.handlers:
        if not any(isinstance(f, MaskIdFilter) for f in handler.filters):
            handler.addFilter(filt)
    return filt
