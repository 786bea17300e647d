"""Encrypted at rest: with a password set, no 身份证号 is readable in the bytes of the
database, its log, its backups or its copies; a wrong or missing password is refused in one
Chinese line (exit 2); the recovery code opens it too; setting the password survives SIGKILL."""

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

from app.cli import main
from app.core.safety import backup, encryption
from app.core.storage import keys
from app.core.storage.common import StoreError
from app.core.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "武平镇2024!"


@pytest.fixture
def demo_db(db_path):
    assert main(["--db", str(db_path), "demo"]) == 0
    return db_path


def _ids(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT id_number FROM key_persons WHERE id_number IS NOT NULL")]
    finally:
        conn.close()


def _set_password(db_path, monkeypatch, capsys, password=PASSWORD, again=None) -> str:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{password}\n{again or password}\n"))
    code = main(["--db", str(db_path), "password", "set"])
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.splitlines()
    return next((line.strip() for line in lines if line.strip().count("-") == 5), "")


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".lock")]


def test_nothing_of_an_id_number_in_the_bytes_with_a_password(demo_db, monkeypatch, capsys):
    ids = _ids(demo_db)
    assert ids
    backup.make_backup(demo_db)  # a backup from before the password: encrypted when it is set
    code = _set_password(demo_db, monkeypatch, capsys)
    assert len(code) == 29
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    # work with it open: a write (in the WAL), a backup, a restore (its before-restore copy)
    store = Store.open(demo_db)
    try:
        store.save("consultations", {"date": "2024-12-30", "channel": "来访", "matter": f"来访人身份证号 {ids[0]}"})
        wal = Path(f"{demo_db}-wal")
        assert wal.exists() and wal.stat().st_size > 0
        assert all(i.encode() not in wal.read_bytes() for i in ids)
    finally:
        store.close()
    assert main(["--db", str(demo_db), "backup"]) == 0
    made = backup.list_backups(demo_db)[0]
    assert main(["--db", str(demo_db), "restore", str(made)]) == 0
    capsys.readouterr()
    files = _files(demo_db.parent)
    names = {p.name for p in files}
    assert any("before-restore" in n for n in names) and sum(n.endswith(".db") for n in names) >= 4
    for f in files:
        data = f.read_bytes()
        assert all(i.encode() not in data for i in ids), f
        assert b"SQLite format 3" not in data[:16] or f.suffix != ".db", f
    # and it is all there, with the password
    assert main(["--db", str(demo_db), "figures", "--year", "2024", "--json"]) == 0
    assert '"enforcement.inspections": 114' in capsys.readouterr().out


def test_wrong_or_missing_password_is_refused_in_one_line(demo_db, monkeypatch, capsys):
    _set_password(demo_db, monkeypatch, capsys)
    for env in (None, "不对的密码"):
        keys.forget_all()
        if env is None:
            monkeypatch.delenv("FAZHI_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("FAZHI_PASSWORD", env)
        for argv in (["figures", "--year", "2024"], ["backup"], ["settings", "town=别处"], ["password", "clear"]):
            assert main(["--db", str(demo_db), *argv]) == 2, argv
            err = capsys.readouterr().err
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
            assert "密码" in err and "FAZHI_PASSWORD" in err
    # the core refuses too, without a key: no file opened, nothing written
    keys.forget_all()
    with pytest.raises(StoreError, match="设有密码"):
        Store.open(demo_db)
    with pytest.raises(keys.WrongPassword):
        encryption.unlock(demo_db, "不对的密码")


def test_a_subprocess_with_a_wrong_password_prints_one_line(demo_db, monkeypatch, capsys):
    _set_password(demo_db, monkeypatch, capsys)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAZHI_PASSWORD": "wrong"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(demo_db), "report", "--year", "2024", "--out", "x.docx"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["错误：密码不正确（环境变量 FAZHI_PASSWORD），数据库没有打开。"]


def test_recovery_code_opens_it_changes_and_clears_the_password(demo_db, monkeypatch, capsys):
    code = _set_password(demo_db, monkeypatch, capsys)
    keys.forget_all()
    monkeypatch.setenv("FAZHI_PASSWORD", code.lower().replace("-", " "))  # as typed off paper
    assert main(["--db", str(demo_db), "check", "--year", "2024"]) == 0
    _set_password(demo_db, monkeypatch, capsys, password="新密码2025abc")  # changed with the recovery code
    keys.forget_all()
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    assert main(["--db", str(demo_db), "check", "--year", "2024"]) == 2  # the old password no longer
    monkeypatch.setenv("FAZHI_PASSWORD", "新密码2025abc")
    assert main(["--db", str(demo_db), "password", "clear"]) == 0
    assert "明文" in capsys.readouterr().out
    keys.forget_all()
    monkeypatch.delenv("FAZHI_PASSWORD")
    assert not keys.key_file(demo_db).exists()
    assert demo_db.read_bytes()[:16] == b"SQLite format 3\x00"
    assert main(["--db", str(demo_db), "figures", "--year", "2024"]) == 0
    s = Store.open(demo_db)
    notes = [e["note"] for e in s.audit_entries(limit=10) if e["action"] == "password"]
    s.close()
    assert len(notes) == 3 and "清除密码" in notes[0] and "修改密码" in notes[1] and "设置密码" in notes[2]


def test_mismatched_new_password_changes_nothing(demo_db, monkeypatch, capsys):
    import io

    before = demo_db.read_bytes()
    monkeypatch.setattr(sys, "stdin", io.StringIO("一\n二\n"))
    assert main(["--db", str(demo_db), "password", "set"]) == 2
    assert "不一致" in capsys.readouterr().err
    assert demo_db.read_bytes() == before and not keys.key_file(demo_db).exists()


SETTER = """
import sys
from app.core.safety import encryption
from app.core.storage import keys
print("ready", flush=True)
encryption.protect(sys.argv[1], sys.argv[2])
print("done", flush=True)
"""


def test_killed_while_setting_the_password(db_path, monkeypatch):
    s = Store.open(db_path)
    s.insert_many("study_sessions", [{"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "a"}] * 500)
    s.close()
    rng = random.Random(13)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outcomes = set()
    whole = None  # how long a whole run takes here: the first one is left to finish
    for cycle in range(10):
        keys.forget_all()
        proc = subprocess.Popen(
            [sys.executable, "-c", SETTER, str(db_path), PASSWORD], stdout=subprocess.PIPE, text=True, env=env
        )
        assert proc.stdout.readline().strip() == "ready"
        if whole is None:
            t0 = time.perf_counter()
            assert proc.stdout.readline().strip() == "done"
            whole = time.perf_counter() - t0
        else:  # scrypt, the copy, the check, the key file, the swap: killed anywhere in them
            time.sleep(rng.uniform(0.0, whole * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        encrypted = keys.is_encrypted(db_path)
        outcomes.add(encrypted)
        if encrypted:
            encryption.unlock(db_path, PASSWORD)
        # the next start (a writing command) clears what the killed run left
        monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
        assert main(["--db", str(db_path), "settings", "town=武平镇"]) == 0, f"cycle {cycle}"
        assert not [p.name for p in db_path.parent.iterdir() if ".tmp" in p.name], f"cycle {cycle}"
        s = Store.open(db_path)
        try:
            assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert s.count("study_sessions") == 500, f"cycle {cycle}"
        finally:
            s.close()
        if encrypted:  # plain again for the next cycle
            encryption.unprotect(db_path)
            assert not keys.is_encrypted(db_path)
    assert outcomes == {True, False}, outcomes  # kills landed before the swap too


def test_pack_of_an_encrypted_database_is_encrypted_and_merges(demo_db, tmp_path, monkeypatch, capsys):
    ids = _ids(demo_db)
    _set_password(demo_db, monkeypatch, capsys)
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    assert main(["--db", str(demo_db), "settings", "office=司法所"]) == 0
    pack = tmp_path / "司法所.fzpack"
    args = ["--db", str(demo_db), "pack", "--out", str(pack), "--ledgers", "key_persons,visits"]
    assert main([*args, "--no-password"]) == 2  # not in clear, from an encrypted database
    assert "必须加密" in capsys.readouterr().err and not pack.exists()
    assert main([*args, "--password", "包密码12345678"]) == 0
    data = pack.read_bytes()
    assert all(i.encode() not in data for i in ids)
    other = tmp_path / "other.db"
    Store.open(other).close()
    assert main(["--db", str(other), "merge", str(pack), "--password", "包密码12345678"]) == 0
    assert sorted(_ids(other)) == sorted(ids)


def test_encrypted_read_only_session_and_worker_connections(db_path, monkeypatch, capsys):
    import threading

    from app.core.storage import schema

    s = Store.open(db_path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "加密的记录"})
    s.close()
    encryption.protect(db_path, PASSWORD)
    keys.forget_all()
    with pytest.raises(StoreError, match="设有密码"):
        Store.open(db_path, readonly=True)
    encryption.unlock(db_path, PASSWORD)
    ro = Store.open(db_path, readonly=True)
    seen = []

    def worker():  # a worker thread's own connection, keyed from what this process unlocked
        other = ro.reopen()
        try:
            seen.append((other.readonly, other.count("consultations")))
        finally:
            other.close()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    ro.close()
    assert seen == [(True, 1)]
    # an older structure version, encrypted, read-only: migrated in memory, the file untouched
    conn = encryption.dbapi.connect(db_path)
    conn.execute("DROP TABLE report_texts")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    assert 1 in schema.MIGRATIONS
    ro = Store.open(db_path, readonly=True)
    try:
        assert ro.report_texts(2024) == {} and ro.count("consultations") == 1
        other = ro.reopen()
        assert other.count("consultations") == 1
        other.close()
    finally:
        ro.close()
    assert db_path.read_bytes() == before


def test_plain_copies_left_by_an_interrupted_run_are_encrypted_at_the_next_start(demo_db, monkeypatch, capsys):
    ids = _ids(demo_db)
    _set_password(demo_db, monkeypatch, capsys)
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    # a plain copy beside it, as a run killed between the swap and encrypting the copies leaves
    folder = backup.backups_dir(demo_db)
    folder.mkdir(exist_ok=True)
    conn = encryption.dbapi.connect(demo_db)
    plain = folder / f"{demo_db.stem}-20240101-000000.db"
    encryption.dbapi.export(encryption.dbapi.cipher_connect(demo_db, encryption.dbapi.key_of(demo_db)), plain, None)
    conn.close()
    assert any(i.encode() in plain.read_bytes() for i in ids)
    assert main(["--db", str(demo_db), "settings", "town=武平镇"]) == 0  # a writing command: a start
    assert keys.is_encrypted(plain) and all(i.encode() not in plain.read_bytes() for i in ids)
