"""帮助: the short Chinese guide shipped with the program (``resources/help/guide.html``),
read offline in a ``QTextBrowser`` beside the window (F1, or 帮助 → 使用指南)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.core.paths import resource

GUIDE = ("help", "guide.html")


def guide_path() -> Path:
    """Where the guide is, from the source tree or inside the bundle (``paths.resource``)."""
    return resource(*GUIDE)


class HelpDialog(QDialog):
    """The guide, with its table of contents as links; not modal, so the clerk can follow it
    while working in the window."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("法治台账 — 使用指南")
        self.setModal(False)
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)  # nothing leaves the program
        self.browser.setOpenLinks(True)
        path = guide_path()
        if path.is_file():
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
        else:  # a damaged install: say so rather than show an empty window
            self.browser.setPlainText(f"找不到使用指南文件：{path}\n请重新安装本程序。")
        lay.addWidget(self.browser, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.close)
        lay.addWidget(buttons)
        self.resize(760, 620)
        if parent is not None:  # never taller than the screen it opens on (1366×768 laptops)
            from app.ui.window_place import FRAME, available

            area = available(parent)
            self.resize(min(760, area.width() - FRAME[0]), min(620, area.height() - FRAME[1]))

    def text(self) -> str:
        return self.browser.toPlainText()
