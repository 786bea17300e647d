"""Crash safety: a writer SIGKILLed at random moments leaves the previous or the next state.

A child process imports batches with ``Store.insert_many`` in a loop and reports each batch
it saw committed; the parent kills it at a random moment, dozens of times.  After every
kill the file must pass ``PRAGMA integrity_check``, hold a whole number of batches (never
part of one), one ``import`` audit entry per batch (rows and log written together), and at
least every batch the child saw committed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.safety import backup, backup_check

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[1]
BATCH = 37

WRITER = f"""
import sys
import app.core.storage.store as st
from app.core.storage.store import Store
if sys.argv[2] == "delete":  # as on a network share: a rollback journal instead of WAL
    st.on_network_drive = lambda path: True
s = Store.open(sys.argv[1])
print("ready", flush=True)
n = s.count("study_sessions")
while True:
    rows = [{{"date": "2024-05-0%d" % (1 + i % 9), "form": "专题培训", "audience": "全体干部职工",
             "topic": "第%d批第%d条" % (n, i), "participants": i}} for i in range({BATCH})]
    s.insert_many("study_sessions", rows, note="导入")
    n += {BATCH}
    print(n, flush=True)
"""

BACKUPER = """
import sys
from app.core.safety import backup, backup_check
print("ready", flush=True)
while True:
    backup.make_backup(sys.argv[1], sys.argv[2])
    print("made", flush=True)
"""

RESTORER = """
import sys
from app.core.safety import backup, backup_check
print("ready", flush=True)
i = 0
while True:
    backup.restore(sys.argv[1], sys.argv[2 + i % 2])
    i += 1
    print(i, flush=True)
"""


def _spawn(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _kill_after_ready(proc: subprocess.Popen, delay: float) -> list[str]:
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, _err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, _err  # it was still writing: killed, not failed
    return out.split()


def _state(db_path: Path) -> tuple[str, int, int]:
    conn = sqlite3.connect(db_path)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT COUNT(*) FROM study_sessions").fetchone()[0]
        imports = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'import'").fetchone()[0]
        return check, rows, imports
    finally:
        conn.close()


@pytest.mark.parametrize(("journal", "cycles"), [("wal", 30), ("delete", 15)])
def test_writer_killed_at_random_moments(db_path, journal, cycles):
    rng = random.Random(20241231)
    committed = 0
    for cycle in range(cycles):
        # the first few kills land while the database is being created and prepared
        delay = rng.uniform(0.0, 0.02) if cycle < 3 else rng.uniform(0.0, 0.35)
        seen = _kill_after_ready(_spawn(WRITER, str(db_path), journal), delay)
        if seen:
            committed = max(committed, int(seen[-1]))
        # the start-up check must not cry wolf after a crash (it reads the left-over -wal)
        assert backup_check.quick_check(db_path), f"cycle {cycle}"
        check, rows, imports = _state(db_path)
        if cycle == 0 or cycle == cycles - 1:
            conn = sqlite3.connect(db_path)
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == journal
            conn.close()
        assert check == "ok", f"cycle {cycle}: {check}"
        assert rows % BATCH == 0, f"cycle {cycle}: {rows} rows is not whole batches of {BATCH}"
        assert imports == rows // BATCH, f"cycle {cycle}: {imports} audit entries for {rows} rows"
        # every batch the writer saw committed is there; at most one more (committed, not yet printed)
        assert committed <= rows <= committed + BATCH, f"cycle {cycle}: saw {committed}, found {rows}"
        committed = rows
    assert committed >= 3 * BATCH  # the kills really did land between and during imports


def test_restore_killed_at_random_moments(db_path, tmp_path):
    from app.core.storage.store import Store

    s = Store.open(db_path)
    s.insert_many("study_sessions", [{"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "a"}] * 3)
    s.close()
    small = backup.make_backup(db_path, tmp_path / "small.db")
    s = Store.open(db_path)
    s.insert_many("study_sessions", [{"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "b"}] * 5)
    s.close()
    big = backup.make_backup(db_path, tmp_path / "big.db")
    rng = random.Random(7)
    restores = 0
    for cycle in range(12):
        seen = _kill_after_ready(_spawn(RESTORER, str(db_path), str(small), str(big)), rng.uniform(0.0, 0.4))
        restores += len(seen)
        conn = sqlite3.connect(db_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"cycle {cycle}"
            assert conn.execute("SELECT COUNT(*) FROM study_sessions").fetchone()[0] in (3, 8), f"cycle {cycle}"
        finally:
            conn.close()
    assert restores > 0
    # the killed restores' lock is stale, and the database opens and writes as usual
    from app.core.safety import lock

    with lock.acquire(db_path):
        s = Store.open(db_path)
        s.save("study_sessions", {"date": "2024-01-02", "form": "其他", "audience": "其他", "topic": "c"})
        s.close()


def test_backup_killed_at_random_moments_leaves_a_whole_backup_or_none(db_path, tmp_path):
    from app.core.storage.common import StoreError
    from app.core.storage.store import Store

    s = Store.open(db_path)
    rows = [{"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "x" * 200}] * 3000
    s.insert_many("study_sessions", rows)
    s.close()
    rng = random.Random(11)
    made = 0
    for cycle in range(10):
        dest = tmp_path / f"b{cycle}.db"
        seen = _kill_after_ready(_spawn(BACKUPER, str(db_path), str(dest)), rng.uniform(0.0, 0.3))
        made += len(seen)
        if dest.exists():
            backup.verify_backup(dest)  # never a half-written backup under the real name
        else:
            assert not seen, f"cycle {cycle}: reported made, but missing"
        with pytest.raises(StoreError):
            backup.verify_backup(tmp_path / "nothing-here.db")
    assert _state(db_path) == ("ok", 3000, 1)


OPENER = """
import sys
print("ready", flush=True)
from app.core.storage.store import Store
Store.open(sys.argv[1]).close()
print("opened", flush=True)
import time
time.sleep(30)
"""


def test_migration_killed_at_random_moments(tmp_path):
    """Opening an older database migrates it in one transaction: killed, it is old or new."""
    import shutil

    from app.core.storage.schema import SCHEMA_VERSION
    from app.core.storage.store import Store

    v1 = tmp_path / "v1.db"
    s = Store.open(v1)
    s.insert_many("study_sessions", [{"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "t"}] * 500)
    s.close()
    conn = sqlite3.connect(v1)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute("DROP TABLE report_texts")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    rng = random.Random(3)
    versions = set()
    # how long a whole migration takes on this machine now (a loaded machine is slower), so
    # the kills spread over it and past it; the last cycle kills only after it finished
    db = tmp_path / "timed" / "ledgers.db"
    db.parent.mkdir()
    shutil.copy(v1, db)
    proc = _spawn(OPENER, str(db))
    assert proc.stdout.readline().strip() == "ready"
    started = time.monotonic()
    assert proc.stdout.readline().strip() == "opened"
    whole = time.monotonic() - started
    proc.kill()
    proc.communicate(timeout=30)
    cycles = 10
    for cycle in range(cycles):
        db = tmp_path / f"c{cycle}" / "ledgers.db"
        db.parent.mkdir()
        shutil.copy(v1, db)
        proc = _spawn(OPENER, str(db))
        assert proc.stdout.readline().strip() == "ready"
        if cycle == cycles - 1:
            assert proc.stdout.readline().strip() == "opened"
        else:
            time.sleep(rng.uniform(0.0, whole * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            assert conn.execute("SELECT COUNT(*) FROM study_sessions").fetchone()[0] == 500
        finally:
            conn.close()
        assert version in (1, SCHEMA_VERSION)
        assert ("report_texts" in tables) == (version == SCHEMA_VERSION), f"cycle {cycle}: half migrated"
        versions.add(version)
        Store.open(db).close()  # and it opens (finishing the migration) afterwards
    assert SCHEMA_VERSION in versions


# a restore that stops inside the verified copy, once the copy is whole but not yet moved
STALLED_RESTORER = """
import sys, time
from app.core.safety import backup, backup_check
real = backup.fsync_file
def stall(path):
    real(path)
    if ".restore-" in str(path):
        print("copying", flush=True)
        time.sleep(600)
backup.fsync_file = stall
backup.restore(sys.argv[1], sys.argv[2])
"""


@pytest.mark.parametrize("start", ["window", "command line"])
def test_restore_killed_during_the_verified_copy_leaves_nothing_at_next_start(
    qtbot, db_path, tmp_path, monkeypatch, start
):
    from app.cli import main
    from app.core.storage.store import Store

    s = Store.open(db_path)
    s.insert_many("study_sessions", [{"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "a"}] * 3)
    s.close()
    made = backup.make_backup(db_path, tmp_path / "b.db")
    proc = _spawn(STALLED_RESTORER, str(db_path), str(made))
    assert proc.stdout.readline().strip() == "copying", proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    left = backup.restore_leftovers(db_path)
    assert any(p.name.startswith("..") and p.name.endswith(".tmp") for p in left), left  # the full copy
    if start == "window":
        from app.ui import app as ui_app

        session = ui_app.open_session(db_path)
        assert session is not None and not session.readonly
        session.close(backup=False)
    else:
        assert main(["--db", str(db_path), "settings", "town=武平镇"]) == 0
    assert backup.restore_leftovers(db_path) == []
    assert not [p.name for p in db_path.parent.iterdir() if ".tmp" in p.name]


def test_the_raw_copy_before_a_restore_keeps_the_rollback_journal(db_path, tmp_path, monkeypatch):
    from app.core.storage.store import Store

    s = Store.open(db_path)
    s.save("study_sessions", {"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "a"})
    s.close()
    made = backup.make_backup(db_path, tmp_path / "b.db")
    journal = Path(f"{db_path}-journal")
    journal.write_bytes(b"pages of an interrupted transaction")

    def damaged(*args, **kwargs):
        raise backup.CorruptDatabase("损坏")

    monkeypatch.setattr(backup, "make_backup", damaged)
    raw = backup.restore(db_path, made)
    assert raw is not None and "damaged" in raw.name
    assert Path(f"{raw}-journal").read_bytes() == b"pages of an interrupted transaction"
    assert not journal.exists()
