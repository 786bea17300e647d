"""File dialogs: one helper (app/ui/widgets/file_dialogs.py) opens every one of them, in
Chinese on Linux too; the report and returns dialogs start in the user's Documents folder
and remember the folder the clerk last chose.  Driven in Qt's own dialog by keys."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QFileDialog, QLabel, QLineEdit

from app.core import paths
from app.ui.widgets import file_dialogs
from tests.gui_harness import wait_until

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def documents(tmp_path, monkeypatch, qapp) -> Path:
    """A home folder with its Documents, and Qt's own file dialog allowed (the clerk answers it)."""
    from app.ui.app import load_translations

    load_translations(qapp)
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setattr(QFileDialog, "exec", QDialog.exec)  # conftest refuses it: here the test answers
    monkeypatch.setattr(file_dialogs, "native", lambda: False)  # Qt's own dialog, as on Linux
    return home / "Documents"


def _english(dlg: QFileDialog) -> list[str]:
    texts = [w.text() for w in dlg.findChildren(QLabel)] + [w.text() for w in dlg.findChildren(QAbstractButton)]
    return [t for t in texts if t and re.search(r"[A-Za-z]{3,}", t.replace("Excel", "").replace("Word", ""))]


def _answer(clerk, typed: str | None, seen: dict):
    """In the file dialog: note where it started, then type a file name and Enter (or Esc)."""

    def drive(dlg):
        assert isinstance(dlg, QFileDialog)
        seen["folder"] = Path(dlg.directory().absolutePath())
        seen["english"] = _english(dlg)
        seen["title"] = dlg.windowTitle()
        name = dlg.findChild(QLineEdit, "fileNameEdit")
        seen["name"] = name.text()
        if typed is None:
            clerk.key(Qt.Key_Escape)
        else:
            name.setFocus()
            clerk.key(Qt.Key_A, Qt.ControlModifier)
            clerk.type(typed)
            clerk.key(Qt.Key_Return)
        wait_until(lambda: not dlg.isVisible(), timeout=3)

    return drive


def test_returns_dialog_starts_in_documents_and_remembers_the_folder(clerk, qtbot, demo_store, documents, tmp_path):
    from app.ui.pages.returns_page import ReturnsPage

    page = ReturnsPage(demo_store, today=dt.date(2024, 8, 20))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    clerk.activate(page)
    qtbot.waitUntil(lambda: page._data is not None, timeout=20000)
    usb = tmp_path / "U盘"
    usb.mkdir()
    seen: dict = {}
    clerk.run_modal(lambda: clerk.click(page.export_button), _answer(clerk, str(usb / "二季度报表.xlsx"), seen))
    assert seen["folder"] == documents and seen["name"].endswith("报表.xlsx")
    assert seen["english"] == [] and seen["title"] == "导出报表"
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=30000)
    assert page.last_export == usb / "二季度报表.xlsx" and page.last_export.exists()

    again: dict = {}
    clerk.run_modal(lambda: clerk.click(page.export_button), _answer(clerk, None, again))
    assert again["folder"] == usb  # the folder chosen last time
    qtbot.waitUntil(lambda: not any(w.is_running() for w in page._workers), timeout=20000)


def test_report_dialog_starts_in_documents_then_in_the_folder_last_used(clerk, qtbot, demo_store, documents, tmp_path):
    from app.ui.pages.report_page import ReportPage

    page = ReportPage(demo_store)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    clerk.activate(page)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_year(2024)
    seen: dict = {}
    clerk.run_modal(lambda: clerk.click(page.generate_button), _answer(clerk, None, seen))
    assert seen["folder"] == documents and seen["english"] == []
    assert seen["name"] == "丰都县武平镇人民政府2024年法治政府建设情况报告.docx"
    assert page._build_worker is None  # cancelled: nothing written

    file_dialogs.remember_folder("report", str(tmp_path / "报告" / "x.docx"))  # a folder gone since
    again: dict = {}
    clerk.run_modal(lambda: clerk.click(page.generate_button), _answer(clerk, None, again))
    assert again["folder"] == documents
    file_dialogs.remember_folder("report", str(tmp_path))
    third: dict = {}
    clerk.run_modal(lambda: clerk.click(page.generate_button), _answer(clerk, None, third))
    assert third["folder"] == tmp_path


def test_every_file_dialog_goes_through_the_helper():
    """A QFileDialog opened anywhere else would be English on Linux and start anywhere."""
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path.name == "file_dialogs.py":
            continue
        if "QFileDialog" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_the_last_folder_is_kept_per_pc_and_per_purpose(documents, tmp_path):
    assert file_dialogs.last_folder("returns") == documents
    file_dialogs.remember_folder("returns", str(tmp_path / "a.xlsx"))
    assert file_dialogs.last_folder("returns") == tmp_path
    assert file_dialogs.last_folder("report") == documents  # another purpose starts on its own
    assert (paths.data_dir() / "window.ini").exists()  # this PC's file, not the database
