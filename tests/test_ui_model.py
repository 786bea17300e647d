"""The table model on a million rows: counts, windows far down, sort, bounded memory."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.query import LedgerQuery
from app.core.store import Store
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
