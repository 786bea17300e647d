"""File dialogs in Chinese on every platform.

Windows' own dialog speaks the system's language.  Elsewhere Qt draws its own dialog, and
some of its words (the column headers, "Look in", "Detail View"…) are not all covered by
``qtbase_zh_CN``; so off Windows the dialog is Qt's, with every label set here.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget

LABELS = {
    QFileDialog.LookIn: "位置：",
    QFileDialog.FileName: "文件名：",
    QFileDialog.FileType: "文件类型：",
    QFileDialog.Reject: "取消",
}


class ChineseTypes(QFileIconProvider):
    """The 类型 column: "文件夹" and "DB 文件" where Qt says "Folder" and "db File"."""

    def type(self, info) -> str:
        if info.isDir():
            return "文件夹"
        suffix = info.suffix()
        return f"{suffix.upper()} 文件" if suffix else "文件"


_types = ChineseTypes()  # one for every dialog: the dialog does not own it


def native() -> bool:
    return sys.platform == "win32"


def _dialog(parent: QWidget | None, caption: str, start: str, filters: str) -> QFileDialog:
    dlg = QFileDialog(parent, caption, start, filters)
    dlg.setOption(QFileDialog.DontUseNativeDialog, not native())
    if not native():
        dlg.setIconProvider(_types)
    for label, text in LABELS.items():
        dlg.setLabelText(label, text)
    return dlg


def save_file_name(parent: QWidget | None, caption: str, start: str, filters: str) -> str:
    """The file the clerk chose to write, or '' (asks before overwriting one)."""
    if native():
        return QFileDialog.getSaveFileName(parent, caption, start, filters)[0]
    dlg = _dialog(parent, caption, start, filters)
    dlg.setAcceptMode(QFileDialog.AcceptSave)
    dlg.setFileMode(QFileDialog.AnyFile)
    dlg.setLabelText(QFileDialog.Accept, "保存")
    return dlg.selectedFiles()[0] if dlg.exec() else ""


def open_file_name(parent: QWidget | None, caption: str, start: str, filters: str) -> str:
    if native():
        return QFileDialog.getOpenFileName(parent, caption, start, filters)[0]
    dlg = _dialog(parent, caption, start, filters)
    dlg.setFileMode(QFileDialog.ExistingFile)
    dlg.setLabelText(QFileDialog.Accept, "打开")
    return dlg.selectedFiles()[0] if dlg.exec() else ""


def existing_directory(parent: QWidget | None, caption: str, start: str) -> str:
    if native():
        return QFileDialog.getExistingDirectory(parent, caption, start)
    dlg = _dialog(parent, caption, start, "")
    dlg.setFileMode(QFileDialog.Directory)
    dlg.setOption(QFileDialog.ShowDirsOnly, True)
    dlg.setLabelText(QFileDialog.Accept, "选择")
    return dlg.selectedFiles()[0] if dlg.exec() else ""
