"""Drafts: what a clerk was typing into a form, kept until it is saved or thrown away.

A form writes its draft every few seconds and when focus moves; after a crash, a kill or a
power cut the next 新增 in that ledger offers it back.  A draft lives in the database's
settings table under ``draft.<ledger id>`` (one per ledger, JSON; no schema change), so it
is as durable as the rows (WAL, ``synchronous=FULL``), goes wherever the database goes and
is protected the same way.  Writing a draft is not a change to the office's data: no audit
entry, and ``store.settings()`` does not list it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from app.core.storage.store import Store

PREFIX = "draft."


@dataclass(frozen=True)
class Draft:
    ledger: str
    row_id: int | None  # the row being edited, or None for a new record
    values: dict[str, Any]
    saved_at: str  # ISO time, shown to the clerk


def _key(ledger_id: str) -> str:
    return PREFIX + ledger_id


def _writable(store: Store) -> bool:
    return not getattr(store, "readonly", False)


def save(store: Store, ledger_id: str, values: dict[str, Any], row_id: int | None = None) -> bool:
    """Keep ``values`` (plain JSON values) as the ledger's draft; False on a read-only store."""
    if not _writable(store):
        return False
    doc = {
        "row_id": row_id,
        "values": {k: v for k, v in values.items() if v is not None},
        "saved_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    with store.transaction():
        store.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (_key(ledger_id), json.dumps(doc, ensure_ascii=False)),
        )
    return True


def load(store: Store, ledger_id: str) -> Draft | None:
    row = store.conn.execute("SELECT value FROM settings WHERE key = ?", (_key(ledger_id),)).fetchone()
    if row is None:
        return None
    try:
        doc = json.loads(row[0])
        values = dict(doc.get("values") or {})
    except (ValueError, TypeError, AttributeError):
        return None  # a damaged draft is no draft
    if not values:
        return None
    row_id = doc.get("row_id")
    return Draft(ledger_id, int(row_id) if row_id is not None else None, values, str(doc.get("saved_at", "")))


def clear(store: Store, ledger_id: str) -> None:
    if not _writable(store):
        return
    with store.transaction():
        store.conn.execute("DELETE FROM settings WHERE key = ?", (_key(ledger_id),))


def is_draft_key(key: str) -> bool:
    return key.startswith(PREFIX)
