"""回收站 and 操作日志 pages."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox

from app.ui.pages.audit_page import AuditPage
from app.ui.pages.ledger_page import LedgerPage
from app.ui.pages.recycle_page import RecyclePage

ID = "11010519491231002X"


def _select_all(page: RecyclePage) -> None:
    sel = page.table.selectionModel()
    for r in range(page.model.rowCount()):
        sel.select(page.model.index(r, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)


def test_delete_then_restore_from_recycle_bin(qtbot, store, monkeypatch):
    keep = store.save("lawsuits", {"date": "2024-02-01", "case_type": "行政复议", "cause": "甲", "result": "维持"})
    gone = store.save("lawsuits", {"date": "2024-02-02", "case_type": "行政诉讼", "cause": "乙", "result": "驳回"})
    ledger = LedgerPage(store, "lawsuits")
    qtbot.addWidget(ledger)
    ledger.select_id(gone)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    ledger.delete_selected()
    assert ledger.model.rowCount() == 1

    page = RecyclePage(store)
    qtbot.addWidget(page)
    assert page.current_ledger() == "lawsuits"
    assert page.model.rowCount() == 1 and page.model.row_id(0) == gone
    assert "（1）" in page.ledgers.currentItem().text()
    _select_all(page)
    assert page.restore_selected() == 1
    assert page.model.rowCount() == 0
    assert {r["id"] for r in store.rows("lawsuits")} == {keep, gone}
    ledger.refresh()
    assert ledger.model.rowCount() == 2


def test_purge_asks_first(qtbot, store, monkeypatch):
    rid = store.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "x"})
    store.delete("consultations", rid)
    page = RecyclePage(store)
    qtbot.addWidget(page)
    page.select_ledger("consultations")
    _select_all(page)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.No)
    assert page.purge_selected() == 0
    assert store.count("consultations", deleted=True) == 1
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.Yes)
    _select_all(page)
    assert page.purge_selected() == 1
    assert store.get("consultations", rid, include_deleted=True) is None
    assert page.model.rowCount() == 0


def test_audit_page_lists_writes_with_masked_ids(qtbot, store):
    pid = store.save(
        "key_persons", {"name": "李四", "id_number": ID, "category": "安置帮教对象", "listed_on": "2024-01-02"}
    )
    store.delete("key_persons", pid)
    page = AuditPage(store)
    qtbot.addWidget(page)
    m = page.model
    assert m.rowCount() == 2
    texts = [m.data(m.index(r, c)) for r in range(2) for c in range(m.columnCount())]
    assert "移入回收站" in texts and "新增" in texts
    joined = " ".join(t for t in texts if t)
    assert ID not in joined and "110105********002X" in joined
    assert "重点人员名册" in joined
    assert not (m.flags(m.index(0, 0)) & Qt.ItemIsEditable)
    page.ledger_combo.setCurrentIndex(page.ledger_combo.findData("consultations"))
    assert m.rowCount() == 0
