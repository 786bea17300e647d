"""A database with a password stays encrypted, with its own key, whatever is restored into it:
a backup made before the password (plain), one made under an older password, one under
another key; plain copies with their log beside them are encrypted too, or reported; and a
re-encrypting restore killed at any moment leaves the old or the restored database, encrypted,
opening with the password (issue 19, item 1)."""

from __future__ import annotations

import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main
from app.core.safety import backup, backup_check, encryption
from app.core.storage import dbapi, keys
from app.core.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "武平镇2024!"
OLD_PASSWORD = "旧的密码12345"


def _set_password(db_path: Path, monkeypatch, capsys, password: str = PASSWORD) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{password}\n{password}\n"))
    code = main(["--db", str(db_path), "password", "set"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.err


def _plain_sqlite_refuses(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def _ids(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT id_number FROM key_persons WHERE id_number IS NOT NULL")]
    finally:
        conn.close()


def _count(db_path: Path, ledger: str = "study_sessions") -> int:
    conn = dbapi.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute(f"SELECT COUNT(*) FROM {ledger} WHERE deleted_at IS NULL").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_from_before_the_password_restores_encrypted(db_path, tmp_path, monkeypatch, capsys):
    assert main(["--db", str(db_path), "demo"]) == 0
    ids = _ids(db_path)
    old = tmp_path / "usb" / "old.db"
    assert main(["--db", str(db_path), "backup", "--to", str(old)]) == 0
    err = _set_password(db_path, monkeypatch, capsys)
    # the copy on the stick is the clerk's: left as it is, and said to be in clear
    assert len(err.strip().splitlines()) == 1 and "明文" in err and str(old) in err, err
    assert old.read_bytes()[:16] == keys.SQLITE_HEADER
    envelope = keys.key_file(db_path).read_bytes()
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    keys.forget_all()
    assert main(["--db", str(db_path), "restore", str(old)]) == 0
    capsys.readouterr()
    # the live database: encrypted, with the key file it had (the password and its recovery code)
    assert keys.is_encrypted(db_path)
    assert keys.key_file(db_path).read_bytes() == envelope
    _plain_sqlite_refuses(db_path)
    assert all(i.encode() not in db_path.read_bytes() for i in ids)
    assert not [p.name for p in db_path.parent.iterdir() if ".tmp" in p.name]
    # nothing opens without the password; with it, the restored data is all there
    keys.forget_all()
    monkeypatch.delenv("FAZHI_PASSWORD")
    assert main(["--db", str(db_path), "figures", "--year", "2024", "--json"]) == 2
    assert "FAZHI_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    assert main(["--db", str(db_path), "figures", "--year", "2024", "--json"]) == 0
    assert '"enforcement.inspections": 114' in capsys.readouterr().out
    s = Store.open(db_path, readonly=True)
    try:
        note = next(e["note"] for e in s.audit_entries(limit=5) if e["action"] == "restore_backup")
    finally:
        s.close()
    assert "重新加密" in note


def test_a_subprocess_needs_the_password_after_the_restore(db_path, tmp_path, monkeypatch, capsys):
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "恢复前"})
    s.close()
    old = backup.make_backup(db_path, tmp_path / "usb" / "old.db")
    encryption.protect(db_path, PASSWORD)
    backup.restore(db_path, old)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FAZHI_PASSWORD", None)
    argv = [sys.executable, "-m", "app", "--db", str(db_path), "figures", "--year", "2024"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "密码" in done.stderr, done.stderr
    done = subprocess.run(argv, capture_output=True, text=True, env={**env, "FAZHI_PASSWORD": PASSWORD}, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_backup_made_before_a_password_change_opens_with_the_new_password(db_path, tmp_path):
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "一"})
    s.close()
    encryption.protect(db_path, OLD_PASSWORD)
    made = backup.make_backup(db_path, tmp_path / "usb" / "old.db")
    encryption.change_password(db_path, PASSWORD)
    backup.restore(db_path, made)
    keys.forget_all()
    assert encryption.opens(db_path, PASSWORD)
    keys.forget_all()
    assert not encryption.opens(db_path, OLD_PASSWORD)  # the backup's key file did not come with it


def test_a_backup_under_another_key_is_re_encrypted_with_this_databases_key(db_path, tmp_path):
    other = tmp_path / "other" / "ledgers.db"
    s = Store.open(other)
    s.insert_many("study_sessions", [{"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "a"}] * 4)
    s.close()
    encryption.protect(other, OLD_PASSWORD)
    made = backup.make_backup(other, tmp_path / "usb" / "other.db")
    Store.open(db_path).close()
    encryption.protect(db_path, PASSWORD)
    live_key = dbapi.key_of(db_path)
    backup.restore(db_path, made)
    assert dbapi.key_of(db_path) == live_key and _count(db_path) == 4
    keys.forget_all()
    assert not encryption.opens(db_path, OLD_PASSWORD)
    assert encryption.opens(db_path, PASSWORD) and _count(db_path) == 4


def test_a_plain_backup_restored_into_a_plain_database_stays_plain(db_path, tmp_path):
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "一"})
    s.close()
    made = backup.make_backup(db_path, tmp_path / "b.db")
    backup.restore(db_path, made)
    assert db_path.read_bytes()[:16] == keys.SQLITE_HEADER and not keys.key_file(db_path).exists()


def _copy_with_its_wal(db_path: Path, dest: Path) -> None:
    """A raw copy of a database in WAL mode taken with its log: the newest rows are in -wal."""
    s = Store.open(db_path)
    try:
        s.conn.execute("PRAGMA wal_autocheckpoint=0")
        s.save("consultations", {"date": "2024-02-02", "channel": "来访", "matter": "只在日志里"})
        assert Path(f"{db_path}-wal").stat().st_size > 0
        dest.write_bytes(db_path.read_bytes())
        Path(f"{dest}-wal").write_bytes(Path(f"{db_path}-wal").read_bytes())
    finally:
        s.close()


def test_a_plain_copy_with_its_log_beside_it_is_encrypted_with_the_log(db_path, monkeypatch, capsys):
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "文件里"})
    s.close()
    folder = backup.backups_dir(db_path)
    folder.mkdir()
    raw = folder / f"{db_path.stem}-damaged-20240101-000000.db"
    _copy_with_its_wal(db_path, raw)
    err = _set_password(db_path, monkeypatch, capsys)
    assert "明文" not in err
    assert keys.is_encrypted(raw) and not Path(f"{raw}-wal").exists()
    _plain_sqlite_refuses(raw)
    assert _count(raw, "consultations") == 2  # the row that was only in the log came along


def test_a_plain_copy_that_cannot_be_encrypted_is_reported(db_path, monkeypatch, capsys):
    Store.open(db_path).close()
    folder = backup.backups_dir(db_path)
    folder.mkdir()
    broken = folder / f"{db_path.stem}-damaged-20240101-000000.db"
    broken.write_bytes(keys.SQLITE_HEADER + b"\xff" * 5000)  # a header, then nothing readable
    Path(f"{broken}-wal").write_bytes(b"\x00" * 100)
    err = _set_password(db_path, monkeypatch, capsys)
    assert len(err.strip().splitlines()) == 1 and "明文" in err and str(broken) in err, err
    assert broken.exists()  # kept as it was, for whoever looks at it


RESTORER = """
import sys
from app.core.safety import backup, encryption
db, pw, old_pw = sys.argv[1], sys.argv[2], sys.argv[3]
encryption.unlock(db, pw)
encryption.unlock(sys.argv[5], old_pw)
print("ready", flush=True)
i = 0
while True:
    backup.restore(db, sys.argv[4 + i % 2])
    i += 1
    print(i, flush=True)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_re_encrypting_restore_killed_at_random_moments(db_path, tmp_path):
    """A plain backup (3 rows) and one under another key (8 rows), restored in turn into an
    encrypted database and killed anywhere: always encrypted with its own key, whole, one of
    the two, and never a plain copy of the data beside it."""
    rows = {"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "a"}
    s = Store.open(db_path)
    s.insert_many("study_sessions", [rows] * 3)
    s.close()
    small = backup.make_backup(db_path, tmp_path / "usb" / "small.db")  # before the password
    other = tmp_path / "other" / "ledgers.db"
    s = Store.open(other)
    s.insert_many("study_sessions", [rows] * 8)
    s.close()
    encryption.protect(other, OLD_PASSWORD)
    big = backup.make_backup(other, tmp_path / "usb" / "big.db")  # under another key
    encryption.protect(db_path, PASSWORD)
    envelope = keys.key_file(db_path).read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(19)
    restores = 0
    whole = None  # how long one restore takes here: the first cycle waits for one to finish
    for cycle in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", RESTORER, str(db_path), PASSWORD, OLD_PASSWORD, str(small), str(big)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        if whole is None:
            t0 = time.perf_counter()
            assert proc.stdout.readline().strip() == "1", proc.stderr.read()
            whole = time.perf_counter() - t0
            restores += 1
        else:  # anywhere in the next two restores: the copy, the check, the swap, between them
            time.sleep(rng.uniform(0.0, whole * 2.2))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        restores += len(out.split())
        assert keys.is_encrypted(db_path), f"cycle {cycle}"
        assert keys.key_file(db_path).read_bytes() == envelope, f"cycle {cycle}"
        _plain_sqlite_refuses(db_path)
        keys.forget_all()
        assert not encryption.opens(db_path, OLD_PASSWORD)
        assert encryption.opens(db_path, PASSWORD)
        assert _count(db_path) in (3, 8), f"cycle {cycle}"
        # what the killed restore left beside it (or the copies it made) is never in clear
        for p in [*db_path.parent.iterdir(), *backup.backups_dir(db_path).glob("*")]:
            if p.is_file() and not p.name.endswith((".key", ".lock")):
                assert p.read_bytes()[:16] != keys.SQLITE_HEADER, f"cycle {cycle}: {p.name} is plain"
    assert restores > 0
    # the next writer clears what the killed restores left, and the database works as usual
    from app.core.safety import lock

    with lock.acquire(db_path):
        backup.clean_leftovers(db_path)
        s = Store.open(db_path)
        s.save("study_sessions", rows)
        s.close()
    assert not [p.name for p in db_path.parent.iterdir() if ".tmp" in p.name]


def test_the_windows_restore_of_a_plain_backup_keeps_the_database_encrypted(qtbot, db_path, tmp_path, monkeypatch):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QMessageBox

    from app.ui import app as ui_app

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    s = Store.open(db_path)
    s.set_setting("setup_done", True)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "设密码前"})
    s.close()
    old = backup.make_backup(db_path, tmp_path / "usb" / "old.db")
    encryption.protect(db_path, PASSWORD)
    ctl = ui_app.Controller(QCoreApplication.instance(), db_path)  # the key is known: no prompt
    assert ctl.start()
    first = ctl.window
    ctl.session.store.save("consultations", {"date": "2024-01-02", "channel": "电话", "matter": "设密码后"})
    assert first.show_page("settings").restore_backup(str(old))  # 从备份恢复, the file chosen
    qtbot.addWidget(ctl.window)
    assert [r["matter"] for r in ctl.session.store.rows("consultations")] == ["设密码前"]
    ctl.window.close()
    ctl.stop()
    assert keys.is_encrypted(db_path)
    _plain_sqlite_refuses(db_path)
    keys.forget_all()
    assert encryption.opens(db_path, PASSWORD) and _count(db_path, "consultations") == 1


@pytest.mark.parametrize("password", [None, PASSWORD])
def test_a_copy_taken_with_its_log_restores_with_the_log(db_path, tmp_path, password):
    """A live database copied to a stick with its -wal (not a backup the program made): the
    rows only in the log are restored too, into a plain or an encrypted database."""
    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "文件里"})
    s.close()
    usb = tmp_path / "usb"
    usb.mkdir()
    copy = usb / "copy.db"
    _copy_with_its_wal(db_path, copy)
    if password:
        encryption.protect(db_path, password)
    backup_check.verify_backup(copy)
    assert backup_check.backup_summary(copy)["total"] == 2
    backup.restore(db_path, copy)
    assert keys.is_encrypted(db_path) == bool(password)
    assert _count(db_path, "consultations") == 2
