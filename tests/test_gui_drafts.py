"""Nothing typed is lost: drafts kept while typing, offered back after a kill, cleared after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from app.core.safety import drafts
from app.core.storage.store import Store
from app.ui.forms.record_form import RecordForm
from app.ui.pages.ledger_page import LedgerPage

ROOT = Path(__file__).resolve().parents[1]


def test_core_keeps_one_draft_per_ledger_out_of_settings_and_audit(store):
    audit_before = store.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    assert drafts.load(store, "study_sessions") is None
    drafts.save(store, "study_sessions", {"topic": "宪法", "participants": 25, "passed": None})
    drafts.save(store, "disputes", {"summary": "邻里"}, row_id=7)
    d = drafts.load(store, "study_sessions")
    assert d.values == {"topic": "宪法", "participants": 25} and d.row_id is None and d.saved_at
    assert drafts.load(store, "disputes").row_id == 7
    assert not any(drafts.is_draft_key(k) for k in store.settings())  # not an office setting
    assert store.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == audit_before
    drafts.clear(store, "study_sessions")
    assert drafts.load(store, "study_sessions") is None and drafts.load(store, "disputes") is not None
    store.conn.execute("UPDATE settings SET value = 'not json' WHERE key = 'draft.disputes'")
    assert drafts.load(store, "disputes") is None  # a damaged draft is no draft


def _form(clerk, qtbot, store, ledger="study_sessions", **kw) -> RecordForm:
    form = RecordForm(store, ledger, **kw)
    qtbot.addWidget(form)
    clerk.activate(form)
    return form


def test_focus_change_and_timer_keep_the_draft_save_clears_it(clerk, qtbot, store):
    form = _form(clerk, qtbot, store)
    clerk.click(form.widgets["topic"])
    clerk.type("宪法学习")
    assert drafts.load(store, "study_sessions") is None  # not yet: no focus change, no tick
    clerk.tab()  # focus moves on: the draft is written
    assert drafts.load(store, "study_sessions").values["topic"] == "宪法学习"
    clerk.type("25")
    qtbot.waitUntil(lambda: drafts.load(store, "study_sessions").values.get("participants") == 25, timeout=10000)
    for key in ("form", "audience"):
        form.widgets[key].setFocus()
        clerk.key(Qt.Key_Down)
    clerk.click(form.save_button)
    assert store.count("study_sessions") == 1 and not form.isVisible()
    assert drafts.load(store, "study_sessions") is None


def test_cancel_asks_and_only_discard_drops_the_draft(clerk, qtbot, store):
    form = _form(clerk, qtbot, store, "consultations")
    clerk.click(form.widgets["person"])
    clerk.type("王五")
    clerk.tab()
    assert drafts.load(store, "consultations") is not None
    clerk.answer_box("继续编辑")
    clerk.key(Qt.Key_Escape)
    assert form.isVisible() and drafts.load(store, "consultations") is not None
    clerk.answer_box("不保存")
    clerk.click(form.cancel_button)
    assert not form.isVisible() and drafts.load(store, "consultations") is None
    assert clerk.boxes == ["刚才录入的内容还没有保存。"] * 2

    unchanged = _form(clerk, qtbot, store, "consultations")
    clerk.key(Qt.Key_Escape)  # nothing typed: closes at once, no question
    assert not unchanged.isVisible() and len(clerk.boxes) == 2


def test_edit_draft_comes_back_into_the_same_row(clerk, qtbot, store):
    row_id = store.save("consultations", {"date": "2024-05-01", "channel": "电话", "matter": "土地"})
    form = _form(clerk, qtbot, store, "consultations", row_id=row_id)
    clerk.click(form.widgets["matter"])
    clerk.clear_field()
    clerk.type("土地承包")
    clerk.tab()
    form.close()  # closed from code (the program quit): the draft stays
    assert drafts.load(store, "consultations").row_id == row_id

    page = LedgerPage(store, "consultations")
    qtbot.addWidget(page)
    clerk.activate(page)
    clerk.answer_box("恢复")

    def drive(f):
        assert f.row_id == row_id and f.widgets["matter"].value() == "土地承包"
        clerk.click(f.save_button)

    clerk.run_modal(lambda: clerk.click(page.toolbar.widgetForAction(page.act_new)), drive)
    assert store.get("consultations", row_id)["matter"] == "土地承包" and store.count("consultations") == 1
    assert drafts.load(store, "consultations") is None


CHILD = r"""
import sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.core.safety import drafts
from app.core.storage.store import Store
from app.ui.forms.record_form import RecordForm
from tests.gui_harness import Clerk, wait_until

store = Store.open(sys.argv[1])
form = RecordForm(store, "study_sessions")
clerk = Clerk().watch()
clerk.activate(form)
clerk.click(form.widgets["topic"])
clerk.type("宪法学习")
wait_until(lambda: drafts.load(store, "study_sessions") is not None, timeout=15)  # the timer's tick
clerk.tab()
clerk.type("25")
clerk.tab()  # focus change
clerk.check()
print("TYPED", flush=True)
while True:  # the clerk is still at it when the power goes
    app.processEvents()
    time.sleep(0.02)
"""


def test_draft_survives_sigkill_and_the_next_new_offers_it(clerk, qtbot, db_path, tmp_path):
    Store.open(db_path).close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FAZHI_DATA_DIR=str(tmp_path / "child"))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "TYPED", line
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL

    store = Store.open(db_path)
    try:
        assert store.count("study_sessions") == 0
        page = LedgerPage(store, "study_sessions")
        qtbot.addWidget(page)
        clerk.activate(page)
        clerk.answer_box("恢复")

        def drive(form):
            assert form.widgets["topic"].value() == "宪法学习"
            assert form.widgets["participants"].value() == 25
            for key in ("form", "audience"):
                form.widgets[key].setFocus()
                clerk.key(Qt.Key_Down)
            clerk.key(Qt.Key_Return, Qt.ControlModifier)
            clerk.key(Qt.Key_Escape)

        page.table.setFocus()
        clerk.run_modal(lambda: clerk.key(Qt.Key_N, Qt.ControlModifier), drive)
        assert "上次录入的内容没有保存" in clerk.boxes[0]
        (row,) = store.rows("study_sessions")
        assert (row["topic"], row["participants"]) == ("宪法学习", 25)
        assert drafts.load(store, "study_sessions") is None

        clerk.run_modal(lambda: clerk.click(page.toolbar.widgetForAction(page.act_new)), lambda f: f.reject())
        assert len(clerk.boxes) == 1  # nothing to offer any more
    finally:
        store.close()
