"""Read-only means read-only: a session that another program's lock made read-only, and the
command line's reading commands, leave the database file exactly as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.core.demo.generator import fill
from app.core.storage import schema
from app.core.storage.schema import SCHEMA_VERSION
from app.core.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]

# another PC's program: the database open for writing (WAL) and its lock held
HOLDER = """
import sys
from app.core.safety import lock
from app.core.storage.store import Store
held = lock.acquire(sys.argv[1])
s = Store.open(sys.argv[1])
s.count("consultations")
print("ready", flush=True)
sys.stdin.readline()
"""


def _state(db: Path) -> dict:
    """The bytes of the file and its log, and which side files exist."""
    out = {}
    for suffix in ("", "-wal", "-journal"):
        f = Path(f"{db}{suffix}")
        out[suffix or "db"] = hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else None
    out["-shm exists"] = Path(f"{db}-shm").exists()
    out["folder"] = sorted(p.name for p in db.parent.iterdir() if p.name not in (f"{db.name}-shm", "out", "data"))
    return out


@pytest.fixture
def held_demo(db_path):
    s = Store.open(db_path)
    fill(s, 2024)
    s.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout.readline().strip() == "ready"
    yield db_path
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(timeout=30)


def test_read_only_session_leaves_the_file_byte_identical(qtbot, held_demo, tmp_path, monkeypatch, capsys):
    from app.ui import app as ui_app
    from app.ui.pages.dashboard import DashboardPage
    from app.ui.pages.report_page import make_report

    db = held_demo
    before = _state(db)
    monkeypatch.setattr(ui_app, "ask_read_only", lambda holder: True)
    session = ui_app.open_session(db)
    assert session is not None and session.readonly and session.store.readonly
    # the 首页 computes in a worker thread, on a connection of its own
    page = DashboardPage(session.store)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=60000):
        page.set_year(2024)
    qtbot.waitUntil(lambda: not any(w.is_running() for w in page._workers), timeout=60000)
    assert page.cards["enforcement.inspections"].value_label.text() == "114次"
    # the report page's worker function (thread_store inside), an export, a write refused
    out = tmp_path / "out"
    out.mkdir()
    make_report(session.store, 2024, str(out / "gui.docx"))
    from app.core.io.exporter import export_ledger

    assert export_ledger(session.store, "key_persons", out / "gui.xlsx") > 0
    with pytest.raises(Exception, match=r"只读|readonly|read-only"):
        session.store.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "不应写入"})
    # the command line's reading commands beside it
    assert main(["--db", str(db), "figures", "--year", "2024", "--json"]) == 0
    assert main(["--db", str(db), "check", "--year", "2024"]) == 0
    assert main(["--db", str(db), "export", "key_persons", str(out / "cli.csv")]) == 0
    assert main(["--db", str(db), "report", "--year", "2024", "--out", str(out / "cli.docx")]) == 0
    assert main(["--db", str(db), "settings"]) == 0
    # a writing command is refused: another program holds the lock
    assert main(["--db", str(db), "settings", "town=别处镇"]) == 1
    assert "正由" in capsys.readouterr().err
    session.close()
    assert (out / "gui.docx").stat().st_size > 0 and (out / "cli.docx").stat().st_size > 0
    assert _state(db) == before


def _v1_file(path: Path) -> None:
    """A database as version 1 of the program left it (no report_texts, no audit triggers)."""
    s = Store.open(path)
    s.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "旧版本的记录"})
    s.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE report_texts")
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute("PRAGMA user_version=1")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.commit()
    conn.close()


def test_an_old_file_opened_read_only_stays_as_it_was(qtbot, db_path, monkeypatch):
    from app.core.safety import lock
    from app.ui import app as ui_app
    from app.ui.workers import thread_store

    assert SCHEMA_VERSION > 1 and 1 in schema.MIGRATIONS
    _v1_file(db_path)
    before = _state(db_path)
    audit_before = sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    held = lock.acquire(db_path)  # another window has it
    try:
        monkeypatch.setattr(ui_app, "ask_read_only", lambda holder: True)
        session = ui_app.open_session(db_path)
        assert session is not None and session.store.readonly
        # read through the migrated copy: the new table is there, the file does not have it
        assert session.store.report_texts(2024) == {}
        assert [r["matter"] for r in session.store.rows("consultations")] == ["旧版本的记录"]
        with thread_store(session.store) as other:  # a worker's connection: still read-only
            assert other.readonly
            assert other.count("consultations") == 1
            with pytest.raises(Exception, match=r"readonly|只读|read-only"):
                other.save("consultations", {"date": "2024-01-02", "channel": "来访", "matter": "x"})
        session.close()
        assert main(["--db", str(db_path), "figures", "--year", "2024"]) == 0
    finally:
        held.release()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == audit_before
    conn.close()
    assert not list(db_path.parent.glob("*.bak"))
    after = _state(db_path)
    after["folder"] = [n for n in after["folder"] if not n.endswith(".lock")]
    before["folder"] = [n for n in before["folder"] if not n.endswith(".lock")]
    assert after == before
