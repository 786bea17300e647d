"""改写段落: the clerk rewords one paragraph of the report; its numbers are atomic tokens.

Each token (a figure, a phrase, a word from settings, a "有记录时才写" condition) sits in the
text as ONE object character drawn as a tinted box, 〔法治学习教育：10余〕: the cursor steps
over it, typing never lands inside it, Backspace removes it whole.  Saving goes through
``paragraphs.save``: a paragraph that lost one of its numbers is refused with the reason shown
under the text (the dialog stays open); 恢复默认 puts the default wording back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QPainter,
    QPyTextObject,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

OBJECT_CHAR = "\ufffc"
TOKEN_TYPE = QTextFormat.ObjectTypes.UserObject + 1
NAME_PROP = QTextFormat.Property.UserProperty + 1  # the token as written, e.g. study.sessions|approx
SHOWN_PROP = QTextFormat.Property.UserProperty + 2  # what the box shows
NUMBER_PROP = QTextFormat.Property.UserProperty + 3  # a figure or phrase (a number): tinted orange


class TokenPainter(QPyTextObject):
    """Draws a token's object character as 〔label：value〕 in a tinted box (``QPyTextObject``
    is PySide's QObject + QTextObjectInterface, which a Python class cannot declare itself)."""

    PAD = 3.0

    def intrinsicSize(self, doc, pos, fmt) -> QSizeF:
        fm = QFontMetricsF(doc.defaultFont())
        text = f"〔{fmt.property(SHOWN_PROP)}〕"
        return QSizeF(fm.horizontalAdvance(text) + 2 * self.PAD, fm.height())

    def drawObject(self, painter: QPainter, rect: QRectF, doc, pos, fmt) -> None:
        painter.save()
        number = bool(fmt.property(NUMBER_PROP))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#fdebd0" if number else "#e8f0fe"))
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        painter.setPen(QColor("#1a5276"))
        painter.setFont(doc.defaultFont())
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"〔{fmt.property(SHOWN_PROP)}〕")
        painter.restore()


class TokenEdit(QTextEdit):
    """A one-paragraph editor over token-language text (see ``app.core.report.tokens``)."""

    def __init__(self, describe, parent: QWidget | None = None):
        super().__init__(parent)
        self._describe = describe  # token name -> (shown text, is a number)
        self._painter = TokenPainter(self)
        self.document().documentLayout().registerHandler(TOKEN_TYPE, self._painter)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)

    def set_source(self, source: str) -> None:
        from app.core.report.tokens import split

        self.clear()
        cur = QTextCursor(self.document())
        plain = QTextCharFormat()
        for piece in split(source):
            if isinstance(piece, tuple):
                self._insert_token(cur, piece[0])
            else:
                cur.insertText(piece, plain)
        self.moveCursor(QTextCursor.MoveOperation.End)

    def insert_token(self, name: str) -> None:
        self._insert_token(self.textCursor(), name)
        self.setFocus()

    def _insert_token(self, cur: QTextCursor, name: str) -> None:
        shown, number = self._describe(name)
        fmt = QTextCharFormat()
        fmt.setObjectType(TOKEN_TYPE)
        fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignBaseline)
        fmt.setProperty(NAME_PROP, name)
        fmt.setProperty(SHOWN_PROP, shown)
        fmt.setProperty(NUMBER_PROP, number)
        cur.insertText(OBJECT_CHAR, fmt)
        cur.setCharFormat(QTextCharFormat())  # what is typed next is plain text

    def source(self) -> str:
        """The text in the token language: each object character back as 〔name〕."""
        out: list[str] = []
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                fmt = frag.charFormat()
                if fmt.objectType() == TOKEN_TYPE:
                    out.append(f"〔{fmt.property(NAME_PROP)}〕" * frag.text().count(OBJECT_CHAR))
                else:
                    out.append(frag.text().replace(OBJECT_CHAR, ""))
                it += 1
            block = block.next()
        return "".join(out)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            return  # one paragraph: no line breaks
        super().keyPressEvent(event)

    def insertFromMimeData(self, source) -> None:
        """Paste text only (a copied token box comes back as its 〔name〕, checked on save)."""
        if source.hasText():
            self.textCursor().insertText(source.text().replace(OBJECT_CHAR, ""), QTextCharFormat())

    def inputMethodEvent(self, event) -> None:
        self.setCurrentCharFormat(QTextCharFormat())  # a commit never inherits a token's format
        super().inputMethodEvent(event)


class ParagraphDialog(QDialog):
    """改写 one paragraph of ``year`` (the wording is kept from that year on)."""

    saved = Signal(str)

    def __init__(self, store: Store, year: int, para_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        from app.core.report import paragraphs, text

        self.store, self.year, self.para_id = store, year, para_id
        self._ctx, _ = text.store_context(store, year)
        label = paragraphs.label(para_id)
        self.setWindowTitle(f"改写段落：{label}")
        lay = QVBoxLayout(self)
        own = paragraphs.own_text(store, year, para_id)
        whose = "默认文字" if own is None else f"本单位{own[1]}年改写的文字"
        head = QLabel(f"<b>{label}</b>　现为{whose}。保存后从{year}年起使用，以后各年沿用，直到再次改写。")
        head.setWordWrap(True)
        hint = QLabel(
            "带底色的方框是来自台账的数字（橙色）和来自设置的词语、条件（蓝色），作为一个整体移动或删除，"
            "不能在框内修改。数字不能删除；某个数字为0时，它所在的分句会自动省略。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        self.edit = TokenEdit(self._describe)
        self.edit.setMinimumHeight(220)
        self.edit.set_source(paragraphs.source(store, year, para_id))

        pick = QHBoxLayout()
        self.token_combo = QComboBox()
        for t in paragraphs.required(para_id) + self._words():
            self.token_combo.addItem(f"〔{self._describe(t.name)[0]}〕", t.name)
        self.insert_button = QPushButton("插入")
        self.insert_button.clicked.connect(lambda: self.edit.insert_token(self.token_combo.currentData()))
        pick.addWidget(QLabel("插入数字或词语："))
        pick.addWidget(self.token_combo, 1)
        pick.addWidget(self.insert_button)

        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b;")
        self.error_label.hide()

        buttons = QHBoxLayout()
        self.default_button = QPushButton("恢复默认")
        self.default_button.clicked.connect(self.restore_default)
        self.save_button = QPushButton("保存")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.default_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        for w in (head, hint, self.edit):
            lay.addWidget(w)
        lay.addLayout(pick)
        lay.addWidget(self.error_label)
        lay.addLayout(buttons)
        self.resize(760, 460)

    def _words(self) -> list:
        """Words from settings offered for insertion besides the paragraph's own numbers."""
        from app.core.report import paragraphs

        names = ("year", "we", "town", "county", "province", "city", "basis_title", "basis_no")
        return [paragraphs.parse(name) for name in names]

    def _describe(self, name: str) -> tuple[str, bool]:
        from app.core.report import paragraphs, text

        try:
            token = paragraphs.parse(name)
        except ValueError:
            return f"无效：{name}", False
        return text.token_display(self._ctx, token), token.is_number

    def restore_default(self) -> None:
        from app.core.report import paragraphs

        self.edit.set_source(paragraphs.defaults()[self.para_id])
        self.error_label.hide()

    def save(self) -> None:
        from app.core.report import paragraphs

        try:
            paragraphs.save(
                self.store, self.year, self.para_id, self.edit.source(), describe=lambda t: self._describe(t.name)[0]
            )
        except ValueError as exc:
            self.error_label.setText(f"没有保存：{exc}")
            self.error_label.show()
            return
        self.saved.emit(self.para_id)
        self.accept()
