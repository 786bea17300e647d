"""Issue 18's schema step: a version-3 file (written by the v3 program, frozen in
tests/fixtures/schema_v3.sql) is copied aside, gains the return forms' fields empty, keeps
every row valid, and its returns come out."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.core.ledgers import catalog
from app.core.returns.compute import TOTAL, compute
from app.core.storage import schema
from app.core.storage.schema import SCHEMA_VERSION
from app.core.storage.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
NEW_FIELDS = {"disputes": {"people", "scale", "prevented"}, "key_persons": {"handover", "placed", "helped"}}


def _v3_file(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v3.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def _columns(conn, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def test_v3_fixture_is_really_version_3(tmp_path):
    conn = sqlite3.connect(_v3_file(tmp_path / "old.db"))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    for table, new in NEW_FIELDS.items():
        assert not new & set(_columns(conn, table))
    conn.close()


def test_migration_from_v3_copies_first_and_adds_the_form_fields(tmp_path):
    path = _v3_file(tmp_path / "old.db")
    before = sqlite3.connect(path)
    old_rows = {t: before.execute(f'SELECT * FROM "{t}" ORDER BY id').fetchall() for t in NEW_FIELDS}
    before.close()

    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        assert 3 in schema.MIGRATIONS
        for table, new in NEW_FIELDS.items():
            assert new <= set(_columns(store.conn, table))
            # the old rows as they were, the new fields empty, and every row still valid
            for row, old in zip(store.rows(table), old_rows[table], strict=True):
                assert all(row[k] is None for k in new)
                assert row["uid"] == old[1]
                lg = catalog.get(table)
                _clean, errors = store.validator(table).clean({k: row[k] for k in lg.keys})
                assert errors == []
        indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {schema.UNCLOSED_DISPUTES_INDEX, schema.CLOSED_DISPUTES_INDEX} <= indexes
        assert "migrate" in [e["action"] for e in store.audit_entries()]
        # the new fields take values, and the returns read both old and new rows
        rid = store.save("disputes", {"registered_on": "2024-04-10", "source": "群众申请", "dispute_type": "邻里",
                                      "village": "东村", "summary": "s", "status": "调解成功",
                                      "closed_on": "2024-04-20", "agreement": "口头", "people": 4,
                                      "prevented": "防止民转刑"})  # fmt: skip
        assert store.get("disputes", rid)["prevented"] == "防止民转刑"
        t = compute(store, "2024Q2", "disputes_by_village")
        assert [t.value("东村", k) for k in ("carried", "registered", "success", "open", "written", "oral")] == [
            1, 1, 2, 0, 1, 1,
        ]  # fmt: skip
        assert t.value(TOTAL, "open") == 1  # 西村's, still 调解中
        p = compute(store, "2024Q2", "dispute_prevention")
        assert (p.value(TOTAL, "crime_cases"), p.value(TOTAL, "crime_people")) == (1, 4)
    finally:
        store.close()

    backups = list(tmp_path.glob("old.v3-*.bak"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 3
    assert copy.execute("SELECT * FROM disputes ORDER BY id").fetchall() == old_rows["disputes"]
    copy.close()
