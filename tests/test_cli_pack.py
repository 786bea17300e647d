"""``settings office=``, ``pack`` and ``merge`` on the command line: output, refusals (one
Chinese line, exit code 2, nothing changed), and a merge SIGKILLed half way."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main
from app.core.demo.generator import fill
from app.core.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]


def snapshot(path: Path) -> list[str]:
    """The database's whole content (the main file's bytes move when its log is checkpointed)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two_pcs(tmp_path):
    """The 司法所's PC with the demo, and an empty PC of the same town."""
    a, b = tmp_path / "sifasuo.db", tmp_path / "dangzhengban.db"
    s = Store.open(a)
    fill(s, 2024)
    s.close()
    Store.open(b).close()
    return a, b


def test_office_pack_and_merge(capsys, two_pcs, tmp_path):
    a, b = two_pcs
    pack = tmp_path / "司法所.fzpack"
    code, out, err = run(capsys, "--db", str(a), "pack", "--out", str(pack))
    assert code == 2 and "settings office=" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "--db", str(a), "settings", "office=司法所")
    assert code == 0 and "office=司法所" in out
    code, out, err = run(capsys, "--db", str(a), "pack", "--out", str(pack))
    assert code == 2 and "--no-password" in err and not pack.exists()
    code, out, err = run(capsys, "--db", str(a), "pack", "--out", str(pack), "--password", "pw1-2024!")
    assert code == 0 and "已加密" in out and "走访记录 1461 条" in out

    code, out, err = run(capsys, "--db", str(b), "merge", str(pack), "--password", "pw1-2024!", "--dry-run")
    assert code == 0 and "试合并（未写入）" in out and "冲突 0" in out
    assert Store.open(b).count("visits") == 0
    code, out, err = run(capsys, "--db", str(b), "merge", str(pack), "--password", "pw1-2024!")
    assert code == 0 and "已合并" in out and "新增 " in out
    code, out, err = run(capsys, "--db", str(b), "merge", str(pack), "--password", "pw1-2024!")
    assert code == 0 and "新增 0，更新 0，删除 0，冲突 0" in out and "已经合并过" in out
    code, out_a, _ = run(capsys, "--db", str(a), "figures", "--year", "2024", "--json")
    code, out_b, _ = run(capsys, "--db", str(b), "figures", "--year", "2024", "--json")
    assert out_a == out_b

    plain = tmp_path / "执法.fzpack"
    code, out, _ = run(capsys, "--db", str(a), "pack", "--out", str(plain), "--ledgers", "penalties,行政检查台账")
    assert code == 0 and "未加密" in out and "行政处罚台账 11 条" in out


def test_refusals_are_one_line_exit_2_and_change_nothing(capsys, two_pcs, tmp_path):
    a, b = two_pcs
    run(capsys, "--db", str(a), "settings", "office=司法所")
    pack = tmp_path / "p.fzpack"
    run(capsys, "--db", str(a), "pack", "--out", str(pack), "--password", "pw1-2024!")
    data = pack.read_bytes()
    (tmp_path / "cut.fzpack").write_bytes(data[:-100])
    (tmp_path / "notes.txt").write_text("会议纪要", encoding="utf-8")
    before = snapshot(b)
    cases = [
        ((str(tmp_path / "cut.fzpack"), "--password", "pw1-2024!"), "不完整"),
        ((str(tmp_path / "notes.txt"),), "不是数据包"),
        ((str(pack), "--password", "错的"), "密码不正确"),
        ((str(pack),), "设有密码"),
        ((str(tmp_path / "missing.fzpack"),), "找不到数据包文件"),
    ]
    for args, words in cases:
        code, out, err = run(capsys, "--db", str(b), "merge", *args)
        assert code == 2, (args, err)
        assert words in err and err.startswith("错误：") and err.count("\n") == 1 and not out
    assert snapshot(b) == before
    run(capsys, "--db", str(b), "settings", "town=三合街道")
    before = snapshot(b)
    code, _, err = run(capsys, "--db", str(b), "merge", str(pack), "--password", "pw1-2024!")
    assert code == 2 and "不是本镇（三合街道）" in err and "--allow-other-town" in err
    assert snapshot(b) == before
    code, out, _ = run(capsys, "--db", str(b), "merge", str(pack), "--password", "pw1-2024!", "--allow-other-town")
    assert code == 0 and "已合并" in out
    code, _, err = run(capsys, "--db", str(a), "pack", "--out", str(pack), "--password", "x", "--no-password")
    assert code == 2 and "只能选一个" in err


# -- SIGKILL during a merge ---------------------------------------------------------------------

MERGER = """
import sys
from app.core.exchange.merge import merge_pack
from app.core.storage.store import Store
s = Store.open(sys.argv[1])
print("ready", flush=True)
merge_pack(s, sys.argv[2], "pw-2024!")
print("merged", flush=True)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_merge_killed_at_random_moments_leaves_before_or_after(tmp_path):
    from app.core.exchange.pack import make_pack

    src = Store.open(tmp_path / "src.db")
    fill(src, 2024)
    src.set_setting("office", "司法所")
    rows = [
        {"date": "2024-05-01", "person": f"咨询人{i}", "channel": "来访", "matter": f"第{i}件"} for i in range(20000)
    ]
    src.insert_many("consultations", rows, expected=len(rows))
    make_pack(src, tmp_path / "big.fzpack", password="pw-2024!")
    total = {lg: src.count(lg) + src.count(lg, deleted=True) for lg in ("consultations", "visits", "disputes")}
    src.close()
    empty = tmp_path / "empty.db"
    Store.open(empty).close()

    def start(db: Path) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-c", MERGER, str(db), str(tmp_path / "big.fzpack")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        return proc

    # how long one whole merge takes on this machine now (a loaded machine is slower): the
    # kills spread over it and past it, and the last cycle kills only after it finished
    shutil.copy(empty, tmp_path / "timed.db")
    proc = start(tmp_path / "timed.db")
    started = time.monotonic()
    assert proc.stdout.readline().strip() == "merged", proc.stderr.read()
    whole = time.monotonic() - started
    proc.kill()
    proc.communicate(timeout=60)

    rng = random.Random(11)
    outcomes = set()
    cycles = 12
    for cycle in range(cycles):
        db = tmp_path / f"c{cycle}.db"
        shutil.copy(empty, db)
        proc = start(db)
        if cycle == cycles - 1:
            assert proc.stdout.readline().strip() == "merged"
        else:
            time.sleep(rng.uniform(0.0, whole * 1.2))
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate(timeout=60)
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            counts = {lg: conn.execute(f"SELECT COUNT(*) FROM {lg}").fetchone()[0] for lg in total}
            merges = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'merge_pack'").fetchone()[0]
            row_entries = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'merge_insert'").fetchone()[0]
            mark = conn.execute("SELECT COUNT(*) FROM settings WHERE key LIKE 'exchange.%'").fetchone()[0]
        finally:
            conn.close()
        if merges:
            assert counts == total and mark == 1 and row_entries >= sum(total.values()), f"cycle {cycle}"
            outcomes.add("after")
        else:
            assert counts == dict.fromkeys(total, 0) and mark == 0 and row_entries == 0, f"cycle {cycle}"
            assert "merged" not in out
            outcomes.add("before")
    assert outcomes == {"before", "after"}  # the kills landed both during and after merges
