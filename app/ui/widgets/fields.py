"""Input widgets the record form is built from, one per field kind.

Every widget has ``value()`` (what the clerk entered, as the validator takes it: text, an
int, a row id, or None when empty), ``set_value(v)`` and a ``changed`` signal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from app.core.validation import parse_date


class DateField(QWidget):
    """A date typed in any of the accepted forms, or picked from a calendar; may be empty."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("如 2024-03-05")
        self.edit.setMaximumWidth(160)
        self.button = QToolButton()
        self.button.setText("日历")
        self.button.setToolTip("从日历中选择（Alt+↓）")
        self.button.setFocusPolicy(Qt.NoFocus)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.menu = QMenu(self)
        action = QWidgetAction(self.menu)
        action.setDefaultWidget(self.calendar)
        self.menu.addAction(action)
        self.button.clicked.connect(self.popup)
        self.calendar.activated.connect(self._picked)
        self.calendar.clicked.connect(self._picked)
        lay.addWidget(self.edit)
        lay.addWidget(self.button)
        lay.addStretch(1)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(lambda _t: self.changed.emit())

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Down and event.modifiers() & Qt.AltModifier:
            self.popup()
            return
        super().keyPressEvent(event)

    def popup(self) -> None:
        try:
            d = dt.date.fromisoformat(parse_date(self.edit.text()))
            self.calendar.setSelectedDate(QDate(d.year, d.month, d.day))
        except ValueError:
            self.calendar.setSelectedDate(QDate.currentDate())
        self.menu.popup(self.edit.mapToGlobal(self.edit.rect().bottomLeft()))
        self.calendar.setFocus()

    def _picked(self, date: QDate) -> None:
        self.edit.setText(date.toString("yyyy-MM-dd"))
        self.menu.hide()
        self.edit.setFocus()

    def value(self) -> str | None:
        return self.edit.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))


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


class IntField(QSpinBox):
    """A count; blank (shown empty) until the clerk types a number."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(-1, 10_000_000)
        self.setSpecialValueText(" ")
        self.setValue(-1)
        self.setMaximumWidth(140)
        self.valueChanged.connect(lambda _v: self.changed.emit())

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        if self.value() < 0:
            self.lineEdit().clear()

    def value(self) -> int | None:  # type: ignore[override]
        v = super().value()
        return None if v < 0 else v

    def set_value(self, value: Any) -> None:
        self.setValue(-1 if value is None else int(value))


class DecimalField(QDoubleSpinBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(2)
        self.setRange(-1, 1e12)
        self.setSpecialValueText(" ")
        self.setValue(-1)
        self.setGroupSeparatorShown(True)
        self.setMaximumWidth(180)
        self.valueChanged.connect(lambda _v: self.changed.emit())

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        if self.value() is None:
            self.lineEdit().clear()

    def value(self) -> float | None:  # type: ignore[override]
        v = super().value()
        return None if v < 0 else v

    def set_value(self, value: Any) -> None:
        self.setValue(-1 if value is None else float(value))


class PersonField(QComboBox):
    """Pick a 重点人员 by name (shown with village and category); typing filters the list."""

    changed = Signal()

    def __init__(self, people: list[dict], parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.NoInsert)
        self.lineEdit().setPlaceholderText("输入姓名或身份证号")
        for p in people:
            extra = "，".join(x for x in (p.get("village"), p.get("category")) if x)
            self.addItem(f"{p['name']}（{extra}）" if extra else p["name"], p["id"])
        self.setCurrentIndex(-1)
        self.completer().setFilterMode(Qt.MatchContains)
        self.completer().setCompletionMode(QCompleter.PopupCompletion)
        self.setMinimumContentsLength(16)
        self.currentTextChanged.connect(lambda _t: self.changed.emit())

    def value(self) -> int | str | None:
        text = self.currentText().strip()
        if not text:
            return None
        i = self.findText(text)
        if i >= 0:
            return self.itemData(i)
        return text  # a bare name or ID number: the validator resolves it or says why not

    def set_value(self, value: Any) -> None:
        i = self.findData(value) if value is not None else -1
        self.setCurrentIndex(i)
        if i < 0:
            self.setEditText("" if value is None else str(value))
