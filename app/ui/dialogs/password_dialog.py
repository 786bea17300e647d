"""The password of the data file, as 设置 asks for it: a new password typed twice, said plainly
to encrypt the data file and its backups (not an "opening password"), and the recovery code
shown once with 复制 and 打印 so the clerk can keep it apart from the password.

The length and other rules of a password are the core's (``core.password``): its message is
shown as it is when it refuses one.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

NEW_TITLE = "设置密码（加密数据文件）"
CHANGE_TITLE = "修改密码（加密数据文件）"
EXPLAIN = (
    "设置密码后，本机的数据文件及其全部备份加密保存：没有密码或恢复码，任何人拷走文件也读不出其中的内容。"
    "打开程序、从备份恢复时需要输入密码。"
)
KEEP_APART = (
    "请点“复制”或“打印”，与密码分开妥善保管。忘记密码时，在密码框里输入恢复码同样能打开数据文件。"
    "密码和恢复码都丢失，数据将无法找回。"
)


class NewPasswordDialog(QDialog):
    """新密码 and 再输入一次; ``password()`` once accepted."""

    def __init__(self, parent: QWidget | None = None, *, change: bool = False):
        super().__init__(parent)
        self.setWindowTitle(CHANGE_TITLE if change else NEW_TITLE)
        lay = QVBoxLayout(self)
        explain = QLabel(EXPLAIN)
        explain.setWordWrap(True)
        lay.addWidget(explain)
        form = QFormLayout()
        self.first = QLineEdit()
        self.again = QLineEdit()
        for edit in (self.first, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("新密码：", self.first)
        form.addRow("再输入一次：", self.again)
        lay.addLayout(form)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        lay.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("加密数据文件" if not change else "修改密码")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.first.returnPressed.connect(self.again.setFocus)  # Enter: to the second box first
        self.setMinimumWidth(460)

    def password(self) -> str:
        return self.first.text()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def accept(self) -> None:
        if not self.first.text():
            self.show_problem("请输入新密码。")
            self.first.setFocus()
            return
        if self.again.text() != self.first.text():
            self.show_problem("两次输入的密码不一致，请再输入一次。")
            self.again.clear()
            self.again.setFocus()
            return
        super().accept()


def choose_printer(parent: QWidget | None):
    """A printer the clerk picks in the system's print dialog, or None (cancelled).

    QtPrintSupport is imported here only: nothing else of the program prints."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("打印恢复码")
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


def recovery_sheet(code: str, issuer: str = "", when: str = "") -> str:
    """The page printed for the safe: whose data, the code large, what it is for (HTML)."""
    who = html.escape(issuer or "本单位")
    return (
        "<div style='font-size:14pt'>"
        "<p style='font-size:20pt'><b>法治台账 恢复码</b></p>"
        f"<p>{who}的法治台账数据文件已设置密码并加密保存。</p><p>{html.escape(when)}</p>"
        f"<p style='font-size:24pt; font-family:monospace'><b>{html.escape(code)}</b></p>"
        "<p>忘记密码时，在程序的密码框里输入这个恢复码，同样能打开数据文件，然后可在“设置”中改设新密码。</p>"
        "<p><b>密码和恢复码都丢失，数据将无法找回。</b>请把这张纸与密码分开妥善保管，不要拍照上传到网上。</p>"
        "</div>"
    )


class RecoveryCodeDialog(QDialog):
    """The recovery code, once: 复制 to the clipboard, 打印 on paper, 我已妥善保存 to close."""

    def __init__(self, code: str, parent: QWidget | None = None, *, issuer: str = "", note: str = ""):
        super().__init__(parent)
        self.code = code
        self.issuer = issuer
        self.setWindowTitle("恢复码（只显示这一次）")
        lay = QVBoxLayout(self)
        head = QLabel("数据文件及其备份已加密。这是恢复码，只显示这一次：")
        head.setWordWrap(True)
        lay.addWidget(head)
        self.code_label = QLabel(code)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(18)
        font.setBold(True)
        self.code_label.setFont(font)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setStyleSheet("padding: 12px; background: #fdf6e3; border: 1px solid #d9c27a;")
        lay.addWidget(self.code_label)
        keep = QLabel(KEEP_APART)
        keep.setWordWrap(True)
        lay.addWidget(keep)
        self.note = QLabel(note)  # e.g. plain backups made elsewhere before the password
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        lay.addWidget(self.note)
        self.status = QLabel()
        self.status.setStyleSheet("color: #2e7d32;")
        lay.addWidget(self.status)
        row = QHBoxLayout()
        self.copy_button = QPushButton("复制")
        self.print_button = QPushButton("打印…")
        self.close_button = QPushButton("我已妥善保存")
        for b in (self.copy_button, self.print_button):
            b.setAutoDefault(False)
        self.close_button.setDefault(True)
        self.copy_button.clicked.connect(self.copy)
        self.print_button.clicked.connect(lambda: self.print_code())
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.copy_button)
        row.addWidget(self.print_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        lay.addLayout(row)
        self.setMinimumWidth(520)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)
        self.status.setText("恢复码已复制到剪贴板，请粘贴到安全的地方保存。")

    def print_code(self, printer=None) -> bool:
        """Print the recovery sheet on ``printer`` (default: the one the clerk picks)."""
        import datetime as dt

        from PySide6.QtGui import QTextDocument

        if printer is None:
            printer = choose_printer(self)
            if printer is None:
                return False
        doc = QTextDocument()
        today = dt.date.today()
        doc.setHtml(recovery_sheet(self.code, self.issuer, f"打印日期：{today.year}年{today.month}月{today.day}日"))
        doc.print_(printer)
        self.status.setText("恢复码已送去打印。")
        return True
