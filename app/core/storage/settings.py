"""Settings, choice lists, per-year report texts and validators: a part of ``Store``."""

from __future__ import annotations

import json
from typing import Any

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Field
from app.core.ledgers.privacy import mask_ids_in_text
from app.core.ledgers.validation import Validator, parse_idcard
from app.core.storage.common import now

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


class SettingsMixin:
    """Settings and what depends on them; mixed into ``Store`` (uses its connection,
    ``transaction`` and ``audit``)."""

    # -- settings -------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return DEFAULT_SETTINGS.get(key, default)
        return json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        old = self.setting(key)
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )
            self.audit("setting", None, None, None, {key: old}, {key: value}, f"设置 {key}")
        self._validators.clear()

    def settings(self) -> dict[str, Any]:
        out = dict(DEFAULT_SETTINGS)
        for key, value in self.conn.execute("SELECT key, value FROM settings"):
            if key not in HIDDEN_SETTINGS and not key.startswith("draft."):  # drafts: core.drafts
                out[key] = json.loads(value)
        out["issuer"] = self.issuer
        return out

    @property
    def office(self) -> str | None:
        """This PC's office, as rows record it (None while unnamed)."""
        return (self.setting("office") or "").strip() or None

    @property
    def issuer(self) -> str:
        """发文机关全称: set explicitly, or {county}{town}人民政府; '' while the town is unnamed."""
        town = self.setting("town")  # '' until the office is named: callers ask for it
        return self.setting("issuer") or (f"{self.setting('county') or ''}{town}人民政府" if town else "")

    def choices(self, ledger_id: str, key: str) -> tuple[str, ...]:
        """A field's choice list: the catalog's, plus what the office added."""
        f = catalog.get(ledger_id).field(key)
        extra = self.setting(f"choices.{ledger_id}.{key}", []) or []
        return f.choices + tuple(c for c in extra if c not in f.choices)

    def report_text(self, year: int, section: str) -> str | None:
        row = self.conn.execute(
            "SELECT text FROM report_texts WHERE year = ? AND section = ?", (year, section)
        ).fetchone()
        return row[0] if row else None

    def report_texts(self, year: int) -> dict[str, str]:
        return dict(self.conn.execute("SELECT section, text FROM report_texts WHERE year = ?", (year,)))

    def set_report_text(self, year: int, section: str, text: str | None) -> None:
        old = self.report_text(year, section)
        with self.transaction():
            if text is None or not text.strip():
                self.conn.execute("DELETE FROM report_texts WHERE year = ? AND section = ?", (year, section))
            else:
                self.conn.execute(
                    "INSERT INTO report_texts (year, section, text, updated_at) VALUES (?,?,?,?)"
                    " ON CONFLICT(year, section) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                    (year, section, text, now()),
                )
            self.audit("report_text", None, None, None, {section: old}, {section: text}, f"{year}年报告 {section}")

    # -- validation -----------------------------------------------------------------------

    def validator(self, ledger_id: str) -> Validator:
        lg = catalog.get(ledger_id)
        v = self._validators.get(lg.id)
        if v is None:
            choices = {f.key: self.choices(lg.id, f.key) for f in lg.fields if f.kind == "choice"}
            v = Validator(lg, choices, self.resolve_ref)
            self._validators[lg.id] = v
        return v

    def resolve_ref(self, f: Field, value: Any) -> int:
        """A 重点人员 typed as 身份证号 or as a 姓名 that is unique in the roster."""
        text = str(value).strip()
        target = catalog.get(f.ref)
        if target.id == "key_persons":
            try:
                number = parse_idcard(text)
            except ValueError:
                number = None
            if number:
                row = self.conn.execute(
                    "SELECT id FROM key_persons WHERE id_number = ? AND deleted_at IS NULL", (number,)
                ).fetchone()
                if row:
                    return row[0]
                raise ValueError("重点人员名册中没有这个身份证号")
        rows = self.conn.execute(
            f'SELECT id FROM "{target.id}" WHERE "{target.title_field}" = ? AND deleted_at IS NULL', (text,)
        ).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if not rows:  # the text may be a mistyped ID number: never echo one whole
            raise ValueError(f"{target.name}中没有“{mask_ids_in_text(text)}”")
        raise ValueError(f"{target.name}中有{len(rows)}个“{text}”，请改填身份证号")
