"""Text columns sort by pinyin (阿, 李, 王, 张), not by code point (张, 李, 王, 阿): in SQL, on a
plain and an encrypted database, and in the ledger table when the clerk clicks a header."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.core.safety import encryption
from app.core.storage import collation, keys
from app.core.storage.query import LedgerQuery
from app.core.storage.store import Store

PEOPLE = ["张三", "阿强", "王五", "李四"]
PINYIN = ["阿强", "李四", "王五", "张三"]


def _fill(store: Store) -> None:
    for i, name in enumerate(PEOPLE):
        store.save("consultations", {"date": f"2024-03-0{i + 1}", "channel": "来访", "matter": "咨询", "person": name})


def _people(store: Store, desc: bool = False) -> list[str]:
    q = LedgerQuery(store, "consultations")
    return [r["person"] for r in q.rows_by_ids(q.ids("person", desc=desc))]


def test_code_point_order_is_not_pinyin_order():
    """What the test guards against: plain sorting puts 张 before 阿."""
    assert sorted(PEOPLE) != PINYIN
    assert sorted(PEOPLE, key=collation.sort_key) == PINYIN


def test_sort_key_keeps_every_character_and_puts_rare_hanzi_after_common_ones():
    names = ["张三", "张", "Zhang", "3号", "阿", "龘", "丂", "鑫"]  # 鑫: GB2312 level 2; 龘, 丂: outside GB2312
    ordered = sorted(names, key=collation.sort_key)
    assert ordered[:2] == ["3号", "Zhang"]  # digits and Latin first
    assert ordered.index("阿") < ordered.index("张") < ordered.index("张三") < ordered.index("鑫")
    assert ordered.index("鑫") < ordered.index("丂") and ordered.index("鑫") < ordered.index("龘")
    assert collation.sort_key(None) is None


def test_text_column_sorts_by_pinyin(store):
    _fill(store)
    assert _people(store) == PINYIN
    assert _people(store, desc=True) == PINYIN[::-1]


def test_encrypted_database_sorts_by_pinyin_too(db_path):
    store = Store.open(db_path)
    _fill(store)
    store.close()
    encryption.protect(db_path, "武平镇2024!")
    keys.forget_all()
    encryption.unlock(db_path, "武平镇2024!")
    store = Store.open(db_path)
    try:
        from app.core.storage import dbapi

        assert dbapi.is_cipher(store.conn)
        assert _people(store) == PINYIN
        ro = Store.open(db_path, readonly=True)
        try:
            assert _people(ro) == PINYIN
        finally:
            ro.close()
    finally:
        store.close()


def test_clicking_a_header_sorts_the_table_by_pinyin(qtbot, store):
    from app.ui.pages.ledger_page import LedgerPage

    _fill(store)
    page = LedgerPage(store, "consultations")
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    qtbot.waitExposed(page)
    col = next(i for i, f in enumerate(page.model.fields) if f.key == "person")
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    orders = []
    for _ in range(2):  # ascending, then descending (or the other way round)
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, 5))
        orders.append(tuple(page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())))
    assert set(orders) == {tuple(PINYIN), tuple(reversed(PINYIN))}
