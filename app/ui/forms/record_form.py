"""The record form, generated from the catalog: one widget per field, checked as you type.

Keys: Enter moves to the next field (Shift+Enter is a new line in long text; after the last
field to 保存, where Enter saves), Ctrl+S saves and closes as 保存 does, Ctrl+Enter saves and
starts the next record keeping the date and the choices, Esc cancels (asking first when
something was typed).  What is typed is kept as a draft (``core.drafts``) every
few seconds and whenever focus moves, so a crash loses nothing.  The
validator is the same one import and the command line use, so the reason shown beside a
field is the reason any other path would give; ``store.save`` writes in one transaction,
so nothing is ever half saved.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Field
from app.core.ledgers.validation import ValidationError
from app.core.safety import drafts
from app.core.storage import query
from app.core.storage.common import StoreError
from app.ui.widgets.fields import (
    ChoiceField,
    DateField,
    DecimalField,
    IntField,
    LongTextField,
    NamesField,
    RefField,
    TextField,
)
from app.ui.window_place import FRAME, available

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

log = logging.getLogger(__name__)
KEEP_KINDS = ("date", "choice")  # what Ctrl+Enter carries over to the next record
ROSTERS = {"officers": ("enforcement_officers", "name")}  # names fields completed from a roster


def make_widget(store: Store, lg: catalog.Ledger, f: Field) -> QWidget:
    if f.kind == "date":
        return DateField()
    if f.kind == "choice":
        return ChoiceField(store.choices(lg.id, f.key), f.required)
    if f.kind == "int":
        return IntField()
    if f.kind == "decimal":
        return DecimalField()
    if f.kind == "longtext":
        return LongTextField()
    if f.kind == "ref":
        return ref_widget(store, catalog.get(f.ref))
    if f.kind == "names":
        roster = ROSTERS.get(f.key)
        names = store.names_of(*roster) if roster else query.distinct_values(store, lg.id, f.key)
        return NamesField(names)
    if f.kind == "idcard":
        w = TextField()
        w.setMaxLength(18)
        w.setPlaceholderText("18位，末位可为X")
        return w
    if f.kind == "text":
        words = query.distinct_values(store, lg.id, f.key)
        if f.key == catalog.VILLAGE:
            villages = list(store.setting("villages") or [])
            words = villages + [w for w in words if w not in villages]
        return TextField(words)
    return TextField()


def ref_widget(store: Store, target: catalog.Ledger) -> RefField:
    """A picker of ``target``'s rows: each shown by its title with its ``picker_fields``
    (张三（新村，社区矫正对象）), typed as its title or its ``lookup_field`` (输入姓名或身份证号)."""
    choices = []
    for row in query.pick_list(store, target.id):
        extra = "，".join(str(row[k]) for k in target.picker_fields if row[k] not in (None, ""))
        title = str(row["title"])
        choices.append((row["id"], f"{title}（{extra}）" if extra else title))
    typed = [target.field(k).label for k in (target.title_field, target.lookup_field) if k]
    return RefField(choices, "输入" + "或".join(typed) if typed else "")


class RecordForm(QDialog):
    """新增 or 编辑 one row.  ``saved(row_id)`` fires after every successful save."""

    saved = Signal(int)
    DRAFT_INTERVAL_MS = 3000

    def __init__(self, store: Store, ledger_id: str, row_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.ledger = catalog.get(ledger_id)
        self.row_id = row_id
        self.widgets: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.errors: dict[str, str] = {}
        self.touched: set[str] = set()
        self.saved_count = 0
        self.setWindowTitle(f"{'编辑' if row_id else '新增'} — {self.ledger.name}")
        self.setModal(True)
        self._build()
        if row_id is not None:
            row = store.get(self.ledger.id, row_id, include_deleted=True)
            if row is None:
                raise StoreError(f"{self.ledger.name}中没有编号为 {row_id} 的记录")
            self.set_values(row)
            self.touched = set(self.widgets)
            self._show_incomplete(row)
        else:
            self._fill_defaults()
        self.validate()
        self._baseline = self.raw()  # what "no changes" means
        self._drafted = self._baseline
        self._draft_timer = QTimer(self)
        self._draft_timer.setInterval(self.DRAFT_INTERVAL_MS)
        self._draft_timer.timeout.connect(self.keep_draft)
        self._draft_timer.start()
        QTimer.singleShot(0, self.focus_first)

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        form_host = QWidget()
        host_lay = QVBoxLayout(form_host)
        form = QFormLayout()
        host_lay.addLayout(form)
        host_lay.addStretch(1)  # spare height goes below the fields, not between them
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignTop)
        form.setRowWrapPolicy(QFormLayout.DontWrapRows)
        for f in self.ledger.fields:
            w = make_widget(self.store, self.ledger, f)
            w.setObjectName(f"field_{f.key}")
            w.setToolTip(f.help)
            w.changed.connect(lambda key=f.key: self._changed(key))
            self._watch_keys(w)
            err = QLabel()
            err.setObjectName(f"error_{f.key}")
            err.setStyleSheet("color: #c0392b;")
            err.setWordWrap(True)
            err.hide()
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(w)
            box.addWidget(err)
            label = QLabel(f"{f.label}{'＊' if f.required else ''}：")
            if f.required:
                label.setToolTip("必填")
            label.setBuddy(w)
            form.addRow(label, cell)
            self.widgets[f.key] = w
            self.error_labels[f.key] = err
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setFocusPolicy(Qt.NoFocus)  # Tab goes from 取消 straight back to the first field
        outer.addWidget(scroll)

        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")
        self.hint = QLabel()  # why 保存 is still greyed out, before the fields are touched
        self.hint.setStyleSheet("color: #777;")
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        status_box = QVBoxLayout()
        status_box.addWidget(self.status)
        status_box.addWidget(self.hint)
        buttons.addLayout(status_box, 1)
        self.save_next_button = QPushButton("保存并新增 (Ctrl+Enter)")
        self.save_button = QPushButton("保存")
        self.cancel_button = QPushButton("取消 (Esc)")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_next_button.setAutoDefault(False)
        self.cancel_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_and_close)
        self.save_next_button.clicked.connect(self.save_and_next)
        self.cancel_button.clicked.connect(self.cancel)
        for b in (self.save_next_button, self.save_button, self.cancel_button):
            buttons.addWidget(b)
        outer.addLayout(buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.save_and_next)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save_and_close)  # Ctrl+S, as 保存
        self.save_button.setToolTip("保存并关闭（Ctrl+S；在最后一栏按 Enter 到这里，再按 Enter 保存）")
        self.save_button.installEventFilter(self)  # Enter on 保存 saves (it is not a default button)
        area = available(self)  # the fields scroll rather than push the form off the screen
        height = min(form_host.sizeHint().height() + 110, area.height() - FRAME[1])
        self.resize(min(640, area.width() - FRAME[0]), height)

    def _show_incomplete(self, row: dict[str, Any]) -> None:
        """A 待补充 row (an import could not read everything): say what is missing and what
        the cells said, above the fields; saving it whole completes it."""
        from app.ui.models.ledger_model import incomplete_fields, lacking_text

        lacking = incomplete_fields(row)
        self.incomplete_banner = QLabel()
        self.incomplete_banner.setObjectName("incomplete_banner")
        self.incomplete_banner.setWordWrap(True)
        self.incomplete_banner.setStyleSheet(
            "background: #fff6e0; color: #7a4500; border: 1px solid #f0c060; padding: 6px; border-radius: 3px;"
        )
        if not lacking:
            self.incomplete_banner.hide()
            return
        self.incomplete_banner.setText(
            f"这条记录是导入的，还不完整。{lacking_text(self.ledger, lacking)}。请补全后保存（保存后不再标为待补充）。"
        )
        self.layout().insertWidget(0, self.incomplete_banner)
        for key, text in lacking.items():
            if key in self.widgets and text:
                self.widgets[key].setToolTip(f"导入时表格中写的是“{text}”，程序没有认出")

    def _watch_keys(self, w: QWidget) -> None:
        w.installEventFilter(self)
        for child in w.findChildren(QWidget):
            child.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.FocusOut:
            self.keep_draft()
        if event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            mods = event.modifiers() & ~Qt.KeypadModifier
            if obj is self.save_button:
                if mods == Qt.NoModifier:
                    self.save_and_close()
                    return True
                return False
            if mods & Qt.ControlModifier:
                self.save_and_next()
                return True
            if mods & Qt.ShiftModifier and isinstance(obj, LongTextField):
                return False  # a new line inside long text
            if mods == Qt.NoModifier:
                if getattr(obj, "completer", None) and callable(obj.completer):
                    comp = obj.completer()
                    if comp is not None and comp.popup().isVisible():
                        return False
                self.focus_next(obj)
                return True
        return super().eventFilter(obj, event)

    def focus_next(self, obj: QObject) -> None:
        """Focus the field after the one holding ``obj``; after the last, the 保存 button (Enter
        there saves), or, while something is missing, the first field to fix, with its reason:
        Enter never leaves the clerk on a greyed-out button wondering whether it saved."""
        keys = list(self.widgets)
        for i, key in enumerate(keys):
            w = self.widgets[key]
            if obj is w or (isinstance(obj, QWidget) and w.isAncestorOf(obj)):
                if i + 1 < len(keys):
                    self.widgets[keys[i + 1]].setFocus(Qt.TabFocusReason)
                elif self.validate(show_all=True):
                    self.save_button.setFocus(Qt.TabFocusReason)
                else:
                    self._focus_error()
                return

    def focus_first(self) -> None:
        for f in self.ledger.fields:
            w = self.widgets[f.key]
            if f.kind not in KEEP_KINDS or not self.saved_count:
                w.setFocus()
                return

    # -- values ---------------------------------------------------------------------------

    def raw(self) -> dict[str, Any]:
        return {key: w.value() for key, w in self.widgets.items()}

    def set_values(self, row: dict[str, Any]) -> None:
        for key, w in self.widgets.items():
            w.blockSignals(True)
            w.set_value(row.get(key))
            w.blockSignals(False)
        self.validate()

    def _fill_defaults(self) -> None:
        date = self.ledger.date_field
        if date and self.ledger.field(date).required:
            self.widgets[date].set_value(dt.date.today().isoformat())

    def clear_for_next(self) -> None:
        """Empty the fields for the next record, keeping dates and choices."""
        keep = {f.key for f in self.ledger.fields if f.kind in KEEP_KINDS}
        for f in self.ledger.fields:
            if f.key not in keep:
                w = self.widgets[f.key]
                w.blockSignals(True)
                w.set_value(None)
                w.blockSignals(False)
        self.touched = set()
        self.row_id = None
        self.setWindowTitle(f"新增 — {self.ledger.name}")
        self.validate()
        self._baseline = self._drafted = self.raw()

    # -- checking -------------------------------------------------------------------------

    def _changed(self, key: str) -> None:
        self.touched.add(key)
        self.status.clear()
        self.validate()

    def validate(self, show_all: bool = False) -> bool:
        _clean, errors = self.store.validator(self.ledger.id).clean(self.raw())
        self.errors = {}
        for e in errors:
            self.errors.setdefault(e.key, e.message)
        if show_all:
            self.touched |= set(self.errors)
        visible = set(self.touched)
        for rule in self.ledger.rules:  # a cross-field reason shows once any of its fields is touched
            if visible.intersection(rule.fields):
                visible.update(rule.fields)
        for key, label in self.error_labels.items():
            msg = self.errors.get(key) if key in visible else None
            label.setText(msg or "")
            label.setVisible(bool(msg))
        self.save_button.setEnabled(not self.errors)
        self.save_next_button.setEnabled(not self.errors)
        hidden = [self.ledger.field(k).label for k in self.errors if k not in visible]
        self.hint.setText(f"还需填写：{'、'.join(hidden)}" if hidden else "")
        return not self.errors

    # -- drafts and leaving ---------------------------------------------------------------

    def has_changes(self) -> bool:
        return self.raw() != self._baseline

    def keep_draft(self) -> None:
        """Write what is typed as the ledger's draft (or drop it when nothing is)."""
        values = self.raw()
        if values == self._drafted:
            return
        try:
            if values == self._baseline:
                drafts.clear(self.store, self.ledger.id)
            else:
                drafts.save(self.store, self.ledger.id, values, self.row_id)
            self._drafted = values
        except Exception:  # a draft must never get in the way of typing
            log.exception("keeping the draft of %s", self.ledger.id)

    def drop_draft(self) -> None:
        try:
            drafts.clear(self.store, self.ledger.id)
        except Exception:
            log.exception("dropping the draft of %s", self.ledger.id)
        self._drafted = self.raw()

    def restore(self, values: dict[str, Any]) -> None:
        """Bring back a draft's values (the form then has changes to save)."""
        self.set_values({key: values.get(key) for key in self.widgets})
        self.touched = {k for k, v in values.items() if v is not None and k in self.widgets}
        self.validate()
        self._drafted = self.raw()

    def ask_discard(self) -> bool:
        """True when the clerk chooses 不保存; Esc or 继续编辑 keeps the form open."""
        box = QMessageBox(QMessageBox.Question, "还没有保存", "刚才录入的内容还没有保存。", parent=self)
        box.setInformativeText("不保存就关闭，还是继续编辑？")
        discard = box.addButton("不保存", QMessageBox.DestructiveRole)
        keep = box.addButton("继续编辑", QMessageBox.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        for name in ("qt_msgbox_label", "qt_msgbox_informativelabel"):  # one line, not "继续编 / 辑"
            label = box.findChild(QLabel, name)
            if label is not None:
                label.setMinimumWidth(label.fontMetrics().horizontalAdvance("不保存就关闭，还是继续编辑？") + 8)
        box.exec()
        return box.clickedButton() is discard

    def cancel(self) -> bool:
        """Esc, 取消 or the window's close button: ask before throwing typing away.

        Closing from code (the program quitting) keeps the draft instead: nothing is lost."""
        if self.has_changes() and not self.ask_discard():
            return False
        self.drop_draft()
        self.reject()
        return True

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape and event.modifiers() == Qt.NoModifier:
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        if event.spontaneous() and self.isVisible() and not self.cancel():
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._draft_timer.stop()
        super().done(result)

    # -- saving ---------------------------------------------------------------------------

    def save(self) -> int | None:
        """Validate and write; the row id, or None (the reasons are shown at the fields)."""
        if not self.validate(show_all=True):
            self._focus_error()
            return None
        try:
            row_id = self.store.save(self.ledger.id, self.raw(), self.row_id)
        except ValidationError as exc:
            for e in exc.errors:
                self.errors.setdefault(e.key, e.message)
            self.validate(show_all=True)
            return None
        except StoreError as exc:
            QMessageBox.warning(self, "无法保存", str(exc))
            return None
        self.saved_count += 1
        self.row_id = row_id
        self.drop_draft()
        self._baseline = self.raw()
        self.saved.emit(row_id)
        return row_id

    def _focus_error(self) -> None:
        for f in self.ledger.fields:
            if f.key in self.errors:
                self.widgets[f.key].setFocus()
                return

    def save_and_close(self) -> None:
        if self.save() is not None:
            self.accept()

    def save_and_next(self) -> None:
        row_id = self.save()
        if row_id is None:
            return
        self.clear_for_next()
        self.status.setText(f"已保存第 {self.saved_count} 条，请录入下一条")
        self.focus_first()
