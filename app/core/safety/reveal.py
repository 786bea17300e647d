"""Showing a whole ID number to a clerk who asked for it: the one way, and it is logged."""

from __future__ import annotations

from app.core.ledgers import catalog
from app.core.ledgers.privacy import personal_fields
from app.core.storage.store import Store


def reveal_idcard(store: Store, ledger_id: str, row_id: int, key: str | None = None) -> str | None:
    """The whole ID number of one row, for a clerk who asked; logged as ``reveal``."""
    lg = catalog.get(ledger_id)
    keys = [f.key for f in personal_fields(lg)]
    key = key or (keys[0] if keys else None)
    if key is None or key not in keys:
        raise KeyError(f"{lg.name}没有身份证号字段")
    row = store.get(lg.id, row_id, include_deleted=True)
    if row is None:
        return None
    title = row.get(lg.title_field) if lg.title_field else None
    store.log("reveal", f"查看完整身份证号：{lg.name}第 {row_id} 条" + (f"（{title}）" if title else ""), lg.id, row_id)
    return row.get(key)
