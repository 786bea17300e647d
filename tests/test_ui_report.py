"""年度报告 page: findings, free-text sections saved per year, numbers linked to their rows,
and the one button that writes the .docx off the GUI thread."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.core import checks
from app.core.figures.compute import rows_for
from app.ui.pages import report_page
from app.ui.pages.report_page import ReportPage
from app.ui.widgets import file_dialogs


@pytest.fixture
def page(qtbot, demo_store):
    p = ReportPage(demo_store)
    p.resize(1200, 800)
    qtbot.addWidget(p)
    with qtbot.waitSignal(p.loaded, timeout=20000):
        p.set_year(2024)
    return p


def _anchor_cursor(browser, href: str) -> QTextCursor:
    """A cursor inside the first link to ``href`` in a QTextBrowser's document."""
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.charFormat().anchorHref() == href:
                cur = QTextCursor(browser.document())
                cur.setPosition(frag.position() + max(1, frag.length() // 2))
                return cur
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href}")


def test_findings_are_listed(page, demo_store):
    found = checks.run(demo_store, 2024)
    assert page.findings_list.count() == max(1, len(found))
    if found:
        assert found[0].title in page.findings_list.item(0).text()


def test_free_text_section_is_saved_to_the_database(qtbot, page, demo_store):
    text = "本年度无其他需要报告的情况。"
    page.left_tabs.setCurrentIndex(1)
    page.section_edits["other"].setPlainText(text)
    with qtbot.waitSignal(page.loaded, timeout=20000):
        qtbot.mouseClick(page.save_texts_button, Qt.MouseButton.LeftButton)
    assert demo_store.report_text(2024, "other") == text
    assert demo_store.report_text(2023, "other") is None
    assert text in page.preview.toPlainText()
    # the default texts of 三/四 were not stored just because they were shown
    assert demo_store.report_text(2024, "shortcomings") is None


def test_texts_follow_the_year(qtbot, page, demo_store):
    demo_store.set_report_text(2023, "other", "二〇二三年的其他情况。")
    page.section_edits["other"].setPlainText("二〇二四年的其他情况。")
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_year(2023)
    assert page.section_edits["other"].toPlainText() == "二〇二三年的其他情况。"
    assert demo_store.report_text(2024, "other") == "二〇二四年的其他情况。"  # kept when leaving 2024


def test_clicking_a_marked_number_opens_its_rows(qtbot, page, demo_store):
    page.show()
    qtbot.waitExposed(page)
    href = "fig:2024:enforcement.inspections"
    assert href in page.preview.toHtml()
    cur = _anchor_cursor(page.preview, href)
    page.preview.setTextCursor(cur)
    page.preview.ensureCursorVisible()
    pos = page.preview.cursorRect(cur).center()
    with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
        qtbot.mouseClick(page.preview.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    ledger, ids = rows_for(demo_store, 2024, "enforcement.inspections")[0]
    assert sig.args == [ledger, ids]
    assert len(ids) == 114


def test_generate_writes_the_docx(qtbot, page, demo_store, tmp_path, monkeypatch):
    out = tmp_path / "out" / "报告.docx"
    out.parent.mkdir()
    asked = {}

    def fake_dialog(parent, caption, suggested, filters, **kwargs):
        asked["suggested"] = suggested
        return str(out)

    monkeypatch.setattr(file_dialogs, "save_file_name", fake_dialog)
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    assert not page.generate_button.isEnabled()
    qtbot.waitUntil(lambda: page.last_report is not None, timeout=120000)
    assert out.exists() and out.stat().st_size > 10000
    assert page.last_report == out
    assert asked["suggested"].endswith("丰都县武平镇人民政府2024年法治政府建设情况报告.docx")
    assert not page.done_bar.isHidden() and page.generate_button.isEnabled()
    opened = []
    monkeypatch.setattr(report_page.QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url)))
    qtbot.mouseClick(page.open_folder_button, Qt.MouseButton.LeftButton)
    assert opened and opened[0].toLocalFile() == str(out.parent)


def test_cancelled_file_dialog_writes_nothing(qtbot, page, monkeypatch):
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: "")
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    assert page._build_worker is None and page.last_report is None


def test_clicking_a_finding_opens_its_rows(qtbot, page, demo_store):
    found = [f for f in checks.run(demo_store, 2024) if f.row_ids]
    assert found
    item = page.findings_list.item(0)
    assert found[0].title in item.text()
    page.show()
    qtbot.waitExposed(page)
    rect = page.findings_list.visualItemRect(item)
    with qtbot.waitSignal(page.open_rows, timeout=2000) as sig:
        qtbot.mouseClick(page.findings_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [found[0].ledger, list(found[0].row_ids)]


def test_charts_tick_box_leaves_out_the_charts_and_is_remembered(qtbot, page, demo_store, tmp_path, monkeypatch):
    """(issue 17) 附带图表 unticked by a click: the report has no picture and no 附件; the office's
    choice is kept in its settings and the next page opens with it."""
    import zipfile

    out = tmp_path / "无图.docx"
    monkeypatch.setattr(report_page.file_dialogs, "save_file_name", lambda *a, **k: str(out))
    page.show()
    qtbot.waitExposed(page)
    assert page.charts_box.isChecked()  # a new office: with charts
    qtbot.mouseClick(page.charts_box, Qt.MouseButton.LeftButton)
    assert not page.charts_box.isChecked()
    assert demo_store.setting(report_page.CHARTS_SETTING) == "0"
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_report is not None, timeout=120000)
    with zipfile.ZipFile(out) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
    assert "<w:drawing" not in xml and "附件" not in xml
    again = ReportPage(demo_store)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert not again.charts_box.isChecked()
    qtbot.mouseClick(again.charts_box, Qt.MouseButton.LeftButton)
    assert again.charts_box.isChecked() and demo_store.setting(report_page.CHARTS_SETTING) == "1"


def test_the_office_writes_a_fact_and_the_report_says_it(qtbot, page, demo_store):
    """(issue 17) a fact no ledger records, typed in 本单位情况, is saved for the year on and
    printed where its sentence stands; emptied, the sentence goes."""
    from app.core.report import paragraphs

    from .gui_harness import Clerk

    clerk = Clerk(qtbot).watch()
    page.left_tabs.setCurrentIndex(1)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    edit = page.fact_edits["visitors"]
    page.left_tabs.widget(1).ensureWidgetVisible(edit)  # the tab scrolls, as the clerk would
    assert edit.toPlainText().startswith("〔unit〕平安法治岗")  # the demo office wrote it in 2023
    clerk.click(edit)
    clerk.clear_field()
    clerk.type("镇综治中心")
    with qtbot.waitSignal(page.loaded, timeout=20000):
        clerk.click(page.save_texts_button)
    assert paragraphs.own_text(demo_store, 2024, "fact.visitors") == ("镇综治中心", 2024)
    assert "镇综治中心对辖区内刑释安置帮教对象及社区矫正对象每月开展定期走访" in page.document.plain_text()
    clerk.click(edit)
    clerk.clear_field()
    with qtbot.waitSignal(page.loaded, timeout=20000):
        clerk.click(page.save_texts_button)
    clerk.stop()
    assert "综治中心" not in page.document.plain_text()
    assert "对辖区内刑释安置帮教对象及社区矫正对象每月开展定期走访" in page.document.plain_text()


def test_the_plan_editor_shows_the_year_s_own_words(qtbot, page, demo_store):
    """(issue 17) 四、 in the editor is the year's default as it will print: no template code,
    no meeting held after the year (2023: not the 三中全会 of July 2024)."""
    plan = page.section_edits["plan"].toPlainText()
    assert "{{" not in plan and "党的二十大、二十届二中及三中全会" in plan
    with qtbot.waitSignal(page.loaded, timeout=20000):
        page.year_combo.set_year(2023)
    plan = page.section_edits["plan"].toPlainText()
    assert "三中全会" not in plan and "党的二十大、二十届二中全会" in plan
    assert demo_store.report_text(2024, "plan") is None  # the untouched default is not stored
