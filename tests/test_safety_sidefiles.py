"""Smaller safety holes (issue 19, item 11): read-only commands leave no -wal/-shm beside a
closed database; a missing key file is named as such; the lock file is private; a closing
window waits for its workers once, with one bound."""

from __future__ import annotations

import io
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from app.cli import main
from app.core.safety import lock
from app.core.storage import keys
from app.core.storage.store import Store

PASSWORD = "武平镇2024!"
READ_ONLY = (
    ["figures", "--year", "2024"],
    ["check", "--year", "2024"],
    ["export", "disputes", "{tmp}/e.xlsx"],
    ["report", "--year", "2024", "--out", "{tmp}/r.docx"],
    ["template", "disputes", "{tmp}/t.xlsx"],
    ["settings"],
    ["returns", "--period", "2024", "--out", "{tmp}/re.xlsx"],
)


def _sides(db: Path) -> list[str]:
    return [p.name for p in db.parent.iterdir() if p.name in (f"{db.name}-wal", f"{db.name}-shm")]


@pytest.fixture
def demo_db(db_path, capsys):
    assert main(["--db", str(db_path), "demo"]) == 0
    assert main(["--db", str(db_path), "settings", "county=丰都县", "town=武平镇"]) == 0
    capsys.readouterr()
    assert _sides(db_path) == []
    return db_path


def test_read_only_commands_leave_no_log_files_beside_a_closed_database(demo_db, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    for argv in READ_ONLY:
        argv = [a.replace("{tmp}", str(out)) for a in argv]
        assert main(["--db", str(demo_db), *argv]) == 0, capsys.readouterr().err
        assert _sides(demo_db) == [], argv


def test_and_with_a_password(demo_db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n{PASSWORD}\n"))
    assert main(["--db", str(demo_db), "password", "set"]) == 0
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    keys.forget_all()
    assert main(["--db", str(demo_db), "figures", "--year", "2024"]) == 0
    assert _sides(demo_db) == []


def test_a_reader_beside_the_window_leaves_the_windows_log_alone(demo_db, capsys):
    window = Store.open(demo_db)  # the window has it open: its -wal and -shm are in use
    try:
        window.save("consultations", {"date": "2024-12-30", "channel": "来访", "matter": "窗口里刚保存的"})
        assert sorted(_sides(demo_db)) == [f"{demo_db.name}-shm", f"{demo_db.name}-wal"]
        assert main(["--db", str(demo_db), "figures", "--year", "2024"]) == 0
        assert sorted(_sides(demo_db)) == [f"{demo_db.name}-shm", f"{demo_db.name}-wal"]
        window.save("consultations", {"date": "2024-12-31", "channel": "来访", "matter": "之后又保存的"})
        assert window.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        window.close()
    s = Store.open(demo_db, readonly=True)
    try:
        assert {"窗口里刚保存的", "之后又保存的"} <= {r[0] for r in s.conn.execute("SELECT matter FROM consultations")}
    finally:
        s.close()


def test_a_missing_key_file_is_named_with_where_it_should_be(demo_db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n{PASSWORD}\n"))
    assert main(["--db", str(demo_db), "password", "set"]) == 0
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    key = keys.key_file(demo_db)
    key.rename(demo_db.parent / "elsewhere.key")
    keys.forget_all()
    capsys.readouterr()
    for argv in (["figures", "--year", "2024"], ["settings", "town=别处"], ["backup"]):
        assert main(["--db", str(demo_db), *argv]) == 2, argv
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "密钥文件" in lines[0] and str(key) in lines[0], err
        assert "file is not a database" not in err
    (demo_db.parent / "elsewhere.key").rename(key)  # put back, it opens again
    assert main(["--db", str(demo_db), "figures", "--year", "2024"]) == 0


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_lock_file_is_readable_by_its_owner_only(db_path):
    with lock.acquire(db_path) as held:
        assert stat.S_IMODE(held.path.stat().st_mode) == 0o600
    # one an earlier version made readable by all becomes private when next taken
    os.chmod(lock.lock_path(db_path), 0o644)
    with lock.acquire(db_path) as held:
        assert stat.S_IMODE(held.path.stat().st_mode) == 0o600


def test_a_closing_window_waits_for_its_workers_once_with_one_bound(qtbot, store, monkeypatch):
    """Three workers that never look at their cancel flag: the window waits for them
    ``msecs`` in all (a clock stands in for the time each wait takes), then lets them go."""
    from app.ui import main_window, workers
    from app.ui.main_window import MainWindow

    release = threading.Event()
    running = [workers.Worker(release.wait).start() for _ in range(3)]
    clock = [1000.0]
    waited: list[int] = []

    def wait(self, msecs: int = 30000) -> bool:  # a thread that does not end within msecs
        waited.append(msecs)
        clock[0] += msecs / 1000
        return False

    monkeypatch.setattr(main_window.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(workers.Worker, "wait", wait)
    w = MainWindow(store)
    qtbot.addWidget(w)
    try:
        w.stop_workers(3000)
        assert len(waited) == 3 and sum(waited) <= 3000, waited
        assert all(x.is_cancelled() for x in running)
        assert all(x in workers.running_workers() for x in running)  # abandoned, never destroyed while running
    finally:
        release.set()
        monkeypatch.undo()
        for x in running:
            x._runner.wait(10000)
