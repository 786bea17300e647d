"""Small pieces shared by the 首页, 年度报告 and 重点人群 pages: the year selector, figure
labels and values as a clerk reads them, and "the rows behind" a figure or a finding."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from app.ui.widgets.titles import page_title

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

SEVERITY_TEXT = {"error": "错误", "warning": "提醒", "warn": "提醒", "info": "提示"}
SEVERITY_COLOR = {"error": "#c0392b", "warning": "#b9770e", "warn": "#b9770e", "info": "#2e86c1"}


def default_year(today: dt.date | None = None) -> int:
    """The year a clerk most likely works on: last year in January–February (report time)."""
    today = today or dt.date.today()
    return today.year - 1 if today.month <= 2 else today.year


def suggest_year(store: Store, today: dt.date | None = None, share: float = 0.2) -> int:
    """The year to open on: ``default_year`` unless it has hardly begun in the ledgers.

    Starts from the latest year up to ``default_year`` that holds rows (empty years between,
    as when an office brings in workbooks of two years ago, are passed over; with no rows in
    the last five years, ``default_year``), then walks back while a year holds fewer than
    ``share`` of the rows of the year before (a few rows dated ahead), at most five years.
    Counts use the date indexes, a few milliseconds per ledger and year even on large databases.
    """
    from app.core.ledgers import catalog

    dated = [lg.id for lg in catalog.LEDGERS if lg.date_field]

    @functools.cache  # a year is counted once, whichever step asks
    def total(year: int) -> int:
        return sum(store.count(lg, year) for lg in dated)

    start = default_year(today)
    year = next((y for y in range(start, start - 6, -1) if total(y)), start)
    rows = total(year)
    for _ in range(5):
        before = total(year - 1)
        if rows >= share * before or before == 0:
            break
        year, rows = year - 1, before
    return year


class YearCombo(QComboBox):
    """Next year down to the first year with data (ten back without a store), newest first;
    ``year()`` / ``set_year()``."""

    def __init__(self, year: int | None = None, parent=None, store: Store | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.store = store
        self.today = today
        for y in self._years():
            self.addItem(f"{y}年", y)
        self.set_year(year or default_year(today))

    def _years(self) -> list[int]:
        if self.store is not None:
            from app.core.storage.query import year_choices

            return year_choices(self.store, today=self.today)
        this = (self.today or dt.date.today()).year
        return list(range(this + 1, this - 11, -1))

    def reload(self) -> None:
        """The years again, keeping the one shown: an import or a saved record may have
        brought an earlier year, and the list offers it at once (no restart)."""
        years = self._years()
        if years == [self.itemData(i) for i in range(self.count())]:
            return
        current = self.currentData()
        blocked = self.blockSignals(True)
        try:
            self.clear()
            for y in years:
                self.addItem(f"{y}年", y)
            if current is not None:
                self.set_year(int(current))
        finally:
            self.blockSignals(blocked)

    def showPopup(self) -> None:
        self.reload()  # data written on another page since this one was built
        super().showPopup()

    def year(self) -> int:
        return int(self.currentData())

    def set_year(self, year: int) -> None:
        i = self.findData(year)
        if i < 0:  # outside the list (old data): add it in order
            pos = next((k for k in range(self.count()) if self.itemData(k) < year), self.count())
            self.insertItem(pos, f"{year}年", year)
            i = pos
        self.setCurrentIndex(i)


def year_bar(title: str, store: Store | None = None) -> tuple[QHBoxLayout, YearCombo]:
    """The top bar of a page about one year: its title, then 年度 and the year selector."""
    bar = QHBoxLayout()
    year_combo = YearCombo(store=store)
    bar.addWidget(page_title(title))
    bar.addSpacing(16)
    bar.addWidget(QLabel("年度："))
    bar.addWidget(year_combo)
    return bar, year_combo


def muted_label(text: str = "") -> QLabel:
    """Grey status text (what was refreshed, how many rows)."""
    label = QLabel(text)
    label.setStyleSheet("color: #777;")
    return label


def figure_info(key: str) -> tuple[str, str]:
    """(label, unit) of a figure, falling back to the key."""
    from app.core.figures.definitions import FIGURES

    fig = FIGURES.get(key)
    return (fig.label, fig.unit) if fig else (key, "")


def format_value(key: str, value: Any) -> str:
    """Exact numbers for the screen (the report rounds with 余, the dashboard does not)."""
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value)) or "—"
    _, unit = figure_info(key)
    if unit == "%" or isinstance(value, float):
        from app.core.figures.approx import rate

        return rate(value)
    return f"{value}"


def trend(now: Any, before: Any) -> str:
    """↑ / ↓ / 持平 between two numbers; empty when either is not a number."""
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return ""
    if now > before:
        return "↑"
    if now < before:
        return "↓"
    return "持平"


def first_rows(entries: list[tuple[str, list[int]]]) -> tuple[str, list[int]] | None:
    """The first (ledger, ids) with rows, else the first entry, else None."""
    for ledger, ids in entries:
        if ids:
            return ledger, list(ids)
    return (entries[0][0], list(entries[0][1])) if entries else None


def finding_attr(f: Any, name: str, default: Any = None) -> Any:
    """A finding's field, whether it is a dataclass/namedtuple or a dict."""
    if isinstance(f, dict):
        return f.get(name, default)
    return getattr(f, name, default)
