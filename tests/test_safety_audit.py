"""The 操作日志 tells the truth: purges of a person's 走访记录, restores from a backup, and
notes shown masked."""

from __future__ import annotations

from app.cli import main
from app.core.safety import backup
from app.core.storage.store import Store
from app.ui.models.audit_model import COLUMNS, AuditModel

ID = "500230198001011234"


def test_purging_a_person_audits_each_of_their_visits(demo_store):
    s = demo_store
    person, visits = next(
        (p["id"], v)
        for p in s.rows("key_persons")
        if len(v := [r["id"] for r in s.rows("visits") if r["person_id"] == p["id"]]) >= 2
    )
    s.delete("visits", visits)
    s.delete("key_persons", person)
    before = s.audit_entries(limit=1)[0]["id"]
    assert s.purge("key_persons", [person]) == 1
    entries = [e for e in s.audit_entries(limit=50) if e["id"] > before]
    purged = {(e["ledger"], e["row_id"]) for e in entries if e["action"] == "purge"}
    assert purged == {("key_persons", person), *(("visits", v) for v in visits)}
    assert all(e["old"] for e in entries)  # what was deleted is in the log
    assert s.conn.execute("SELECT COUNT(*) FROM visits WHERE person_id = ?", (person,)).fetchone()[0] == 0


def test_restoring_a_backup_is_logged_as_restore_backup(qtbot, db_path, tmp_path, capsys):
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "备份前"})
    s.close()
    made = backup.make_backup(db_path)
    assert main(["--db", str(db_path), "restore", str(made)]) == 0
    s = Store.open(db_path)
    try:
        last = s.audit_entries(limit=1)[0]
        assert last["action"] == "restore_backup" and made.name in last["note"]
        assert all(e["action"] != "restore" for e in s.audit_entries(limit=50))
        model = AuditModel(s)
        assert model.data(model.index(0, COLUMNS.index("操作"))) == "从备份恢复"
    finally:
        s.close()


def test_audit_page_note_column_is_masked(qtbot, store):
    store.log("backup", f"备份到 D:/备份/{ID}.db")
    model = AuditModel(store)
    note = model.data(model.index(0, COLUMNS.index("说明")))
    assert "500230********1234" in note and ID not in note
