"""Faults: a full disk, a read-only folder, a file that is not ours or is corrupt.

The disk-full and read-only cases use a real small tmpfs (mounted, and remounted read-only)
so SQLite meets the real errors; they need root and are skipped, with the reason, elsewhere.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess

import pytest

from app.cli import main
from app.core.safety import backup, backup_check, lock
from app.core.storage import faults
from app.core.storage.common import StoreError
from app.core.storage.dbapi import connect_readonly
from app.core.storage.schema import SCHEMA_VERSION
from app.core.storage.store import Store

NOTE = "调解过程记录。" * 300  # ~2 KB a row: fills a small disk quickly


def _row(i: int) -> dict:
    return {"date": "2024-06-01", "form": "专题培训", "audience": "全体干部职工", "topic": f"主题{i}", "note": NOTE}


@pytest.fixture
def mount(tmp_path):
    """``mount(size)`` -> a fresh tmpfs folder of that size; ``remount(folder, opts)``."""
    mounted = []

    def make(size: str):
        if os.geteuid() != 0 and not os.environ.get("CI"):  # CI runs as root: there it must run
            pytest.skip("mounting a small tmpfs needs root; this sandbox user is not root")
        folder = tmp_path / f"mnt{len(mounted)}"
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
        if done.returncode and not os.environ.get("CI"):
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        mounted.append(folder)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def remount(folder, opts: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{opts}", str(folder)], check=True, capture_output=True)


def _check(path) -> tuple[str, int]:
    """Integrity and row count of the database as SQLite sees it (file and its -wal)."""
    conn = connect_readonly(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0], conn.execute(
            "SELECT COUNT(*) FROM study_sessions"
        ).fetchone()[0]
    finally:
        conn.close()


# -- a full disk --------------------------------------------------------------------------


def test_disk_full_loses_nothing_saved_and_says_what_to_do(mount, capsys):
    disk = mount("1500k")
    path = disk / "ledgers.db"
    s = Store.open(path)
    saved = 0
    error = None
    for i in range(2000):
        try:
            if i % 2:
                s.insert_many("study_sessions", [_row(i), _row(i + 1)])
                saved += 2
            else:
                s.save("study_sessions", _row(i))
                saved += 1
        except StoreError as exc:
            error = exc
            break
    assert error is not None, "the disk never filled"
    assert str(error) == faults.DISK_FULL and "已保存的数据没有丢失" in str(error)
    assert saved > 10
    # the store is still usable for reading, and holds exactly what was saved
    assert s.count("study_sessions") == saved
    with pytest.raises(StoreError, match="磁盘空间已满"):
        s.set_setting("issuer", "某" * 100_000)
    s.close()
    check, rows = _check(path)
    assert (check, rows) == ("ok", saved)
    # the command line says the same in one line
    assert main(["--db", str(path), "settings", "issuer=" + "某" * 100_000]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"错误：{faults.DISK_FULL}"
    # room again: writing resumes, nothing was lost
    remount(disk, "size=8m")
    s = Store.open(path)
    try:
        s.save("study_sessions", _row(9999))
        assert s.count("study_sessions") == saved + 1
        assert s.setting("issuer") == ""
    finally:
        s.close()


def test_disk_full_backup_leaves_no_partial_file(mount, db_path):
    s = Store.open(db_path)
    s.insert_many("study_sessions", [_row(i) for i in range(200)])
    s.close()
    disk = mount("300k")
    with pytest.raises(StoreError, match="磁盘空间已满"):
        backup.make_backup(db_path, disk / "b.db")
    assert list(disk.iterdir()) == []
    assert _check(db_path) == ("ok", 200)


def test_disk_full_restore_changes_nothing(mount):
    disk = mount("4m")
    path = disk / "ledgers.db"
    s = Store.open(path)
    s.insert_many("study_sessions", [_row(i) for i in range(100)])
    s.close()
    big = disk.parent / "big.db"
    s = Store.open(big)
    s.insert_many("study_sessions", [_row(i) for i in range(400)])
    s.close()
    big = backup.make_backup(big, disk.parent / "big-backup.db")
    with pytest.raises(StoreError, match="恢复失败：磁盘空间已满"):
        backup.restore(path, big)
    assert _check(path) == ("ok", 100)
    assert not [p for p in disk.iterdir() if p.name.endswith(".tmp")]


# -- a read-only folder -------------------------------------------------------------------


def test_read_only_folder(mount, tmp_path, capsys):
    folder = mount("2m")
    path = folder / "ledgers.db"
    s = Store.open(path)
    s.insert_many("study_sessions", [_row(i) for i in range(5)])
    s.close()
    remount(folder, "ro")

    with pytest.raises(StoreError) as exc:
        Store.open(path)
    assert faults.READ_ONLY in str(exc.value) and "写权限" in str(exc.value)
    assert main(["--db", str(path), "settings", "town=武平镇"]) == 1  # a writing command
    err = capsys.readouterr().err
    assert "只读" in err and len(err.strip().splitlines()) == 1
    assert main(["--db", str(path), "settings"]) == 0  # a reading one runs
    assert "town=" in capsys.readouterr().out

    # read-only opening still shows everything; a write says why it cannot be saved
    ro = Store.open(path, readonly=True)
    try:
        assert ro.count("study_sessions") == 5
        with pytest.raises(StoreError, match="只读"):
            ro.save("study_sessions", _row(6))
    finally:
        ro.close()
    with pytest.raises(lock.LockUnavailable, match="只读"):
        lock.acquire(path)
    assert backup_check.quick_check(path)
    # and it can still be backed up somewhere writable
    made = backup.make_backup(path, tmp_path / "out" / "b.db")
    assert _check(made) == ("ok", 5)
    # a new database cannot be created there either
    with pytest.raises(StoreError, match="只读"):
        Store.open(folder / "new.db")
    remount(folder, "rw")
    assert _check(path) == ("ok", 5)


# -- files that are not ours, or are damaged ----------------------------------------------


def test_opening_a_file_that_is_not_ours_or_corrupt(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(10000))
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA user_version=3")
    conn.commit()
    conn.close()
    for path in (junk, foreign):
        before = path.read_bytes()
        with pytest.raises(StoreError, match=r"不是本程序的数据库，或已损坏.*请用备份恢复"):
            Store.open(path)
        assert path.read_bytes() == before  # left as it was
    newer = tmp_path / "newer.db"
    Store.open(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="更新版本"):
        Store.open(newer)


def test_startup_quick_check_finds_damage_and_offers_the_latest_good_backup(db_path):
    s = Store.open(db_path)
    s.insert_many("study_sessions", [_row(i) for i in range(100)])
    s.close()
    good = backup.make_backup(db_path)
    assert backup_check.quick_check(db_path)
    size = db_path.stat().st_size
    with open(db_path, "r+b") as fh:
        fh.seek(size // 3)
        fh.write(os.urandom(size // 3))
    assert not backup_check.quick_check(db_path)
    assert backup.latest_good_backup(db_path) == good
    backup.restore(db_path, good)
    assert backup_check.quick_check(db_path)
    assert _check(db_path) == ("ok", 100)


def test_a_failed_multi_row_write_leaves_nothing(store):
    def rows():
        yield _row(1)
        yield _row(2)
        raise ValueError("第三行出错")

    with pytest.raises(ValueError):
        store.insert_many("study_sessions", rows())
    with pytest.raises(RuntimeError), store.transaction():
        store.save("study_sessions", _row(1))
        store.delete("study_sessions", 1)
        raise RuntimeError("中途失败")
    assert store.count("study_sessions") == 0 and store.count("study_sessions", deleted=True) == 0
    assert [e["action"] for e in store.audit_entries()] == []


def test_fault_messages():
    assert faults.fault_message(sqlite3.OperationalError("database or disk is full")) == faults.DISK_FULL
    assert faults.fault_message(sqlite3.OperationalError("attempt to write a readonly database")) == faults.READ_ONLY
    assert faults.fault_message(sqlite3.OperationalError("disk I/O error")) == faults.IO_ERROR
    assert faults.fault_message(OSError(28, "No space left on device")) == faults.DISK_FULL
    assert faults.fault_message(sqlite3.OperationalError("no such table: x")) is None
    assert faults.fault_message(ValueError("x")) is None


# -- a database on a network share --------------------------------------------------------


def test_network_share_detection_from_mounts():
    mounts = [
        "/dev/vda / ext4 rw 0 0",
        "//nas/台账 /mnt/share cifs rw 0 0",
        "server:/export /mnt/nfs nfs4 rw 0 0",
        "tmpfs /mnt/share/tmp tmpfs rw 0 0",
        "//nas/b /mnt/with\\040space cifs rw 0 0",
    ]
    assert faults.mount_fstype("/mnt/share/镇/ledgers.db", mounts) == "cifs"
    assert faults.mount_fstype("/mnt/share/tmp/x.db", mounts) == "tmpfs"
    assert faults.mount_fstype("/mnt/sharex/x.db", mounts) == "ext4"
    assert faults.mount_fstype("/mnt/nfs/x.db", mounts) == "nfs4"
    assert faults.mount_fstype("/mnt/with space/x.db", mounts) == "cifs"
    assert {"cifs", "nfs4"} <= faults.NETWORK_FS and "tmpfs" not in faults.NETWORK_FS
    assert not faults.on_network_drive(__file__)


def test_on_a_network_share_the_store_uses_a_rollback_journal(db_path, tmp_path, monkeypatch):
    import app.core.storage.store as store_mod

    local = Store.open(db_path)  # made locally (WAL), then "moved" to a share
    local.insert_many("study_sessions", [_row(i) for i in range(3)])
    local.close()
    monkeypatch.setattr(store_mod, "on_network_drive", lambda path: True)
    s = Store.open(db_path)
    try:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert not os.path.exists(f"{db_path}-wal")
        s.save("study_sessions", _row(4))
        # a colleague's read-only view, and a backup, work beside the writer
        ro = Store.open(db_path, readonly=True)
        assert ro.count("study_sessions") == 4
        ro.close()
        made = backup.make_backup(db_path, tmp_path / "b.db")
    finally:
        s.close()
    s = Store.open(db_path)
    s.save("study_sessions", _row(5))
    s.close()
    backup.restore(db_path, made)
    assert _check(db_path) == ("ok", 4)


def test_read_only_opening_refuses_a_file_that_is_not_ours(tmp_path):
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="不是本程序的数据库"):
        Store.open(foreign, readonly=True)


def test_command_line_describes_faults_in_chinese():
    from app.cli import describe_error

    assert describe_error(sqlite3.OperationalError("database is locked")) == faults.LOCKED
    assert "磁盘空间" in describe_error(OSError(28, "No space left on device"))
    assert describe_error(sqlite3.OperationalError("attempt to write a readonly database")) == faults.READ_ONLY
    # a file held open by Excel is not a read-only folder: the command line says which file
    assert "报表.xlsx" in describe_error(PermissionError(13, "denied", "报表.xlsx"))
