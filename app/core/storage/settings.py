"""The office's settings, its choice lists and per-year report texts: a part of ``Store``."""

from __future__ import annotations

import json
from typing import Any

from app.core.ledgers import catalog
from app.core.storage.audit import AuditLog
from app.core.storage.common import now
from app.core.storage.session import Session

DEFAULT_SETTINGS: dict[str, Any] = {
    "county": "",  # no invented office: empty until the clerk names it (setup or 设置)
    "town": "",
    "office": "",  # this PC's office (司法所, 执法大队, 党政办…): rows and data packs carry it
    "province": "",  # 重庆市: the report's 视察重庆重要讲话, 重庆干部网络学院
    "city": "",
    "issuer": "",  # empty: {county}{town}人民政府
    "phone": "",  # the office's 联系电话, printed on the returns
    "villages": [],
    # the report's fonts: auto (gb2312 where this PC has 方正小标宋简体 and the _GB2312 fonts,
    # else windows), gb2312, or windows (Windows' own 仿宋/楷体/黑体/宋体)
    "report.font_scheme": "auto",
    "report.recipient": "",  # 主送机关 (GB/T 9704): '' for none
    "backup_dir": "",
}


# the report's settings that hold for every year (``report.<name>``), as 设置 names them
REPORT_SETTINGS = {"font_scheme": "报告字体", "recipient": "主送机关"}

# per-year report settings: report.2024.basis_title / .basis_no (the county's 工作要点 and its
# 文号) and report.2024.date (成文日期, ISO)
REPORT_YEAR_SETTINGS = {"basis_title": "工作要点标题", "basis_no": "工作要点文号", "date": "成文日期"}

# settings kept out of ``settings()`` (and so out of the command line's listing)
HIDDEN_SETTINGS = frozenset({"password"})


class Settings:
    """The ``settings`` and ``report_texts`` tables.  ``generation`` counts the changes, so
    what is built from the settings (the validators' choice lists) knows when to rebuild."""

    def __init__(self, session: Session, audit: AuditLog):
        self._session = session
        self._audit = audit
        self.generation = 0

    def get(self, key: str, default: Any = None) -> Any:
        row = self._session.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return DEFAULT_SETTINGS.get(key, default)
        return json.loads(row[0])

    def set(self, key: str, value: Any) -> None:
        old = self.get(key)
        with self._session.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )
            self._audit.record("setting", None, None, None, {key: old}, {key: value}, f"设置 {key}")
        self.generation += 1

    def all(self) -> dict[str, Any]:
        """Every setting the clerk sees (defaults filled in; the password and drafts left out)."""
        out = dict(DEFAULT_SETTINGS)
        for key, value in self._session.conn.execute("SELECT key, value FROM settings"):
            if key not in HIDDEN_SETTINGS and not key.startswith("draft."):  # drafts: safety.drafts
                out[key] = json.loads(value)
        out["issuer"] = self.issuer
        return out

    @property
    def office(self) -> str | None:
        """This PC's office, as rows record it (None while unnamed)."""
        return (self.get("office") or "").strip() or None

    @property
    def issuer(self) -> str:
        """发文机关全称: set explicitly, or {county}{town}人民政府; '' while the town is unnamed."""
        town = self.get("town")  # '' until the office is named: callers ask for it
        return self.get("issuer") or (f"{self.get('county') or ''}{town}人民政府" if town else "")

    def choices(self, ledger_id: str, key: str) -> tuple[str, ...]:
        """A field's choice list: the catalog's, plus what the office added."""
        f = catalog.get(ledger_id).field(key)
        extra = self.get(f"choices.{ledger_id}.{key}", []) or []
        return f.choices + tuple(c for c in extra if c not in f.choices)

    def report_text(self, year: int, section: str) -> str | None:
        row = self._session.conn.execute(
            "SELECT text FROM report_texts WHERE year = ? AND section = ?", (year, section)
        ).fetchone()
        return row[0] if row else None

    def report_texts(self, year: int) -> dict[str, str]:
        return dict(self._session.conn.execute("SELECT section, text FROM report_texts WHERE year = ?", (year,)))

    def set_report_text(self, year: int, section: str, text: str | None) -> None:
        old = self.report_text(year, section)
        with self._session.transaction() as conn:
            if text is None or not text.strip():
                conn.execute("DELETE FROM report_texts WHERE year = ? AND section = ?", (year, section))
            else:
                conn.execute(
                    "INSERT INTO report_texts (year, section, text, updated_at) VALUES (?,?,?,?)"
                    " ON CONFLICT(year, section) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                    (year, section, text, now()),
                )
            self._audit.record(
                "report_text", None, None, None, {section: old}, {section: text}, f"{year}年报告 {section}"
            )
