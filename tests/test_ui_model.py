"""The table model on a million rows: counts, windows far down, sort, bounded memory."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.storage.query import LedgerQuery
from app.core.storage.store import Store
from app.ui.models.ledger_model import LedgerModel

N = 1_000_000
CHANNELS = ("来访", "电话", "网络", "上门")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.db"
    store = Store.open(path)
    rows = (
        (f"u{i}", f"{2020 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d}", f"咨询人{i:07d}", CHANNELS[i % 4], f"事项{i}")
        for i in range(N)
    )
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO consultations (uid, date, person, channel, matter, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, '2024-01-01', '2024-01-01')",
            rows,
        )
    yield store
    store.close()


def test_million_rows_windowed(qapp, big_store):
    model = LedgerModel(big_store, "consultations", page_size=200, max_pages=4)
    assert model.rowCount() == N
    col = {f.key: i for i, f in enumerate(model.fields)}
    # default order: by date, then id
    first = model.data(model.index(0, col["date"]))
    assert first == "2020-01-01"
    far = model.data(model.index(N - 10, col["date"]))
    assert far.startswith("2024-12")
    for row in range(0, N, N // 20):  # scroll all the way down in jumps
        assert model.data(model.index(row, col["person"])).startswith("咨询人")
    assert model.cached_rows <= 4 * 200
    assert len(model._pages) <= 4

    model.sort(col["person"], Qt.DescendingOrder)
    assert model.rowCount() == N
    assert model.data(model.index(0, col["person"])) == f"咨询人{N - 1:07d}"
    assert model.data(model.index(N - 1, col["person"])) == "咨询人0000000"
    assert model.data(model.index(500_000, col["person"])) == f"咨询人{N - 1 - 500_000:07d}"
    assert model.cached_rows <= 4 * 200


def test_million_rows_filter_and_search(qapp, big_store):
    model = LedgerModel(big_store, "consultations", page_size=100, max_pages=3)
    model.set_filter(year=2022)
    assert model.rowCount() == N // 5
    model.set_filter(year=2022, month=3)
    assert model.rowCount() == LedgerQuery(big_store, "consultations", year=2022, month=3).count()
    assert 0 < model.rowCount() < N // 5
    model.set_filter(search="咨询人0123456")
    assert model.rowCount() == 1
    assert model.data(model.index(0, 3)) == CHANNELS[123456 % 4]
    assert model.cached_rows <= 300


def test_query_search_years_and_references(store):
    from app.core.storage import query

    pid = store.save("key_persons", {"name": "欧阳明华", "category": "吸毒人员", "listed_on": "2021-01-01"})
    store.save("visits", {"date": "2022-03-01", "person_id": pid, "visitor": "刘", "method": "电话"})
    store.save(
        "visits", {"date": "2024-05-01", "person_id": pid, "visitor": "王", "method": "来访", "record": "情绪稳定"}
    )
    q = LedgerQuery(store, "visits")
    assert q.years() == [2024, 2023, 2022]
    for fts in (False, True):
        if fts:
            assert query.ensure_fts(store, "visits")
        q.search = "欧阳明华"  # a person's name, though the row holds only the person's id
        assert q.count() == 2
        q.search = "情绪稳定"
        assert q.count() == 1
        q.search = "50%"  # LIKE wildcards are searched for literally
        assert q.count() == 0
    assert query.has_fts(store, "visits")
    store.save(
        "visits", {"date": "2024-06-01", "person_id": pid, "visitor": "赵", "method": "电话", "record": "情绪稳定"}
    )
    assert q.count() == 0  # still "50%"
    q.search = "情绪稳定"
    assert q.count() == 2  # the FTS triggers index new rows
    rid = q.ids()[0]
    store.delete("visits", rid)
    assert q.count() == 1
    q.deleted = True
    assert list(q.ids()) == [rid]
