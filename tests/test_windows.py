"""What runs only on Windows: the ``msvcrt`` lock, the drive-type check, ``file_uri`` for
``C:\\`` and UNC paths, and the restore swap over a file another program has open.

Marked ``windows``: skipped elsewhere (conftest), run by the GitHub Actions job
``.github/workflows/windows-tests.yml`` on every push, which fails when they fail.
"""

from __future__ import annotations

import os
import sqlite3
import string
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.safety import backup, lock
from app.core.storage import faults
from app.core.storage.common import StoreError
from app.core.storage.dbapi import connect_readonly, file_uri
from app.core.storage.store import Store

pytestmark = pytest.mark.windows

ROOT = Path(__file__).resolve().parents[1]
HOLD = (
    "import sys,time;from app.core.safety import lock;l=lock.acquire(sys.argv[1]);print('held',flush=True);"
    "sys.stdin.readline()"
)
# another program with the database file open (as a read-only viewer on another PC would)
VIEWER = (
    "import sys,sqlite3;c=sqlite3.connect(sys.argv[1]);c.execute('select count(*) from settings').fetchone();"
    "print('open',flush=True);sys.stdin.readline()"
)


def _spawn(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    return proc


def _end(proc: subprocess.Popen) -> None:
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(timeout=30)


def test_msvcrt_lock_refuses_a_second_process_and_says_who(db_path):
    holder = _spawn(HOLD, str(db_path))
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(lock.DatabaseInUse) as exc:
            lock.acquire(db_path)
        assert exc.value.info.get("pid") == holder.pid  # the JSON is readable past the locked byte
        assert lock.holder(db_path)["pid"] == holder.pid
    finally:
        _end(holder)
    with lock.acquire(db_path) as held:  # released when the holder ended
        assert held.held
    assert lock.holder(db_path) is None


def test_msvcrt_lock_is_dropped_when_the_holder_is_killed(db_path):
    holder = _spawn(HOLD, str(db_path))
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait(timeout=30)
    with lock.acquire(db_path) as held:
        assert held.stale_holder and held.stale_holder["pid"] == holder.pid


def test_local_drive_is_not_a_network_drive(tmp_path):
    assert not faults.on_network_drive(tmp_path / "ledgers.db")
    assert faults.on_network_drive(r"\\server\share\ledgers.db")


def _free_letter() -> str:
    used = {p[0].upper() for p in os.listdrives()} if hasattr(os, "listdrives") else set()
    for letter in reversed(string.ascii_uppercase):
        if letter not in used and not os.path.exists(f"{letter}:\\"):
            return letter
    raise AssertionError("no free drive letter")


def _unc(path: Path) -> str:
    """The same file through the administrative share: ``\\\\localhost\\C$\\...``."""
    drive, rest = os.path.splitdrive(str(path.resolve()))
    return f"\\\\localhost\\{drive[0]}${rest}"


def test_mapped_network_drive_is_recognised(tmp_path):
    letter = _free_letter()
    share = _unc(tmp_path)
    subprocess.run(["net", "use", f"{letter}:", share], check=True, capture_output=True)
    try:
        assert faults.on_network_drive(f"{letter}:\\ledgers.db")
        # and the store uses a rollback journal there, not WAL
        s = Store.open(f"{letter}:\\ledgers.db")
        try:
            assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        finally:
            s.close()
    finally:
        subprocess.run(["net", "use", f"{letter}:", "/delete", "/y"], capture_output=True)


def test_file_uri_opens_a_drive_path(tmp_path):
    db = tmp_path / "有 空格" / "ledgers#1.db"
    Store.open(db).close()
    uri = file_uri(db)
    assert uri.startswith("file:") and ":" in uri[5:]
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA application_id").fetchone()[0] != 0
    finally:
        conn.close()
    ro = connect_readonly(db)
    ro.close()


def test_file_uri_opens_a_unc_path(tmp_path):
    db = tmp_path / "ledgers.db"
    Store.open(db).close()
    unc = _unc(db)
    assert os.path.exists(unc), unc
    assert file_uri(unc).startswith("file:\\\\localhost\\")
    conn = sqlite3.connect(f"{file_uri(unc)}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT COUNT(*) FROM settings").fetchone()[0] >= 0
    finally:
        conn.close()
    s = Store.open(unc, readonly=True)
    s.close()


def test_restore_swap_refused_while_another_program_has_the_file_open(db_path, tmp_path):
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "备份前"})
    s.close()
    made = backup.make_backup(db_path, tmp_path / "b.db")
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-02", "channel": "来访", "matter": "备份后"})
    s.close()
    viewer = _spawn(VIEWER, str(db_path))
    try:
        assert viewer.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="正被其他程序"):
            backup.restore(db_path, made)
    finally:
        _end(viewer)
    s = Store.open(db_path)
    try:
        assert s.count("consultations") == 2  # nothing changed
    finally:
        s.close()
    assert not backup.restore_leftovers(db_path)
    backup.restore(db_path, made)  # closed now: the swap goes through
    s = Store.open(db_path)
    try:
        assert [r["matter"] for r in s.rows("consultations")] == ["备份前"]
    finally:
        s.close()
