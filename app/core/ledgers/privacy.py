"""Personal information: 身份证号 stay masked outside the database unless a clerk asks.

Which fields are personal is declared once, in the catalog (``Field.personal``); everything
here reads that declaration.

- ``mask_ids_in_text``: masks every ID-shaped run of characters in free text (log lines,
  error messages, audit values shown on screen) the way ``validation.mask_idcard`` does.
- ``personal_fields`` / ``holds_personal``: a ledger's personal fields; whether a ledger
  holds personal information (one of its own, or a reference to a ledger that holds some).
- ``mask_row`` / ``mask_value`` / ``mask_sql``: a personal value masked, in Python or in SQL
  (the audit keeps personal values masked, whether written by Python or set-based SQL).
- ``MaskIdFilter`` / ``install_log_masking``: a logging filter, so no log file ever holds a
  whole ID number, not even inside a traceback.
- ``reveal_idcard``: the one way to show a whole number; it leaves a ``reveal`` entry in the
  操作日志.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.ledgers import catalog

if TYPE_CHECKING:
    from app.core.ledgers.catalog import Field, Ledger

# 18 characters (6 region digits, 8 birth-date digits, 3 sequence digits, check digit or X)
# or an old 15-digit number (6 region, 6 birth-date, 3 sequence); not part of a longer run of
# digits.  Invalid checksums are masked too: a mistyped ID is still personal.  ``\d`` takes
# full-width digits as well (an ID typed with a Chinese input method).
_ID_RE = re.compile(r"(?<!\d)(\d{6})(?:\d{8}(\d{3}[\dXxＸｘ])|\d{5}(\d{4}))(?![\dA-Za-z])")
_MASK_KEEP = 10  # the region code (6) and the last four stay


def _mask_id_match(m: re.Match) -> str:
    if m.group(2) is not None:
        return f"{m.group(1)}********{m.group(2)}"
    return f"{m.group(1)}*****{m.group(3)}"


def mask_ids_in_text(text: str) -> str:
    """``500230198001011234`` anywhere in ``text`` → ``500230********1234`` (and a 15-digit
    old number → ``500230*****1234``)."""
    if not text:
        return text
    return _ID_RE.sub(_mask_id_match, text)


def _ledger(ledger: str | Ledger) -> Ledger:
    return catalog.get(ledger) if isinstance(ledger, str) else ledger


def personal_fields(ledger: str | Ledger) -> list[Field]:
    """A ledger's fields declared personal in the catalog."""
    return [f for f in _ledger(ledger).fields if f.personal]


def holds_personal(ledger: str | Ledger, _seen: frozenset[str] = frozenset()) -> bool:
    """Whether a ledger holds personal information: a personal field of its own, or a
    reference to a ledger that holds some (a 走访记录 names its 重点人员)."""
    lg = _ledger(ledger)
    if any(f.personal for f in lg.fields):
        return True
    seen = _seen | {lg.id}
    return any(
        f.ref and f.ref not in seen and f.ref in catalog.BY_ID and holds_personal(f.ref, seen) for f in lg.fields
    )


def mask_value(value: Any) -> Any:
    """A personal value masked like ``validation.mask_idcard``: the region code and the last
    four kept, a short value all stars; empty values and non-text as they are (masked text)."""
    if value is None or value == "":
        return value
    s = str(value)
    if len(s) <= _MASK_KEEP:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - _MASK_KEEP) + s[-4:]


def mask_sql(expr: str) -> str:
    """``mask_value`` as an SQL expression over ``expr`` (set-based audit writes)."""
    stars = "'" + "*" * 64 + "'"
    return (
        f"CASE WHEN {expr} IS NULL OR {expr} = '' THEN {expr}"
        f" WHEN length({expr}) <= {_MASK_KEEP} THEN substr({stars}, 1, length({expr}))"
        f" ELSE substr({expr}, 1, 6) || substr({stars}, 1, length({expr}) - {_MASK_KEEP}) || substr({expr}, -4) END"
    )


def mask_row(ledger_id: str, row: dict[str, Any]) -> dict[str, Any]:
    """A copy of a row (or of some of its values) with its personal values masked."""
    out = dict(row)
    for f in personal_fields(ledger_id):
        if out.get(f.key):
            out[f.key] = mask_value(out[f.key])
    return out


def audit_values(ledger_id: str | None, values: Any) -> Any:
    """Values as the audit keeps them: the ledger's personal fields masked (a dict of field
    key -> value; anything else as it is)."""
    lg = catalog.BY_ID.get(ledger_id or "")
    if lg is None or not isinstance(values, dict):
        return values
    keys = {f.key for f in personal_fields(lg)}
    return {k: mask_value(v) if k in keys and isinstance(v, str) else v for k, v in values.items()}


def audit_json(ledger_id: str | None, values: Any) -> str:
    """The audit's ``old``/``new`` text: personal fields masked, and ID-shaped text anywhere
    in it (a 身份证号 typed into a 备注)."""
    return mask_ids_in_text(json.dumps(audit_values(ledger_id, values), ensure_ascii=False))


def masked_audit_text(ledger_id: str | None, text: str | None) -> str | None:
    """An audit ``old``/``new`` text already written, masked like ``audit_json`` (the
    migration that masks the entries written before); unchanged when nothing is personal."""
    if not text:
        return text
    try:
        values = json.loads(text)
    except ValueError:
        return mask_ids_in_text(text)
    masked = audit_values(ledger_id, values)
    return mask_ids_in_text(text if masked == values else json.dumps(masked, ensure_ascii=False))


def mask_audit_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An 操作日志 entry for display: ID numbers in its old/new values and note masked."""
    out = dict(entry)
    for k in ("old", "new", "note"):
        if isinstance(out.get(k), str):
            out[k] = mask_ids_in_text(out[k])
    return out


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
