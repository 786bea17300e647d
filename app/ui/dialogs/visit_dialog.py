"""记录走访: a small form for one visit to a key person, prefilled with the person and today."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store


class VisitDialog(QDialog):
    """Saves one row of 走访记录 through ``store.save('visits', …)``; ``saved_id`` after OK."""

    def __init__(self, store: Store, person: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.person = person
        self.saved_id: int | None = None
        self.setWindowTitle("记录走访")
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        who = f"{person.get('name') or ''}（{person.get('category') or ''}"
        if person.get("village"):
            who += f"，{person['village']}"
        who += "）"
        self.person_label = QLabel(who)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate.currentDate().addDays(1))
        self.visitor_edit = QLineEdit(person.get("responsible") or "")
        self.visitor_edit.setPlaceholderText("走访人姓名")
        self.method_combo = QComboBox()
        self.method_combo.addItems(list(store.choices("visits", "method")))
        self.record_edit = QPlainTextEdit()
        self.record_edit.setPlaceholderText("走访情况（思想、工作、生活等）")
        self.record_edit.setTabChangesFocus(True)
        form.addRow("重点人员：", self.person_label)
        form.addRow("日期 *：", self.date_edit)
        form.addRow("走访人 *：", self.visitor_edit)
        form.addRow("走访方式 *：", self.method_combo)
        form.addRow("情况记录：", self.record_edit)
        lay.addLayout(form)
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #c0392b;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        lay.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        lay.addWidget(buttons)
        self.visitor_edit.setFocus()

    def values(self) -> dict:
        return {
            "date": self.date_edit.date().toString("yyyy-MM-dd"),
            "person_id": int(self.person["id"]),
            "visitor": self.visitor_edit.text().strip(),
            "method": self.method_combo.currentText(),
            "record": self.record_edit.toPlainText().strip(),
        }

    def save(self) -> None:
        """Validate and save; on a problem show the reasons and keep the dialog open."""
        from app.core.ledgers.validation import ValidationError

        try:
            self.saved_id = self.store.save("visits", self.values())
        except ValidationError as exc:
            self.error_label.setText("\n".join(str(e) for e in exc.errors))
            self.error_label.show()
            return
        self.accept()
