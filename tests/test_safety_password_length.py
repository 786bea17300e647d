"""A new password has at least 8 characters, for the database and for a data pack: a shorter
one is refused in one Chinese line (exit 2, nothing changed; the window shows the core's
line).  Files made with an older, shorter password still open (issue 19, item 6)."""

from __future__ import annotations

import io
import sys

import pytest

from app.cli import main
from app.core.safety import encryption, password
from app.core.storage import keys
from app.core.storage.common import StoreError
from app.core.storage.store import Store
from tests.test_ui_password import _set_password_by_keyboard


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _password_set(db_path, monkeypatch, capsys, text: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{text}\n{text}\n"))
    code = main(["--db", str(db_path), "password", "set"])
    return code, capsys.readouterr().err


def test_a_short_database_password_is_refused_in_one_line(db_path, monkeypatch, capsys):
    Store.open(db_path).close()
    before = db_path.read_bytes()
    code, err = _password_set(db_path, monkeypatch, capsys, "短密码12")  # 5 characters
    assert code == 2
    assert "至少要有 8 个字符" in _one_line(err) and "现在 5 个" in err
    assert db_path.read_bytes() == before and not keys.key_file(db_path).exists()
    # eight characters (a 汉字 is one) are enough
    code, err = _password_set(db_path, monkeypatch, capsys, "武平镇2024!")
    assert code == 0, err
    assert keys.is_encrypted(db_path)
    # a change to a short one is refused too; the key file stays as it was
    envelope = keys.key_file(db_path).read_bytes()
    monkeypatch.setenv("FAZHI_PASSWORD", "武平镇2024!")
    code, err = _password_set(db_path, monkeypatch, capsys, "1234567")
    assert code == 2 and "至少要有 8 个字符" in _one_line(err)
    assert keys.key_file(db_path).read_bytes() == envelope


def test_the_core_refuses_a_short_password(db_path):
    s = Store.open(db_path)
    try:
        with pytest.raises(StoreError, match="至少要有 8 个字符"):
            password.set_password(s, "abc")
    finally:
        s.close()
    with pytest.raises(StoreError, match="至少要有 8 个字符"):
        encryption.protect(db_path, "abc")
    assert not keys.is_encrypted(db_path)


def test_a_short_pack_password_is_refused_in_one_line(db_path, tmp_path, capsys):
    assert main(["--db", str(db_path), "demo"]) == 0
    assert main(["--db", str(db_path), "settings", "office=司法所"]) == 0
    capsys.readouterr()
    pack = tmp_path / "p.fzpack"
    assert main(["--db", str(db_path), "pack", "--out", str(pack), "--password", "pw1"]) == 2
    assert "数据包密码至少要有 8 个字符" in _one_line(capsys.readouterr().err)
    assert not pack.exists()


def test_files_made_with_an_older_short_password_still_open(db_path, tmp_path, monkeypatch, capsys):
    assert main(["--db", str(db_path), "demo"]) == 0
    assert main(["--db", str(db_path), "settings", "office=司法所"]) == 0
    pack = tmp_path / "old.fzpack"
    with monkeypatch.context() as m:  # as an earlier version allowed
        m.setattr(keys, "MIN_LENGTH", 1)
        assert main(["--db", str(db_path), "pack", "--out", str(pack), "--password", "pw1"]) == 0
        encryption.protect(db_path, "旧口令")
    keys.forget_all()
    capsys.readouterr()
    monkeypatch.setenv("FAZHI_PASSWORD", "旧口令")
    assert main(["--db", str(db_path), "figures", "--year", "2024"]) == 0
    other = tmp_path / "other.db"
    monkeypatch.delenv("FAZHI_PASSWORD")
    assert main(["--db", str(other), "merge", str(pack), "--password", "pw1"]) == 0, capsys.readouterr().err


def test_the_window_shows_the_cores_line_for_a_short_password(qtbot, db_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ui.pages.settings_page import SettingsPage
    from tests.gui_harness import Clerk

    store = Store.open(db_path)
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.show()
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: said.append(text))
    clerk = Clerk(qtbot).watch()
    try:
        _set_password_by_keyboard(clerk, page, "abc123")  # typed twice in the dialog, then refused
        qtbot.waitUntil(lambda: bool(said), timeout=20000)
    finally:
        clerk.stop()
    assert keys.too_short("abc123") in said[-1]
    assert not keys.is_encrypted(db_path) and "未设置密码" in page.password_state.text()
    store.close()


def test_the_exchange_page_refuses_a_short_pack_password(qtbot, db_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ui.pages.exchange_page import ExchangePage
    from tests.test_ui_exchange import click, type_into

    store = Store.open(db_path)
    store.set_setting("office", "司法所")
    page = ExchangePage(store)
    qtbot.addWidget(page)
    page.show()
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: said.append(text))
    monkeypatch.setattr(page, "ask_save_path", lambda: pytest.fail("asked where to save"))
    if not page.ledger_checks["disputes"].isChecked():
        click(qtbot, page.ledger_checks["disputes"])
    type_into(qtbot, page.password, "short1")
    type_into(qtbot, page.password_again, "short1")
    click(qtbot, page.pack_button)
    assert said == [keys.too_short("short1", "数据包密码")]
    store.close()
