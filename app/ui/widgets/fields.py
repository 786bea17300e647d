"""Input widgets the record form is built from, one per field kind.

Every widget has ``value()`` (what the clerk entered, as the validator takes it: text, an
int, a row id, or None when empty), ``set_value(v)`` and a ``changed`` signal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QRegularExpression, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QWidget,
    QWidgetAction,
)

from app.core.ledgers.validation import parse_date, parse_decimal, parse_int


def _calendar_icon() -> QIcon:
    """A small drawn calendar (no image file to ship, same on every platform)."""
    pix = QPixmap(16, 16)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setPen(QColor("#555"))
    p.drawRect(1, 2, 13, 12)
    p.fillRect(2, 3, 12, 3, QColor("#c0392b"))
    for x in (4, 7, 10):
        for y in (8, 11):
            p.drawPoint(x, y)
    p.end()
    return QIcon(pix)


class DateField(QLineEdit):
    """A date typed in any of the accepted forms, or picked from a calendar; may be empty.

    One line edit with the calendar as its trailing button: a wrapper widget with a focus
    proxy broke Qt's Tab chain (Tab stayed in the date), so the field is the edit itself.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText("如 2024-03-05")
        self.setMaximumWidth(180)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.menu = QMenu(self)
        action = QWidgetAction(self.menu)
        action.setDefaultWidget(self.calendar)
        self.menu.addAction(action)
        self.button = self.addAction(_calendar_icon(), QLineEdit.TrailingPosition)
        self.button.setToolTip("从日历中选择（Alt+↓）")
        self.button.triggered.connect(self.popup)
        self.calendar.activated.connect(self._picked)
        self.calendar.clicked.connect(self._picked)
        self.textChanged.connect(lambda _t: self.changed.emit())

    def focusInEvent(self, event) -> None:
        """Reached by keyboard or on opening (the new form puts today's date here): the date
        is selected, so what the clerk types replaces it instead of being appended to it."""
        super().focusInEvent(event)
        if event.reason() != Qt.MouseFocusReason:
            QTimer.singleShot(0, self.selectAll)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Down and event.modifiers() & Qt.AltModifier:
            self.popup()
            return
        super().keyPressEvent(event)

    def popup(self) -> None:
        try:
            d = dt.date.fromisoformat(parse_date(self.text()))
            self.calendar.setSelectedDate(QDate(d.year, d.month, d.day))
        except ValueError:
            self.calendar.setSelectedDate(QDate.currentDate())
        self.menu.popup(self.mapToGlobal(self.rect().bottomLeft()))
        self.calendar.setFocus()

    def _picked(self, date: QDate) -> None:
        self.setText(date.toString("yyyy-MM-dd"))
        self.menu.hide()
        self.setFocus()

    def value(self) -> str | None:
        return self.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else str(value))


class ChoiceField(QComboBox):
    """A fixed list; starts empty ("请选择…") so nothing is chosen by accident."""

    changed = Signal()

    def __init__(self, choices: tuple[str, ...], required: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(False)
        self.required = required
        if not required:
            self.addItem("")
        self.addItems(list(choices))
        self.setPlaceholderText("请选择…")
        self.setCurrentIndex(-1)
        self.setMinimumContentsLength(8)
        self.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def value(self) -> str | None:
        return self.currentText() or None

    def set_value(self, value: Any) -> None:
        if value in (None, ""):
            self.setCurrentIndex(-1 if self.required else 0)
            return
        i = self.findText(str(value))
        if i < 0:  # a value no longer in the list: keep it visible rather than lose it
            self.addItem(str(value))
            i = self.count() - 1
        self.setCurrentIndex(i)


class TextField(QLineEdit):
    changed = Signal()

    def __init__(self, completions: list[str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if completions:
            comp = QCompleter(completions, self)
            comp.setFilterMode(Qt.MatchContains)
            comp.setCaseSensitivity(Qt.CaseInsensitive)
            self.setCompleter(comp)
        self.textChanged.connect(lambda _t: self.changed.emit())

    def value(self) -> str | None:
        return self.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else str(value))


class NamesField(TextField):
    """Several names separated by 、; the completer completes the name being typed."""

    SEPARATORS = "、，,；; "

    def __init__(self, names: list[str], parent: QWidget | None = None):
        super().__init__(None, parent)
        self.setPlaceholderText("多个姓名用、分隔")
        self._names = QStringListModel(names, self)
        comp = QCompleter(self._names, self)
        comp.setCaseSensitivity(Qt.CaseInsensitive)
        comp.setFilterMode(Qt.MatchStartsWith)
        comp.setWidget(self)
        comp.activated.connect(self._insert)
        self._comp = comp
        self.textEdited.connect(self._complete)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if event.reason() != Qt.PopupFocusReason:
            self._comp.popup().hide()

    def _current_part(self) -> tuple[int, str]:
        text = self.text()[: self.cursorPosition()]
        start = max(text.rfind(c) for c in self.SEPARATORS) + 1
        return start, text[start:]

    def _complete(self, _text: str) -> None:
        _start, part = self._current_part()
        if not part:
            self._comp.popup().hide()
            return
        self._comp.setCompletionPrefix(part)
        if self._comp.completionCount():
            self._comp.complete()
        else:
            self._comp.popup().hide()

    def _insert(self, name: str) -> None:
        start, _part = self._current_part()
        rest = self.text()[self.cursorPosition() :]
        head = self.text()[:start] + name + "、"
        self.setText(head + rest)
        self.setCursorPosition(len(head))

    def value(self) -> str | None:
        text = self.text().strip().strip("、，,；;").strip()
        return text or None


class LongTextField(QPlainTextEdit):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setFixedHeight(56)
        self.setPlaceholderText("Shift+Enter 换行")
        self.textChanged.connect(self.changed.emit)

    def value(self) -> str | None:
        return self.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        self.setPlainText("" if value is None else str(value))


class NumberField(QLineEdit):
    """A count or an amount, typed as text: empty means "not filled".

    A spin box cannot be empty, so it needs a hidden sentinel (-1 shown blank) that every
    caller must remember; a line edit holds what the clerk typed and nothing else.  Only digits
    (half- or full-width, from an input method too), group commas and, for amounts, a decimal
    point are accepted.  ``value()`` is the number, or the text when it is not one yet, so the
    validator gives its Chinese reason; Up/Down step a count by one.
    """

    changed = Signal()
    PATTERN = r"[0-9０-９,，]{0,12}"
    parse = staticmethod(parse_int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(self.PATTERN), self))
        self.setMaximumWidth(160)
        self.setInputMethodHints(Qt.ImhFormattedNumbersOnly)
        self.textChanged.connect(lambda _t: self.changed.emit())

    def value(self) -> Any:
        text = self.text().strip().translate(_NUMBER_PUNCT)
        if not text:
            return None
        try:
            return self.parse(text)
        except ValueError:
            return text

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else _plain_number(value))

    def keyPressEvent(self, event) -> None:
        step = {Qt.Key_Up: 1, Qt.Key_Down: -1}.get(event.key())
        v = self.value()
        if step and event.modifiers() == Qt.NoModifier and (v is None or isinstance(v, (int, float))):
            self.set_value(max(0, (v or 0) + step))
            return
        super().keyPressEvent(event)


_NUMBER_PUNCT = str.maketrans({"，": ",", "．": ".", "。": "."})


def _plain_number(value: Any) -> str:
    """12 for 12 and 12.0, 1200.5 for 1200.50: what a clerk would type."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class IntField(NumberField):
    """A count (参加人数 …); empty until the clerk types a number."""


class DecimalField(NumberField):
    """An amount in 元, two decimals at most."""

    PATTERN = r"[0-9０-９,，]{0,15}([.．。][0-9０-９]{0,2})?"
    parse = staticmethod(parse_decimal)

    def keyPressEvent(self, event) -> None:
        QLineEdit.keyPressEvent(self, event)  # no stepping: an amount is typed


class RefField(QComboBox):
    """Pick a row of the ledger a reference points at (a 重点人员 by name, shown with village
    and category); typing filters the list.  ``choices``: (row id, what the list shows)."""

    changed = Signal()

    def __init__(self, choices: list[tuple[int, str]], placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.NoInsert)
        self.lineEdit().setPlaceholderText(placeholder)
        for row_id, text in choices:
            self.addItem(text, row_id)
        self.setCurrentIndex(-1)
        self.completer().setFilterMode(Qt.MatchContains)
        self.completer().setCompletionMode(QCompleter.PopupCompletion)
        self.setMinimumContentsLength(16)
        self.currentTextChanged.connect(lambda _t: self.changed.emit())

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if event.reason() != Qt.PopupFocusReason:
            self.completer().popup().hide()  # Tab moved on: the suggestions go with it

    def value(self) -> int | str | None:
        text = self.currentText().strip()
        if not text:
            return None
        i = self.findText(text)
        if i >= 0:
            return self.itemData(i)
        return text  # a bare title or lookup value (ID number): the validator resolves it or says why not

    def set_value(self, value: Any) -> None:
        i = self.findData(value) if value is not None else -1
        self.setCurrentIndex(i)
        if i < 0:
            self.setEditText("" if value is None else str(value))
