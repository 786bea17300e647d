"""Backups: make, verify, rotate, restore; bad files refused with nothing changed."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest

from app.cli import main
from app.core.safety import backup, backup_check, lock
from app.core.storage.common import StoreError
from app.core.storage.schema import SCHEMA_VERSION
from app.core.storage.store import Store


def _session(i: int) -> dict:
    return {"date": f"2024-03-{1 + i % 28:02d}", "form": "专题培训", "audience": "全体干部职工", "topic": f"主题{i}"}


def _fill(db_path, n: int) -> None:
    s = Store.open(db_path)
    try:
        for i in range(n):
            s.save("study_sessions", _session(i))
    finally:
        s.close()


def _snapshot(db_path) -> list[tuple]:
    """Every live row of every data table, for exact comparison."""
    conn = sqlite3.connect(db_path)
    try:
        out = []
        for table in ("study_sessions", "key_persons", "settings"):
            out.append((table, conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()))
        return out
    finally:
        conn.close()


def _audit_actions(db_path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY id")]
    finally:
        conn.close()


def test_backup_is_verified_single_file_and_audited(db_path):
    _fill(db_path, 5)
    made = backup.make_backup(db_path)
    assert made.parent == db_path.parent / "backups"
    assert made.name.startswith("ledgers-") and made.suffix == ".db"
    backup.verify_backup(made)
    # self-contained: no -wal beside it, and journal mode DELETE
    assert not os.path.exists(f"{made}-wal")
    conn = sqlite3.connect(made)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT COUNT(*) FROM study_sessions").fetchone()[0] == 5
    conn.close()
    assert _audit_actions(db_path)[-1] == "backup"
    # no temporary files left behind
    assert [p.name for p in made.parent.iterdir()] == [made.name]


def test_backup_while_a_store_is_open_sees_committed_rows(db_path):
    s = Store.open(db_path)
    try:
        for i in range(3):
            s.save("study_sessions", _session(i))
        made = backup.make_backup(db_path, db_path.parent / "copy.db")
        with s.transaction():  # an uncommitted write is not in the backup
            s.save("study_sessions", _session(9))
            other = backup.make_backup(db_path, db_path.parent / "copy2.db")
    finally:
        s.close()
    for f in (made, other):
        conn = sqlite3.connect(f)
        assert conn.execute("SELECT COUNT(*) FROM study_sessions").fetchone()[0] == 3
        conn.close()


def test_backup_dir_setting_and_missing_db(db_path, tmp_path):
    s = Store.open(db_path)
    s.set_setting("backup_dir", "elsewhere")
    s.close()
    assert backup.backups_dir(db_path) == db_path.parent / "elsewhere"
    assert backup.make_backup(db_path).parent == db_path.parent / "elsewhere"
    with pytest.raises(StoreError, match="找不到数据库文件"):
        backup.make_backup(tmp_path / "nope.db")
    from app.core.paths import UnsafeOutputPath

    with pytest.raises(UnsafeOutputPath, match="数据库本身"):
        backup.make_backup(db_path, db_path)


def test_backup_refuses_a_corrupt_database(db_path):
    _fill(db_path, 50)
    size = db_path.stat().st_size
    with open(db_path, "r+b") as fh:  # scribble over the middle of the file
        fh.seek(size // 2)
        fh.write(os.urandom(8192))
    with pytest.raises(StoreError):
        backup.make_backup(db_path, db_path.parent / "b.db")
    assert not (db_path.parent / "b.db").exists()
    assert not [p for p in db_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_backup_change_restore_gives_back_exactly_the_backed_up_rows(db_path):
    _fill(db_path, 8)
    s = Store.open(db_path)
    s.set_setting("town", "武平镇")
    s.close()
    before = _snapshot(db_path)
    made = backup.make_backup(db_path)

    s = Store.open(db_path)
    s.save("study_sessions", _session(100))
    s.delete("study_sessions", 1)
    s.update_clean("study_sessions", 2, {**_session(2), "topic": "改过"})
    s.set_setting("town", "别的镇")
    s.close()
    assert _snapshot(db_path) != before

    safety = backup.restore(db_path, made)
    assert _snapshot(db_path) == before
    # the replaced data was kept, and the restore is in the restored database's log
    assert safety is not None and safety.name.startswith("ledgers-before-restore-")
    conn = sqlite3.connect(safety)
    assert conn.execute("SELECT topic FROM study_sessions WHERE id = 2").fetchone()[0] == "改过"
    conn.close()
    s = Store.open(db_path)
    try:
        entry = s.audit_entries(limit=1)[0]
        assert entry["action"] == "restore_backup" and made.name in entry["note"]
        assert s.count("study_sessions") == 8
        s.save("study_sessions", _session(7))  # the restored database is writable as usual
    finally:
        s.close()
    assert not os.path.exists(f"{db_path}.restore-tmp")
    assert not [p for p in db_path.parent.iterdir() if p.name.endswith(".tmp")]


def _foreign_sqlite(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('x')")
    conn.commit()
    conn.close()


def _newer(path, db_path) -> None:
    backup.make_backup(db_path, path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def _truncated(path, db_path) -> None:
    made = backup.make_backup(db_path, path.with_name("full.db"))
    data = made.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _torn(path, db_path) -> None:
    """Right size, but pages in the middle overwritten."""
    made = backup.make_backup(db_path, path.with_name("full2.db"))
    data = bytearray(made.read_bytes())
    page = 4096
    for k in range(2, len(data) // page - 1, 3):
        data[k * page : k * page + 200] = os.urandom(200)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p, db: p.write_bytes(os.urandom(20000)), "不是数据库文件"),
        (lambda p, db: p.write_text("id,name\n1,张三\n", encoding="utf-8"), "不是数据库文件"),
        (lambda p, db: p.write_bytes(b""), "不是数据库文件"),
        (lambda p, db: _foreign_sqlite(p), "不是本程序的数据库"),
        (_newer, "更新版本"),
        (_truncated, "不完整"),
        (_torn, "损坏"),
    ],
    ids=["random", "csv", "empty", "foreign-sqlite", "newer-version", "truncated", "torn"],
)
def test_bad_backup_is_refused_and_nothing_changes(db_path, tmp_path, make, reason):
    _fill(db_path, 6)
    bad = tmp_path / "bad.db"
    make(bad, db_path)
    with pytest.raises(StoreError, match=reason):
        backup.verify_backup(bad)
    before = _snapshot(db_path)
    audit_before = _audit_actions(db_path)
    files_before = sorted(p.name for p in db_path.parent.rglob("*"))
    with pytest.raises(StoreError, match=reason):
        backup.restore(db_path, bad)
    assert _snapshot(db_path) == before
    assert _audit_actions(db_path) == audit_before
    assert sorted(p.name for p in db_path.parent.rglob("*")) == files_before
    # and on the command line: one Chinese line, non-zero exit, still nothing changed
    assert main(["--db", str(db_path), "restore", str(bad)]) == 1
    assert _snapshot(db_path) == before


def test_older_schema_backup_is_accepted_and_migrated(db_path, tmp_path):
    _fill(db_path, 3)
    old = backup.make_backup(db_path, tmp_path / "v1.db")
    conn = sqlite3.connect(old)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute("DROP TABLE report_texts")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    backup.verify_backup(old)
    backup.restore(db_path, old)
    s = Store.open(db_path)
    try:
        assert s.schema_version == SCHEMA_VERSION
        assert s.count("study_sessions") == 3
    finally:
        s.close()


def test_restore_refused_while_another_holder_has_the_database(db_path, tmp_path):
    _fill(db_path, 2)
    made = backup.make_backup(db_path, tmp_path / "b.db")
    held = lock.acquire(db_path)
    try:
        # this process holds it (the window calls restore after closing its store): allowed
        backup.restore(db_path, made)
    finally:
        held.release()
    s = Store.open(db_path)  # an open connection: the swap must not happen under it
    try:
        s.save("study_sessions", _session(50))
        with pytest.raises(StoreError, match="正被其他程序使用"):
            backup.restore(db_path, made)
        assert s.count("study_sessions") == 3
    finally:
        s.close()
    assert Store.open(db_path).count("study_sessions") == 3


def test_restore_into_a_missing_database(tmp_path, db_path):
    _fill(db_path, 4)
    made = backup.make_backup(db_path, tmp_path / "b.db")
    target = tmp_path / "new" / "ledgers.db"
    target.parent.mkdir()
    assert backup.restore(target, made) is None
    assert Store.open(target).count("study_sessions") == 4


def test_restore_over_a_damaged_database_keeps_a_raw_copy(db_path, tmp_path):
    _fill(db_path, 30)
    made = backup.make_backup(db_path, tmp_path / "good.db")
    size = db_path.stat().st_size
    with open(db_path, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(os.urandom(16384))
    assert not backup_check.quick_check(db_path)
    safety = backup.restore(db_path, made)
    assert safety.name.startswith("ledgers-damaged-")
    assert safety.stat().st_size == size
    assert backup_check.quick_check(db_path)
    assert Store.open(db_path).count("study_sessions") == 30


def test_quick_check(db_path, tmp_path):
    assert backup_check.quick_check(tmp_path / "not-yet.db")
    _fill(db_path, 2)
    assert backup_check.quick_check(db_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(9000))
    assert not backup_check.quick_check(junk)


def test_auto_backup_once_a_day_and_rotation(db_path):
    _fill(db_path, 1)
    first = backup.auto_backup(db_path, today=dt.date(2024, 3, 5))
    assert first is not None and first.name == "ledgers-auto-2024-03-05.db"
    assert backup.auto_backup(db_path, today=dt.date(2024, 3, 5)) is None
    folder = backup.backups_dir(db_path)
    # a year and a half of daily backups (copies are fine: rotation only looks at names)
    day = dt.date(2023, 1, 1)
    while day < dt.date(2024, 7, 1):
        (folder / f"ledgers-auto-{day.isoformat()}.db").write_bytes(first.read_bytes())
        day += dt.timedelta(days=1)
    manual = backup.make_backup(db_path)
    other_db = folder / "other-auto-2023-01-01.db"
    other_db.write_bytes(b"x")
    made = backup.auto_backup(db_path, today=dt.date(2024, 7, 1))
    assert made is not None
    names = sorted(p.name for p in folder.glob("ledgers-auto-*.db"))
    dates = [n[len("ledgers-auto-") : -3] for n in names]
    daily = [d for d in dates if d >= "2024-06-02"]
    assert len(daily) == 30 and daily[-1] == "2024-07-01"
    monthly = sorted(set(dates) - set(daily))
    # newest of each month, 12 months in all counting July and June (inside the daily window)
    assert monthly == [
        "2023-08-31", "2023-09-30", "2023-10-31", "2023-11-30", "2023-12-31", "2024-01-31",
        "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31",
    ]  # fmt: skip
    assert manual.exists() and other_db.exists()


def test_latest_good_backup_skips_bad_ones(db_path):
    _fill(db_path, 3)
    good = backup.make_backup(db_path)
    folder = backup.backups_dir(db_path)
    bad = folder / "ledgers-20991231-000000.db"
    bad.write_bytes(os.urandom(8192))
    os.utime(bad, (good.stat().st_mtime + 100,) * 2)
    assert backup.list_backups(db_path)[0] == bad
    assert backup.latest_good_backup(db_path) == good
    assert backup.latest_good_backup(db_path.parent / "none.db") is None


def test_cli_backup_and_restore(db_path, tmp_path, capsys):
    _fill(db_path, 4)
    target = tmp_path / "u盘" / "台账备份.db"
    assert main(["--db", str(db_path), "backup", "--to", str(target)]) == 0
    out = capsys.readouterr().out
    assert str(target) in out and target.exists()
    assert main(["--db", str(db_path), "backup"]) == 0
    assert "已备份到" in capsys.readouterr().out

    _fill(db_path, 2)
    assert main(["--db", str(db_path), "restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert "恢复前的数据已备份到" in out and "已用该备份恢复数据库" in out
    assert Store.open(db_path).count("study_sessions") == 4

    assert main(["--db", str(tmp_path / "none.db"), "backup"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：找不到数据库文件") and len(err.strip().splitlines()) == 1
    assert main(["--db", str(db_path), "restore", str(tmp_path / "missing.db")]) == 1
    assert "找不到备份文件" in capsys.readouterr().err


def test_cli_restore_refused_while_the_program_has_it_open(db_path, tmp_path, capsys):
    _fill(db_path, 1)
    made = backup.make_backup(db_path, tmp_path / "b.db")
    # another program (simulated by a subprocess) holds the lock
    import subprocess
    import sys

    code = (
        "import sys,time;from app.core.safety import lock;"
        "l=lock.acquire(sys.argv[1]);print('held',flush=True);time.sleep(30)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        assert main(["--db", str(db_path), "restore", str(made)]) == 1
        err = capsys.readouterr().err
        assert "数据库正由用户" in err and "恢复前请先关闭" in err
    finally:
        proc.kill()
        proc.wait()


def test_paths_with_spaces_chinese_and_uri_characters(tmp_path):
    folder = tmp_path / "武平镇 台账 #1?%20&"
    folder.mkdir()
    db = folder / "数据 库.db"
    _fill(db, 3)
    made = backup.make_backup(db)
    backup.verify_backup(made)
    assert backup_check.quick_check(db)
    assert backup.latest_good_backup(db) == made
    _fill(db, 1)
    backup.restore(db, made)
    ro = Store.open(db, readonly=True)
    try:
        assert ro.count("study_sessions") == 3
    finally:
        ro.close()


def test_restore_when_the_file_cannot_be_replaced_changes_nothing(db_path, tmp_path, monkeypatch):
    _fill(db_path, 2)
    made = backup.make_backup(db_path, tmp_path / "b.db")
    _fill(db_path, 1)
    before = _snapshot(db_path)

    real_replace = os.replace

    def refuse(src, dst):  # what Windows does while another program has the file open
        if str(dst) == str(db_path):
            raise PermissionError(13, "Access is denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(backup.os, "replace", refuse)
    with pytest.raises(StoreError, match="正被其他程序打开"):
        backup.restore(db_path, made)
    monkeypatch.undo()
    assert _snapshot(db_path) == before
    assert not [p for p in db_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_backups_of_databases_sharing_a_folder_are_kept_apart(tmp_path):
    a, b = tmp_path / "ledgers.db", tmp_path / "ledgers-2023.db"
    _fill(a, 1)
    _fill(b, 2)
    made_a = [backup.make_backup(a), backup.auto_backup(a, today=dt.date(2024, 1, 1))]
    made_b = [backup.make_backup(b), backup.auto_backup(b, today=dt.date(2024, 1, 1))]
    assert backup.backups_dir(a) == backup.backups_dir(b)
    assert sorted(backup.list_backups(a)) == sorted(made_a)
    assert sorted(backup.list_backups(b)) == sorted(made_b)
    assert backup.rotate(a, keep_daily=0, keep_monthly=0) == [made_a[1]]
    assert made_b[1].exists()


def test_backup_summary_for_the_restore_dialog(db_path):
    _fill(db_path, 3)
    s = Store.open(db_path)
    s.delete("study_sessions", 1)
    s.close()
    made = backup.make_backup(db_path)
    summary = backup_check.backup_summary(made)
    assert summary["rows"] == {"学法培训台账": 2} and summary["total"] == 2
    assert summary["last_change"].startswith(str(dt.date.today().year))
    assert summary["size"] == made.stat().st_size
