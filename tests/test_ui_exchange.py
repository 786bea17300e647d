"""数据交换 page driven as a clerk does: the office typed, ledgers ticked, the password typed
twice, a pack saved; on the other PC the pack chosen, its password typed, the preview read,
确认合并 clicked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.core.demo.generator import fill
from app.core.exchange.pack import make_pack
from app.core.storage.store import Store
from app.ui.pages.exchange_page import ExchangePage
from app.ui.widgets import file_dialogs
from tests.test_ui_form import type_text

pytest.importorskip("pytestqt")

SIFASUO = ("disputes", "consultations", "key_persons", "visits", "legal_literates")


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    type_text(qtbot, widget, text)


@pytest.fixture
def pc_a(tmp_path):
    s = Store.open(tmp_path / "a.db")
    fill(s, 2024)
    yield s
    s.close()


@pytest.fixture
def pc_b(tmp_path):
    s = Store.open(tmp_path / "b.db")
    yield s
    s.close()


def test_a_pack_made_on_one_pc_and_merged_on_another(qtbot, pc_a, pc_b, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    out = tmp_path / "司法所数据包.fzpack"
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: str(out))
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: str(out))

    page = ExchangePage(pc_a)
    qtbot.addWidget(page)
    page.show()
    line = page.office.lineEdit()
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key_Delete)
    type_text(qtbot, line, "司法所")
    click(qtbot, page.save_office_button)
    assert pc_a.setting("office") == "司法所"

    assert all(c.isChecked() for c in page.ledger_checks.values())  # the demo fills every ledger
    click(qtbot, page.none_button)
    for key in SIFASUO:
        click(qtbot, page.ledger_checks[key])
    assert page.chosen_ledgers() == [k for k in page.ledger_checks if k in SIFASUO]
    assert "必须设置密码" in page.pack_hint.text()

    click(qtbot, page.pack_button)  # no password: refused before asking where to save
    assert warnings[-1].startswith("数据包含有重点人员") and not out.exists()
    type_into(qtbot, page.password, "wuping2024")
    type_into(qtbot, page.password_again, "wuping2025")
    click(qtbot, page.pack_button)
    assert "不一致" in warnings[-1] and not out.exists()
    type_into(qtbot, page.password_again, "wuping2024")
    click(qtbot, page.pack_button)
    qtbot.waitUntil(lambda: page.last_pack is not None, timeout=30000)
    assert out.exists() and "已加密" in page.pack_result.text() and "走访记录 1461 条" in page.pack_result.text()

    other = ExchangePage(pc_b)
    qtbot.addWidget(other)
    other.show()
    click(qtbot, other.choose_button)  # the preview starts at once, and asks for the password
    qtbot.waitUntil(lambda: "设有密码" in other.counts.text(), timeout=30000)
    assert not other.merge_button.isEnabled()
    type_into(qtbot, other.merge_password, "wrong")
    qtbot.keyClick(other.merge_password, Qt.Key_Return)
    qtbot.waitUntil(lambda: "密码不正确" in other.counts.text(), timeout=30000)
    other.merge_password.selectAll()
    qtbot.keyClick(other.merge_password, Qt.Key_Delete)
    type_into(qtbot, other.merge_password, "wuping2024")
    qtbot.keyClick(other.merge_password, Qt.Key_Return)
    qtbot.waitUntil(lambda: other.preview is not None, timeout=30000)
    assert "来自武平镇司法所" in other.counts.text()
    new = sum(pc_a.count(k) for k in SIFASUO)
    gone = sum(pc_a.count(k, deleted=True) for k in SIFASUO)
    assert f"新增 {new}，更新 0，删除 {gone}，冲突 0" in other.counts.text()
    assert pc_b.count("visits") == 0 and other.merge_button.isEnabled()

    with qtbot.waitSignal(other.changed, timeout=30000):
        click(qtbot, other.merge_button)
    qtbot.waitUntil(lambda: other.last_merge is not None, timeout=30000)
    assert "已合并" in other.merge_result.text()
    assert pc_b.count("visits") == pc_a.count("visits") and pc_b.count("disputes") == pc_a.count("disputes")
    assert pc_b.count("penalties") == 0  # only what was ticked
    # the same pack again: nothing to merge
    click(qtbot, other.preview_button)
    qtbot.waitUntil(lambda: other.preview is not None, timeout=30000)
    assert "新增 0，更新 0，删除 0，冲突 0" in other.counts.text() and not other.merge_button.isEnabled()


def test_the_preview_lists_conflicts(qtbot, tmp_path, monkeypatch):
    a = Store.open(tmp_path / "a.db")
    fill(a, 2024)
    a.set_setting("office", "执法大队")
    make_pack(a, tmp_path / "1.fzpack", ["penalties"])
    b = Store.open(tmp_path / "b.db")
    b.set_setting("office", "党政办")
    from app.core.exchange.merge import merge_pack

    merge_pack(b, tmp_path / "1.fzpack")
    row = b.rows("penalties", limit=1)[0]
    b.save("penalties", {**{k: row[k] for k in _keys()}, "party": "本机改的"}, row["id"])
    a_row = a.conn.execute("SELECT id FROM penalties WHERE uid = ?", (row["uid"],)).fetchone()[0]
    a_vals = a.get("penalties", a_row)
    a.conn.execute("UPDATE penalties SET updated_at = '2099-01-01T00:00:00' WHERE id = ?", (a_row,))
    a.save("penalties", {**{k: a_vals[k] for k in _keys()}, "party": "对方改的"}, a_row)
    make_pack(a, tmp_path / "2.fzpack", ["penalties"])
    monkeypatch.setattr(file_dialogs, "open_file_name", lambda *a, **k: str(tmp_path / "2.fzpack"))
    page = ExchangePage(b)
    qtbot.addWidget(page)
    page.show()
    click(qtbot, page.choose_button)
    qtbot.waitUntil(lambda: page.preview is not None, timeout=30000)
    assert "冲突 1" in page.counts.text() and page.conflicts.isVisible()
    model = page.conflict_model
    assert model.rowCount() == 1
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[0] == "行政处罚台账" and cells[3] == "党政办" and cells[5] == "执法大队"
    assert cells[6] == "采用对方的修改"
    click(qtbot, page.merge_button)
    qtbot.waitUntil(lambda: page.last_merge is not None, timeout=30000)
    assert b.get("penalties", row["id"])["party"] == "对方改的"
    a.close()
    b.close()


def _keys():
    from app.core.ledgers import catalog

    return catalog.get("penalties").keys
