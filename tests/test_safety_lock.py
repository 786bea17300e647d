"""One writer: a second program is told who has the database; a crashed holder's lock is stale."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.safety import lock

ROOT = Path(__file__).resolve().parents[1]
HOLDER = (
    "import sys,time;from app.core.safety import lock;"
    "l=lock.acquire(sys.argv[1]);print('held',flush=True);time.sleep(60)"
)
TRY = (
    "import sys;from app.core.safety import lock\n"
    "try:\n    l=lock.acquire(sys.argv[1]); print('GOT', l.stale_holder is not None)\n"
    "except lock.DatabaseInUse as e:\n    print('BUSY', e.holder, e.info.get('pid'))\n"
)


def _run(code: str, *args: str, wait: bool = True):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", code, *args]
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60).stdout.strip()
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)


def test_lock_file_says_who_and_is_emptied_on_release(db_path):
    with lock.acquire(db_path) as held:
        info = json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))
        assert info["pid"] == os.getpid() and info["host"] == socket.gethostname()
        assert set(info) == {"user", "host", "pid", "since"}
        assert held.stale_holder is None
        assert lock.held_here(db_path)
        assert lock.holder(db_path) == info
    assert lock.lock_path(db_path).read_bytes() == b""
    assert not lock.held_here(db_path) and lock.holder(db_path) is None
    lock.acquire(db_path).release()  # free again


def test_second_acquire_in_the_same_process_is_refused(db_path):
    with lock.acquire(db_path):
        with pytest.raises(lock.DatabaseInUse) as info:
            lock.acquire(db_path)
        assert "用户" in info.value.holder and "电脑" in info.value.holder


def test_second_process_is_told_who_holds_it_and_stale_lock_is_taken_over(db_path):
    first = _run(HOLDER, str(db_path), wait=False)
    try:
        assert first.stdout.readline().strip() == "held"
        out = _run(TRY, str(db_path))
        assert out.startswith("BUSY "), out
        assert f"电脑 {socket.gethostname()}" in out and "开始时间" in out and out.endswith(str(first.pid))
        # and from this process too, with a Chinese message a clerk can act on
        with pytest.raises(lock.DatabaseInUse) as exc:
            lock.acquire(db_path)
        assert "数据库正由用户" in str(exc.value) and "只读" in str(exc.value)
        assert lock.holder(db_path)["pid"] == first.pid
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # the crashed holder left its lock file behind, with its JSON in it ...
    assert json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))["pid"] == first.pid
    assert lock.holder(db_path) is None  # ... but nobody holds the OS lock: stale
    assert _run(TRY, str(db_path)) == "GOT True"
    with lock.acquire(db_path) as held:
        assert held.stale_holder is None  # the previous TRY released it cleanly


def test_stale_holder_is_reported_after_a_crash(db_path):
    first = _run(HOLDER, str(db_path), wait=False)
    assert first.stdout.readline().strip() == "held"
    first.send_signal(signal.SIGKILL)
    first.wait()
    with lock.acquire(db_path) as held:
        assert held.stale_holder["pid"] == first.pid


# root passes every permission check through two capabilities: drop them, and a root
# process meets a read-only folder as a clerk's account does (CI runs as root)
AS_CLERK = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
LOCK_RO = (
    "import sys;from app.core.safety import lock\n"
    "try:\n    lock.acquire(sys.argv[1]); print('LOCKED')\n"
    "except lock.LockUnavailable as e:\n    print('UNAVAILABLE', e)\n"
)


def test_read_only_folder_cannot_be_locked(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            cmd = [*AS_CLERK, sys.executable, "-c", LOCK_RO, str(folder / "ledgers.db")]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
            assert done.stdout.startswith("UNAVAILABLE") and "只读" in done.stdout, done.stdout + done.stderr
        else:
            with pytest.raises(lock.LockUnavailable, match="只读"):
                lock.acquire(folder / "ledgers.db")
        assert not (folder / "ledgers.db.lock").exists()
    finally:
        folder.chmod(0o755)


def test_unreadable_lock_content_still_refuses(db_path):
    lock.lock_path(db_path).write_bytes(b"\xff\xfe not json")
    held = lock.acquire(db_path)  # garbage and nobody holding: taken over
    try:
        assert held.stale_holder is None
        assert lock.describe_holder(None) == "另一个程序（使用者不详）"
    finally:
        held.release()


def test_cli_writers_are_refused_while_the_program_has_it_open_readers_are_not(db_path, tmp_path, capsys):
    from app.cli import main

    assert main(["--db", str(db_path), "settings", "town=甲镇"]) == 0
    csv_file = tmp_path / "s.csv"
    csv_file.write_text("日期,形式,对象,主题\n2024-01-02,专题培训,全体干部职工,宪法\n", encoding="utf-8")
    first = _run(HOLDER, str(db_path), wait=False)
    try:
        assert first.stdout.readline().strip() == "held"
        capsys.readouterr()
        assert main(["--db", str(db_path), "settings", "town=乙镇"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("错误：数据库正由用户") and len(err.strip().splitlines()) == 1
        assert main(["--db", str(db_path), "import", "study_sessions", str(csv_file)]) == 1
        assert main(["--db", str(db_path), "settings"]) == 0  # reading is fine
        assert "town=甲镇" in capsys.readouterr().out
        assert main(["--db", str(db_path), "import", "study_sessions", str(csv_file), "--dry-run"]) == 0
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert main(["--db", str(db_path), "import", "study_sessions", str(csv_file)]) == 0
