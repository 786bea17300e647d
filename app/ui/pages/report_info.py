"""本年度报告信息: the settings a year's report reads besides the ledgers — the county's
工作要点 (title, 文号) and the 成文日期 of that year (``report.Y.*``), and the office's
province and city (the default wording's 视察重庆 / 重庆干部网络学院)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QWidget

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

# (settings key without "report.Y.", label, placeholder)
YEAR_FIELDS = (
    ("basis_title", "工作要点标题", "不填则写“{year}年全{cu}法治政府建设工作要点”"),
    ("basis_no", "工作要点文号", "如 某府办发〔{year}〕15号；不填则不写文号"),
    ("date", "成文日期", "如 {next}-01-20；不填则为生成报告当天"),
)
OFFICE_FIELDS = (
    ("province", "所在省（市）", "如 重庆市（报告写“视察重庆重要讲话”）"),
    ("city", "所在市（州）", "可不填"),
)


class ReportInfoBox(QGroupBox):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__("本年度报告信息", parent)
        self.store = store
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for key, label, _ in (*YEAR_FIELDS, *OFFICE_FIELDS):
            edit = QLineEdit()
            self.edits[key] = edit
            form.addRow(label, edit)

    def load(self, year: int) -> None:
        from app.core.report.text import office_words, report_setting

        cu = office_words(str(self.store.setting("county") or ""), "")["cu"]
        for key, _, placeholder in YEAR_FIELDS:
            self.edits[key].setText(report_setting(self.store, year, key))
            self.edits[key].setPlaceholderText(placeholder.format(year=year, next=year + 1, cu=cu))
        for key, _, placeholder in OFFICE_FIELDS:
            self.edits[key].setText(str(self.store.setting(key) or ""))
            self.edits[key].setPlaceholderText(placeholder)

    def save(self, year: int) -> tuple[int, str]:
        """Store what changed: (settings written, a problem to show or "").

        A 成文日期 is read as a clerk writes it (2025年1月20日, 2025/1/20 …) and kept as ISO;
        one that is no date is not saved.
        """
        from app.core.ledgers.validation import parse_date
        from app.core.report.text import report_setting

        changed, problem = 0, ""
        for key, _label, _ in YEAR_FIELDS:
            value = self.edits[key].text().strip()
            if key == "date" and value:
                try:
                    value = parse_date(value)
                except ValueError:
                    problem = f"成文日期“{value}”无法识别，没有保存（请写成 {year + 1}-01-20）"
                    continue
                self.edits[key].setText(value)
            if value != report_setting(self.store, year, key):
                self.store.set_setting(f"report.{year}.{key}", value)
                changed += 1
        for key, _, _ in OFFICE_FIELDS:
            value = self.edits[key].text().strip()
            if value != str(self.store.setting(key) or ""):
                self.store.set_setting(key, value)
                changed += 1
        return changed, problem
