"""The store: schema migration from version 1, soft delete / restore / purge, the audit log
(one entry per write, one per import batch, append-only), bulk inserts."""

import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from app.core.ledgers.validation import ValidationError
from app.core.storage.common import StoreError
from app.core.storage.schema import SCHEMA_VERSION
from app.core.storage.store import Store
from tests.fixtures.samples import fill, fill_people

FIXTURES = Path(__file__).parent / "fixtures"

SESSION = {"date": "2024-03-05", "form": "党委会", "audience": "领导班子", "topic": "宪法学习", "participants": 20}


def _actions(store, ledger=None):
    return [e["action"] for e in reversed(store.audit_entries(ledger=ledger))]


# -- migration ------------------------------------------------------------------------------


def _v1_file(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def test_v1_fixture_is_really_version_1(tmp_path):
    conn = sqlite3.connect(_v1_file(tmp_path / "old.db"))
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "report_texts" not in tables and {"audit", "settings", "disputes", "visits"} <= tables
    conn.close()


def test_migration_from_version_1_copies_the_file_and_keeps_the_rows(tmp_path):
    path = _v1_file(tmp_path / "old.db")
    before = sqlite3.connect(path)
    disputes = before.execute("SELECT * FROM disputes ORDER BY id").fetchall()
    before.close()

    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "report_texts" in tables
        assert store.count("disputes") == 3 and store.count("study_sessions") == 3
        # the rows as they were, with the columns of later versions empty
        after = store.conn.execute("SELECT * FROM disputes ORDER BY id").fetchall()
        assert [a[: len(r)] for a, r in zip(after, disputes, strict=True)] == disputes
        assert all(set(a[len(r) :]) == {None} for a, r in zip(after, disputes, strict=True))
        assert store.setting("town") == "武平镇"
        assert store.get("visits", 1)["person_id"] in (1, 2)
        # the migration itself is audited, and the old audit entry survived
        actions = _actions(store)
        assert actions[0] == "import" and "migrate" in actions
        # version 2 features work on the migrated file
        store.set_report_text(2024, "不足", "仍有差距")
        assert store.report_text(2024, "不足") == "仍有差距"
        with pytest.raises(sqlite3.DatabaseError):
            store.conn.execute("DELETE FROM audit")
    finally:
        store.close()

    backups = list(tmp_path.glob("old.v1-*.bak"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT * FROM disputes ORDER BY id").fetchall() == disputes
    copy.close()


def test_opening_a_current_file_makes_no_copy(db_path, tmp_path):
    Store.open(db_path).close()
    Store.open(db_path).close()
    assert not list(tmp_path.glob("*.bak"))


def test_a_newer_schema_is_refused(db_path):
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="更新版本"):
        Store.open(db_path)


# -- rows: save, soft delete, restore, purge ---------------------------------------------------


def test_save_validates_and_nothing_is_written_on_error(store):
    with pytest.raises(ValidationError) as exc:
        store.save("study_sessions", {**SESSION, "date": "2024-13-01", "passed": 30})
    labels = {e.label for e in exc.value.errors}
    assert labels == {"日期", "考试合格人数"}  # every problem of the row, not just the first
    assert store.count("study_sessions") == 0
    assert _actions(store) == []


def test_soft_delete_restore_and_purge(store):
    a = store.save("study_sessions", SESSION)
    b = store.save("study_sessions", {**SESSION, "topic": "民法典"})
    assert store.delete("study_sessions", a) == 1
    assert store.count("study_sessions") == 1 and store.count("study_sessions", deleted=True) == 1
    assert store.get("study_sessions", a) is None
    assert store.get("study_sessions", a, include_deleted=True)["deleted_at"]
    assert [r["id"] for r in store.rows("study_sessions")] == [b]
    assert store.delete("study_sessions", a) == 0  # already in the 回收站

    assert store.restore("study_sessions", [a]) == 1
    assert store.count("study_sessions") == 2 and store.count("study_sessions", deleted=True) == 0

    store.delete("study_sessions", [a, b])
    assert store.purge("study_sessions", [a]) == 1
    assert store.get("study_sessions", a, include_deleted=True) is None
    assert store.count("study_sessions", deleted=True) == 1
    assert store.purge("study_sessions") == 1
    assert store.count("study_sessions", deleted=True) == 0
    assert store.purge("study_sessions") == 0


def test_purge_of_a_live_row_does_nothing(store):
    a = store.save("study_sessions", SESSION)
    assert store.purge("study_sessions", [a]) == 0
    assert store.count("study_sessions") == 1


def test_deleted_rows_do_not_count_in_years(store):
    a = store.save("study_sessions", SESSION)
    store.save("study_sessions", {**SESSION, "date": "2023-12-31"})
    assert store.count("study_sessions", 2024) == 1
    store.delete("study_sessions", a)
    assert store.count("study_sessions", 2024) == 0 and store.count("study_sessions", 2023) == 1


# -- audit ------------------------------------------------------------------------------------


def test_every_write_leaves_an_audit_entry_with_old_and_new_values(store):
    a = store.save("study_sessions", SESSION)
    store.save("study_sessions", {**SESSION, "participants": 25}, row_id=a)
    store.save("study_sessions", {**SESSION, "participants": 25}, row_id=a)  # no change: no entry
    store.delete("study_sessions", a)
    store.restore("study_sessions", a)
    store.delete("study_sessions", a)
    store.purge("study_sessions", [a])
    assert _actions(store, "study_sessions") == ["insert", "update", "delete", "restore", "delete", "purge"]
    entries = {e["action"]: e for e in store.audit_entries(ledger="study_sessions")}
    update = entries["update"]
    assert json.loads(update["old"]) == {"participants": 20}
    assert json.loads(update["new"]) == {"participants": 25}
    assert update["row_id"] == a and update["row_uid"]
    assert json.loads(entries["insert"]["new"])["topic"] == "宪法学习"
    assert json.loads(entries["purge"]["old"])["topic"] == "宪法学习"


def test_an_import_batch_is_one_audit_entry(store):
    rows = [{**SESSION, "topic": f"第{i}期"} for i in range(50)]
    assert store.insert_many("study_sessions", rows, "从 x.xlsx 导入 {count} 行") == 50
    entries = store.audit_entries()
    assert len(entries) == 1
    assert entries[0]["action"] == "import" and entries[0]["note"] == "从 x.xlsx 导入 50 行"
    assert json.loads(entries[0]["new"]) == {"rows": 50}
    assert store.count("study_sessions") == 50


def test_the_audit_table_refuses_update_and_delete(store):
    store.save("study_sessions", SESSION)
    with pytest.raises(sqlite3.DatabaseError, match="不可修改"):
        store.conn.execute("UPDATE audit SET note = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="不可删除"):
        store.conn.execute("DELETE FROM audit")
    assert len(store.audit_entries()) == 1


def test_log_records_non_row_events(store):
    store.log("reveal", "导出完整身份证号", ledger="key_persons")
    (entry,) = store.audit_entries()
    assert (entry["action"], entry["ledger"], entry["note"]) == ("reveal", "key_persons", "导出完整身份证号")


# -- bulk inserts -------------------------------------------------------------------------------


def _indexes(store, table):
    return sorted(store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=?", (table,)))


def test_insert_many_from_a_generator_rolls_back_when_it_raises(store):
    store.save("study_sessions", SESSION)

    def rows():
        for i in range(100):
            yield {**SESSION, "topic": f"第{i}期"}
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        store.insert_many("study_sessions", rows())
    assert store.count("study_sessions") == 1
    assert _actions(store) == ["insert"]


def test_a_big_batch_rebuilds_the_indexes_and_restores_the_cache(store):
    before = _indexes(store, "study_sessions")
    assert len(before) >= 3  # uid, the year's cover index, the 回收站's partial index
    cache = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    keys = ["date", "form", "audience", "topic", "participants", "passed", "speaker", "note"]
    rows = ([f"2024-01-{i % 28 + 1:02d}", "党委会", "领导班子", f"第{i}期", i, None, None, None] for i in range(6000))
    assert store.insert_many("study_sessions", rows, ordered=True, expected=6000) == 6000
    assert _indexes(store, "study_sessions") == before
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == cache
    assert store.count("study_sessions", 2024) == 6000
    plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM study_sessions WHERE date = '2024-01-05'").fetchall()
    assert "INDEX" in str(plan)
    got = store.rows("study_sessions", where="topic = ?", params=["第7期"])
    assert [r[k] for k in keys for r in got] == ["2024-01-08", "党委会", "领导班子", "第7期", 7, None, None, None]


def test_a_failed_big_batch_keeps_the_indexes(store):
    before = _indexes(store, "study_sessions")

    def rows():
        for i in range(6000):
            yield ["2024-01-01", "党委会", "领导班子", f"第{i}期", None, None, None, None]
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        store.insert_many("study_sessions", rows(), ordered=True, expected=6000)
    assert _indexes(store, "study_sessions") == before
    assert store.count("study_sessions") == 0


def test_bulk_uids_are_unique_uuids(store):
    store.insert_many("study_sessions", [SESSION] * 3000)
    store.insert_many("study_sessions", [SESSION] * 3000)
    uids = [r[0] for r in store.conn.execute("SELECT uid FROM study_sessions")]
    assert len(set(uids)) == 6000
    assert {uuid.UUID(u).version for u in uids} == {7}
    assert {uuid.UUID(u).variant for u in uids} == {uuid.RFC_4122}


def test_sample_rows_are_valid_for_every_ledger(store):
    """The fixtures the import/export tests rely on really pass validation."""
    from app.core.ledgers import catalog

    fill_people(store)
    for lg in catalog.LEDGERS:
        fill(store, lg.id, 5, seed=11)
        assert store.count(lg.id) >= 5
