"""The period selector of the 报表 page and the 首页: a year, then 全年 / 上半年 / 下半年 /
a quarter / a month (/ 自定义时段 with two dates), and optional one-click picks (本月, 上月,
本季度, 上季度, 上半年, 下半年) in ``quick_bar``, which the page places (a second row keeps
the top bar narrow enough for a 1366-pixel screen)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core import periods
from app.ui.pages.figure_helpers import YearCombo

_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
PARTS: tuple[tuple[str, str], ...] = (
    ("全年", "Y"),
    ("上半年", "H1"),
    ("下半年", "H2"),
    *((q, f"Q{i}") for i, q in enumerate(_QUARTERS, 1)),
    *((f"{m}月", f"M{m}") for m in range(1, 13)),
)
CUSTOM = "R"
QUICK_PICKS: tuple[tuple[str, object], ...] = (
    ("本月", periods.this_month),
    ("上月", periods.last_month),
    ("本季度", periods.this_quarter),
    ("上季度", periods.last_quarter),
    ("上半年", lambda today: periods.half(today.year, 1)),
    ("下半年", lambda today: periods.half(today.year, 2)),
)


def part_of(period: periods.Period) -> str:
    if period.kind == "year":
        return "Y"
    if period.kind == "half":
        return f"H{1 if period.start.month == 1 else 2}"
    if period.kind == "quarter":
        return f"Q{(period.start.month - 1) // 3 + 1}"
    if period.kind == "month":
        return f"M{period.start.month}"
    return CUSTOM


def period_of(year: int, part: str) -> periods.Period:
    if part == "Y":
        return periods.year(year)
    if part[0] == "H":
        return periods.half(year, int(part[1:]))
    if part[0] == "Q":
        return periods.quarter(year, int(part[1:]))
    return periods.month(year, int(part[1:]))


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class PeriodPicker(QWidget):
    """``period()`` / ``set_period()``; ``changed(period)`` when the clerk picks another.
    With ``store`` the years run from next year down to the first year with data."""

    changed = Signal(object)

    def __init__(
        self, *, custom: bool = False, quick: bool = False, today: dt.date | None = None, store=None, parent=None
    ):
        super().__init__(parent)
        self.today = today or dt.date.today()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.year_combo = YearCombo(store=store, today=today)  # next year down to the first with data
        self.part_combo = QComboBox()
        for text, code in PARTS:
            self.part_combo.addItem(text, code)
        if custom:
            self.part_combo.addItem("自定义时段", CUSTOM)
        self.part_combo.setMaxVisibleItems(len(PARTS) + 1)
        lay.addWidget(QLabel("时段："))
        lay.addWidget(self.year_combo)
        lay.addWidget(self.part_combo)
        self.from_edit = self._date_edit()
        self.to_edit = self._date_edit()
        self.range_widgets = [self.from_edit, QLabel("至"), self.to_edit]
        for w in self.range_widgets:
            lay.addWidget(w)
            w.setVisible(False)
        self.quick_buttons: dict[str, QPushButton] = {}
        self.quick_bar: QWidget | None = None  # the one-click picks, for the page to place
        if quick:
            self.quick_bar = QWidget()
            quick_lay = QHBoxLayout(self.quick_bar)
            quick_lay.setContentsMargins(0, 0, 0, 0)
            quick_lay.setSpacing(4)
            quick_lay.addWidget(QLabel("快捷："))
            for text, pick in QUICK_PICKS:
                button = QPushButton(text)
                button.setToolTip(f"{text}：{pick(self.today).label}")
                button.setStyleSheet("padding: 2px 10px;")
                button.clicked.connect(lambda _=False, p=pick: self.set_period(p(self.today), emit=True))
                quick_lay.addWidget(button)
                self.quick_buttons[text] = button
        self.year_combo.currentIndexChanged.connect(self._picked)
        self.part_combo.currentIndexChanged.connect(self._picked)
        self.from_edit.dateChanged.connect(self._picked)
        self.to_edit.dateChanged.connect(self._picked)
        self._blocked = False

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy年M月d日")
        edit.setDate(_qdate(self.today))
        return edit

    def period(self) -> periods.Period:
        part = self.part_combo.currentData()
        if part == CUSTOM:
            start, end = _pydate(self.from_edit.date()), _pydate(self.to_edit.date())
            return periods.between(min(start, end), max(start, end))
        return period_of(self.year_combo.year(), part)

    def set_period(self, period: periods.Period, *, emit: bool = False) -> None:
        """Show ``period``; ``emit``: tell ``changed`` as a pick by the clerk would."""
        self._blocked = True
        try:
            self.year_combo.set_year(period.start.year)
            part = part_of(period)
            i = self.part_combo.findData(part)
            if i < 0:  # a range on a picker without 自定义: its year
                i = self.part_combo.findData("Y")
            self.part_combo.setCurrentIndex(i)
            self.from_edit.setDate(_qdate(period.start))
            self.to_edit.setDate(_qdate(period.end))
            self._show_range()
        finally:
            self._blocked = False
        if emit:
            self.changed.emit(self.period())

    def _show_range(self) -> None:
        custom = self.part_combo.currentData() == CUSTOM
        self.year_combo.setEnabled(not custom)
        for w in self.range_widgets:
            w.setVisible(custom)

    def _picked(self, *_args) -> None:
        if self._blocked:
            return
        if self.part_combo.currentData() == CUSTOM and not self.from_edit.isVisibleTo(self):
            year = self.year_combo.year()  # start the range on the year shown
            self._blocked = True
            self.from_edit.setDate(QDate(year, 1, 1))
            self.to_edit.setDate(QDate(year, 12, 31))
            self._blocked = False
        self._show_range()
        self.changed.emit(self.period())
