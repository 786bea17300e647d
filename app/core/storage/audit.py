"""The audit log (操作日志): one entry per write, personal values kept masked."""

from __future__ import annotations

from typing import Any

from app.core.ledgers import privacy
from app.core.storage.common import actor, now
from app.core.storage.session import Session


class AuditLog:
    """Writes and reads the ``audit`` table through the store's session."""

    def __init__(self, session: Session):
        self._session = session

    def record(
        self,
        action: str,
        ledger: str | None,
        row_id: int | None,
        row_uid: str | None,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        note: str | None = None,
    ) -> None:
        """One audit entry, inside the caller's transaction; personal values (the catalog's
        ``personal`` fields, ID-shaped text) are kept masked, so purging a person leaves no
        whole 身份证号 in the log."""
        self._session.conn.execute(
            "INSERT INTO audit (at, actor, action, ledger, row_id, row_uid, old, new, note) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                now(),
                actor(),
                action,
                ledger,
                row_id,
                row_uid,
                None if old is None else privacy.audit_json(ledger, old),
                None if new is None else privacy.audit_json(ledger, new),
                privacy.mask_ids_in_text(note) if note else note,
            ),
        )

    def log(self, action: str, note: str, ledger: str | None = None, row_id: int | None = None) -> None:
        """An entry for something that is not a row write (backup, reveal of an ID…), in a
        transaction of its own."""
        with self._session.transaction():
            self.record(action, ledger, row_id, None, None, None, note)

    def entries(self, limit: int = 200, offset: int = 0, ledger: str | None = None) -> list[dict]:
        """The newest entries first (of one ledger, or all)."""
        where, params = ("WHERE ledger = ?", [ledger]) if ledger else ("", [])
        cur = self._session.conn.execute(
            f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset]
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur]
