"""改写 a paragraph of the report in the window, as a clerk: click 改写 in the preview, type
Chinese through the input method, keep the numbers (atomic tokens), save; the preview and the
.docx carry the new words with the right numbers; a number cannot be dropped or typed into."""

from __future__ import annotations

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.core.report import paragraphs
from app.ui.dialogs.paragraph_dialog import NAME_PROP, OBJECT_CHAR
from app.ui.pages.report_page import EDIT_LINK, ReportPage
from app.ui.widgets import file_dialogs

from .test_ui_form import type_text
from .test_ui_report import _anchor_cursor

pytest.importorskip("pytestqt")

MINE = "全镇干部还参加了宪法宣传周活动。"


@pytest.fixture
def page(qtbot, demo_store):
    p = ReportPage(demo_store)
    p.resize(1200, 800)
    qtbot.addWidget(p)
    with qtbot.waitSignal(p.loaded, timeout=20000):
        p.set_year(2024)
    p.show()
    qtbot.waitExposed(p)
    return p


def click_edit(qtbot, page, para_id: str):
    """Click the 改写 link after ``para_id`` in the preview; the dialog that opens."""
    href = f"edit:{para_id}"
    cur = _anchor_cursor(page.preview, href)
    page.preview.setTextCursor(cur)
    page.preview.ensureCursorVisible()
    qtbot.mouseClick(page.preview.viewport(), Qt.MouseButton.LeftButton, pos=page.preview.cursorRect(cur).center())
    dialog = page.paragraph_dialog
    qtbot.waitExposed(dialog)
    return dialog


def token_position(edit, name: str) -> int:
    """Where the token ``name`` sits in the editor's text."""
    text = edit.toPlainText()
    for pos, ch in enumerate(text):
        if ch == OBJECT_CHAR:
            cur = QTextCursor(edit.document())
            cur.setPosition(pos + 1)
            if cur.charFormat().property(NAME_PROP) == name:
                return pos
    raise AssertionError(f"no token {name}")


def click_after(qtbot, edit, pos: int) -> None:
    """Click just after the character at ``pos``, then step with the arrow keys if needed."""
    cur = QTextCursor(edit.document())
    cur.setPosition(pos + 1)
    qtbot.mouseClick(edit.viewport(), Qt.MouseButton.LeftButton, pos=edit.cursorRect(cur).center())
    while edit.textCursor().position() < pos + 1:
        qtbot.keyClick(edit, Qt.Key.Key_Right)
    while edit.textCursor().position() > pos + 1:
        qtbot.keyClick(edit, Qt.Key.Key_Left)


def test_every_paragraph_of_one_and_two_has_an_edit_link(page):
    shown = page.preview.toHtml()
    for para_id in paragraphs.ids():
        assert f"edit:{para_id}" in shown, para_id
    assert EDIT_LINK in page.preview.toPlainText()


def test_reword_a_paragraph_of_one_by_keyboard_and_input_method(qtbot, page, demo_store, tmp_path, monkeypatch):
    dialog = click_edit(qtbot, page, "study")
    edit = dialog.edit
    assert "〔study.sessions|approx〕" in edit.source()
    assert edit.toPlainText().count(OBJECT_CHAR) == edit.source().count("〔")  # one object per token
    qtbot.mouseClick(edit.viewport(), Qt.MouseButton.LeftButton, pos=edit.viewport().rect().center())
    qtbot.keyClick(edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, edit, MINE)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    stored = demo_store.report_text(2024, "study")
    assert stored.endswith(MINE) and "〔study.sessions|approx〕" in stored
    # the preview: the new words, the number still a link to its rows
    study = page.document.paragraph("study")
    assert study.text.endswith("全年共组织开展法治学习教育10余次。" + MINE)
    assert [study.text[s.start : s.end] for s in study.spans] == ["10余"]
    assert "fig:2024:study.sessions" in page.preview.toHtml()
    # next year starts from this wording
    assert paragraphs.own_text(demo_store, 2025, "study") == (stored, 2024)

    out = tmp_path / "报告.docx"
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: str(out))
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_report is not None, timeout=120000)
    body = [p.text for p in docx.Document(str(out)).paragraphs]
    assert any(t.endswith("全年共组织开展法治学习教育10余次。" + MINE) for t in body)


def test_a_number_cannot_be_dropped_or_typed_into(qtbot, page, demo_store):
    dialog = click_edit(qtbot, page, "duty_example")
    edit = dialog.edit
    name = "study.all_staff_trainings"
    pos = token_position(edit, name)
    # typing right after the number adds text beside it: the token stays whole
    click_after(qtbot, edit, pos)
    type_text(qtbot, edit, "（含线上）")
    assert f"〔{name}〕（含线上）场次" in edit.source()
    # Backspace at the token removes it whole, and saving is refused with the reason
    click_after(qtbot, edit, pos)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert name not in edit.source() and "场次" in edit.source()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "缺少数字" in dialog.error_label.text() and "全体干部职工法治专题培训" in dialog.error_label.text()
    assert demo_store.report_text(2024, "duty_example") is None
    # put it back from the list of the paragraph's numbers, save
    click_after(qtbot, edit, pos - 1)
    dialog.token_combo.setFocus()
    index = dialog.token_combo.findData(name)
    while dialog.token_combo.currentIndex() != index:
        qtbot.keyClick(dialog.token_combo, Qt.Key.Key_Down)
    qtbot.mouseClick(dialog.insert_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "全年组织全体干部职工开展法治专题培训6（含线上）场次。" in page.document.paragraph("duty_example").text


def test_restore_default_and_year_fields(qtbot, page, demo_store):
    demo_store.set_report_text(2024, "opening", "〔year〕年，〔we〕认真落实《〔basis_title〕》〔basis_no〕。")
    # 工作要点 title typed on the page; 成文日期 as a clerk writes it
    for key, text in (("basis_title", "二〇二四年全县法治工作要点"), ("date", "2025年2月3日")):
        box = page.year_edits[key]
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
        box.selectAll()
        qtbot.keyClick(box, Qt.Key.Key_Delete)
        type_text(qtbot, box, text)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(page.save_texts_button, Qt.MouseButton.LeftButton)
    assert demo_store.setting("report.2024.date") == "2025-02-03"
    opening = page.document.paragraph("opening").text
    assert opening == "2024年，我镇认真落实《二〇二四年全县法治工作要点》（丰都府办发〔2024〕15号）。"
    assert page.document.blocks[-1].text == "2025年2月3日"

    dialog = click_edit(qtbot, page, "opening")
    qtbot.mouseClick(dialog.default_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert demo_store.report_text(2024, "opening") is None
    assert "习近平总书记视察重庆重要讲话" in page.document.paragraph("opening").text
