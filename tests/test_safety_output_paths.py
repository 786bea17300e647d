"""No output file may be the database or a file that belongs to it (its -wal, -shm, .key,
.lock): every command and dialog that writes a file refuses it in one Chinese line, and the
database and its key survive (issue 19, item 2)."""

from __future__ import annotations

import hashlib
import io
import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.cli import main
from app.core import paths
from app.core.storage import keys
from app.core.storage.store import Store

PASSWORD = "武平镇2024!"
REFUSED = "输出文件不能是数据库本身或其附属文件"
COMPANIONS = ("", "-wal", "-shm", ".key", ".lock")


def _fingerprint(db: Path) -> dict[str, str | None]:
    """The bytes of the database and of everything beside it that belongs to it."""
    out = {}
    for suffix in COMPANIONS:
        p = Path(f"{db}{suffix}")
        out[suffix] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    return out


def _encrypted_demo(db: Path, monkeypatch, capsys) -> None:
    assert main(["--db", str(db), "demo"]) == 0
    assert main(["--db", str(db), "settings", "office=司法所"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n{PASSWORD}\n"))
    assert main(["--db", str(db), "password", "set"]) == 0
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    capsys.readouterr()


def _refused(argv: list[str], capsys) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, (argv, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and REFUSED in lines[0], (argv, err)


def test_every_writing_command_refuses_the_database_and_its_files(db_path, monkeypatch, capsys):
    _encrypted_demo(db_path, monkeypatch, capsys)
    Path(f"{db_path}.lock").write_text("")  # as the window leaves it
    before = _fingerprint(db_path)
    for suffix in COMPANIONS:
        target = f"{db_path}{suffix}"
        for argv in (
            ["backup", "--to", target],
            ["pack", "--out", target, "--password", "数据包密码2024"],
            ["export", "disputes", target],
            ["template", "disputes", target],
        ):
            _refused(["--db", str(db_path), *argv], capsys)
        # the same file by another spelling: .. and a symbolic link
        _refused(["--db", str(db_path), "backup", "--to", str(db_path.parent / "x" / ".." / Path(target).name)], capsys)
        if os.name == "posix":
            link = db_path.parent / f"link{suffix or '.db'}"
            link.symlink_to(target)
            _refused(["--db", str(db_path), "export", "disputes", str(link)], capsys)
        assert _fingerprint(db_path) == before, suffix
    # the key file still opens the database with the password
    keys.forget_all()
    assert main(["--db", str(db_path), "figures", "--year", "2024"]) == 0


def test_report_and_returns_refuse_a_database_named_like_their_output(tmp_path, monkeypatch, capsys):
    for name, argv in (
        ("台账.docx", ["report", "--year", "2024", "--out"]),
        ("台账.xlsx", ["returns", "--period", "2024", "--out"]),
        ("台账.xlsx", ["export", "disputes"]),
    ):
        db = tmp_path / name
        if not db.exists():
            assert main(["--db", str(db), "demo"]) == 0
            assert main(["--db", str(db), "settings", "county=丰都县", "town=武平镇"]) == 0
            capsys.readouterr()
        before = _fingerprint(db)
        _refused(["--db", str(db), *argv, str(db)], capsys)
        assert _fingerprint(db) == before
        Store.open(db, readonly=True).close()  # still a database


def test_a_chart_is_never_written_over_the_database(tmp_path):
    from app.core.report.charts import Chart

    chart = Chart("disputes", "矛盾纠纷", b"\x89PNG not really")
    db = tmp_path / "01_disputes.png"  # a database named as the first chart would be
    Store.open(db).close()
    before = db.read_bytes()
    with pytest.raises(paths.UnsafeOutputPath, match=REFUSED):
        chart.save(tmp_path, 1, db)
    assert db.read_bytes() == before
    assert chart.save(tmp_path, 2, db).read_bytes() == b"\x89PNG not really"


def test_check_output_path_names_the_file_and_lets_others_through(tmp_path):
    db = tmp_path / "ledgers.db"
    for suffix in COMPANIONS:
        with pytest.raises(paths.UnsafeOutputPath, match=REFUSED):
            paths.check_output_path(db, tmp_path / f"ledgers.db{suffix}")
    for fine in ("ledgers.db.bak", "ledgers-backup.db", "other.db.key", "ledgers.db.key.txt"):
        paths.check_output_path(db, tmp_path / fine)
    paths.check_output_path(None, tmp_path / "ledgers.db")  # a database in memory


def test_the_windows_refuse_it_too(qtbot, db_path, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.core.safety import encryption, password
    from app.ui.pages import settings_page as sp
    from app.ui.pages.ledger_page import LedgerPage
    from app.ui.pages.settings_page import SettingsPage
    from app.ui.widgets import file_dialogs

    store = Store.open(db_path)
    password.set_password(store, PASSWORD)
    key = keys.key_file(db_path)
    key_bytes = key.read_bytes()
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: said.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: said.append(text))
    before = _fingerprint(db_path)
    # 设置 → 备份到…: the clerk picks the database itself in the save dialog (.db is added to
    # any other name, so the key file cannot be picked there)
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.show()
    monkeypatch.setattr(sp, "save_file_name", lambda *a, **k: str(db_path))
    qtbot.mouseClick(page.backup_to, Qt.MouseButton.LeftButton)
    assert said and REFUSED in said[-1]
    assert _fingerprint(db_path)[""] == before[""] and key.read_bytes() == key_bytes
    # a ledger's 导出: the database itself picked as the file
    ledger = LedgerPage(store, "disputes")
    qtbot.addWidget(ledger)
    ledger.show()
    monkeypatch.setattr(file_dialogs, "save_file_name", lambda *a, **k: str(key))
    ledger.act_export.trigger()
    qtbot.waitUntil(lambda: len(said) >= 2, timeout=20000)
    assert REFUSED in said[-1] and key.read_bytes() == key_bytes
    store.close()
    keys.forget_all()
    assert encryption.opens(db_path, PASSWORD)


def test_import_rejects_never_go_over_the_database(db_path, tmp_path, monkeypatch, capsys):
    """``import --skip-bad --rejects`` pointed at the database or its key: refused before a row
    is read, nothing imported, the files unchanged."""
    _encrypted_demo(db_path, monkeypatch, capsys)
    source = tmp_path / "纠纷.csv"
    source.write_text("登记日期,纠纷类型,纠纷概况\n2024-03-05,邻里,吵架\n2024-06-31,邻里,日期不对\n", encoding="utf-8")
    count = Store.open(db_path)
    try:
        before_rows = count.count("disputes")
    finally:
        count.close()
    before = _fingerprint(db_path)
    for suffix in ("", ".key"):
        argv = ["--db", str(db_path), "import", "disputes", str(source), "--skip-bad", "--rejects"]
        _refused([*argv, f"{db_path}{suffix}"], capsys)
        assert _fingerprint(db_path) == before, suffix
    after = Store.open(db_path)
    try:
        assert after.count("disputes") == before_rows
    finally:
        after.close()
