"""``backup`` beside another program that holds the database (issue 19, item 8): it only reads
(SQLite's backup API) and writes nothing into the database, not even its 操作日志 entry; with
the database free, the entry is written holding the lock, as every writer writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.cli import main
from app.core.safety import backup, lock
from app.core.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
# the window of another PC (or another program): the lock held, the database open for writing
WINDOW = (
    "import sys,time\nfrom app.core.safety import lock\nfrom app.core.storage.store import Store\n"
    "held = lock.acquire(sys.argv[1])\ns = Store.open(sys.argv[1])\n"
    "s.save('consultations', {'date': '2024-01-02', 'channel': '来访', 'matter': '窗口里的'})\n"
    "print('held', flush=True)\ntime.sleep(120)\n"
)


def _backup_entries(db: Path) -> int:
    s = Store.open(db, readonly=True)
    try:
        return s.conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'backup'").fetchone()[0]
    finally:
        s.close()


def test_backup_writes_nothing_into_a_database_another_program_holds(db_path, tmp_path, capsys):
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "一"})
    s.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    window = subprocess.Popen([sys.executable, "-c", WINDOW, str(db_path)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert window.stdout.readline().strip() == "held"
        assert lock.holder(db_path) is not None
        before = _backup_entries(db_path)
        assert main(["--db", str(db_path), "backup", "--to", str(tmp_path / "b.db")]) == 0
        assert "已备份到" in capsys.readouterr().out
        backup.verify_backup(tmp_path / "b.db")
        assert _backup_entries(db_path) == before  # nothing written beside the holder
        assert lock.holder(db_path)["pid"] == window.pid  # and its lock untouched
        b = Store.open(tmp_path / "b.db", readonly=True)
        try:  # what the window had saved is in the backup
            assert b.count("consultations") == 2
        finally:
            b.close()
    finally:
        window.kill()
        window.communicate(timeout=30)
    # the database free: the backup's entry is written, holding the lock, which is let go
    assert main(["--db", str(db_path), "backup", "--to", str(tmp_path / "c.db")]) == 0
    assert _backup_entries(db_path) == before + 1
    assert not lock.held_here(db_path) and lock.holder(db_path) is None


def test_the_windows_own_backup_is_logged_under_its_lock(db_path):
    with lock.acquire(db_path):
        s = Store.open(db_path)
        s.close()
        backup.make_backup(db_path)
        assert lock.held_here(db_path)
    assert _backup_entries(db_path) == 1
