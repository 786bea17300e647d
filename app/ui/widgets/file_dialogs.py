"""File dialogs: the one helper every dialog of the program goes through.

Chinese on every platform: Windows' own dialog speaks the system's language.  Elsewhere Qt
draws its own dialog, and some of its words (the column headers, "Look in", "Detail View"…)
are not all covered by ``qtbase_zh_CN``; so off Windows the dialog is Qt's, with every label
set here.

Where it starts: with ``folder=`` (a purpose: ``"report"``, ``"returns"``, ``"export"``,
``"packs"``, ``"import"``) a dialog opens in the folder last used for that purpose, or the
user's Documents folder the first time, and remembers the folder the clerk chose (per PC, in
``window.ini`` of the data folder beside the window's place: another PC has other folders).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QFileIconProvider, QWidget

from app.core import paths

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


def documents_dir() -> Path:
    """The user's Documents folder (QStandardPaths), or the home folder when there is none."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def _settings() -> QSettings:
    return QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)


def last_folder(purpose: str) -> Path:
    """The folder last chosen for ``purpose`` (if it is still there), else Documents."""
    saved = _settings().value(f"folders/{purpose}", "")
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    return documents_dir()


def remember_folder(purpose: str, path: str) -> None:
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    settings = _settings()
    settings.setValue(f"folders/{purpose}", str(folder))
    settings.sync()


def _start(start: str, folder: str | None) -> str:
    """``start`` (a file name or a path) placed in the folder for ``folder``'s purpose."""
    if folder is None:
        return start
    name = Path(start).name if start else ""
    base = last_folder(folder)
    return str(base / name) if name else str(base)


def _run(dlg: QFileDialog) -> list[str]:
    """Show Qt's own dialog modally: the chosen paths, or [] when cancelled."""
    return dlg.selectedFiles() if dlg.exec() == QDialog.DialogCode.Accepted else []


def _choose(
    parent: QWidget | None, caption: str, start: str, filters: str, folder: str | None, mode: QFileDialog.FileMode
) -> list[str]:
    """The paths chosen in a dialog of ``mode`` (``AnyFile``: a file to write; ``ExistingFile``
    or ``ExistingFiles``: to read), or [] when cancelled; with ``folder`` the dialog starts in
    the folder last used for that purpose and remembers the one chosen."""
    start = _start(start, folder)
    save = mode == QFileDialog.AnyFile
    if native():
        if save:
            chosen = [QFileDialog.getSaveFileName(parent, caption, start, filters)[0]]
        elif mode == QFileDialog.ExistingFile:
            chosen = [QFileDialog.getOpenFileName(parent, caption, start, filters)[0]]
        else:
            chosen = list(QFileDialog.getOpenFileNames(parent, caption, start, filters)[0])
        chosen = [c for c in chosen if c]
    else:
        dlg = _dialog(parent, caption, start, filters)
        if save:
            dlg.setAcceptMode(QFileDialog.AcceptSave)
        dlg.setFileMode(mode)
        dlg.setLabelText(QFileDialog.Accept, "保存" if save else "打开")
        chosen = _run(dlg)
    if chosen and folder:
        remember_folder(folder, chosen[0])
    return chosen


def save_file_name(parent: QWidget | None, caption: str, start: str, filters: str, *, folder: str | None = None) -> str:
    """The file the clerk chose to write, or '' (asks before overwriting one)."""
    return next(iter(_choose(parent, caption, start, filters, folder, QFileDialog.AnyFile)), "")


def open_file_name(parent: QWidget | None, caption: str, start: str, filters: str, *, folder: str | None = None) -> str:
    """One existing file, or ''."""
    return next(iter(_choose(parent, caption, start, filters, folder, QFileDialog.ExistingFile)), "")


def open_file_names(
    parent: QWidget | None, caption: str, start: str, filters: str, *, folder: str | None = None
) -> list[str]:
    """Several existing files at once (e.g. a year's workbooks), or []."""
    return _choose(parent, caption, start, filters, folder, QFileDialog.ExistingFiles)


def existing_directory(parent: QWidget | None, caption: str, start: str) -> str:
    if native():
        return QFileDialog.getExistingDirectory(parent, caption, start)
    dlg = _dialog(parent, caption, start, "")
    dlg.setFileMode(QFileDialog.Directory)
    dlg.setOption(QFileDialog.ShowDirsOnly, True)
    dlg.setLabelText(QFileDialog.Accept, "选择")
    return next(iter(_run(dlg)), "")
