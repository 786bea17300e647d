"""The optional opening password: a scrypt hash only, and a forgotten one loses nothing."""

from __future__ import annotations

import json
import sqlite3

import pytest

from app.cli import main
from app.core import password
from app.core.store import Store, StoreError


def test_set_check_clear(store):
    assert not password.has_password(store)
    assert password.check_password(store, "anything")  # no password: nothing to ask
    password.set_password(store, "法治2024!")
    assert password.has_password(store)
    assert password.check_password(store, "法治2024!")
    assert not password.check_password(store, "法治2024")
    assert not password.check_password(store, "")
    password.set_password(store, "新密码")
    assert password.check_password(store, "新密码") and not password.check_password(store, "法治2024!")
    password.set_password(store, None)
    assert not password.has_password(store) and password.check_password(store, "x")
    password.set_password(store, "")  # empty clears too
    assert not password.has_password(store)


def test_only_a_salted_scrypt_hash_is_stored_and_never_logged(store, db_path):
    password.set_password(store, "secret-口令")
    password.set_password(store, "secret-口令")
    rows = store.conn.execute("SELECT value FROM settings WHERE key = 'password'").fetchall()
    value = json.loads(rows[0][0])
    assert value["algo"] == "scrypt" and len(bytes.fromhex(value["salt"])) == 16
    # same password, fresh salt each time
    other = Store.memory()
    password.set_password(other, "secret-口令")
    assert (
        json.loads(other.conn.execute("SELECT value FROM settings WHERE key='password'").fetchone()[0])["hash"]
        != value["hash"]
    )
    raw = db_path.read_bytes() + (db_path.parent / f"{db_path.name}-wal").read_bytes()
    assert "secret-口令".encode() not in raw
    audit = json.dumps(store.audit_entries(), ensure_ascii=False)
    assert "secret" not in audit and value["hash"] not in audit and value["salt"] not in audit
    assert [e["note"] for e in store.audit_entries()[:2]] == ["设置开机密码", "设置开机密码"]
    # not listed among the settings (nor so by the command line)
    assert "password" not in store.settings()


def test_settings_command_does_not_show_the_hash(db_path, capsys):
    s = Store.open(db_path)
    password.set_password(s, "pw")
    s.close()
    assert main(["--db", str(db_path), "settings"]) == 0
    out = capsys.readouterr().out
    assert "password" not in out and "scrypt" not in out


def test_forgotten_password_recovery_keeps_all_data(db_path):
    s = Store.open(db_path)
    s.save("study_sessions", {"date": "2024-01-05", "form": "专题培训", "audience": "全体干部职工", "topic": "宪法"})
    password.set_password(s, "忘记了")
    s.close()
    # IT staff: one function (or the documented SQL) and the program opens without asking
    assert password.clear_password(db_path) is True
    assert password.clear_password(db_path) is False
    s = Store.open(db_path)
    try:
        assert not password.has_password(s)
        assert s.count("study_sessions") == 1
        assert s.audit_entries(limit=1)[0]["note"] == "信息化管理员清除开机密码"
    finally:
        s.close()
    with pytest.raises(StoreError):
        password.clear_password(db_path.parent / "none.db")


def test_documented_sql_route_clears_it(db_path):
    s = Store.open(db_path)
    password.set_password(s, "x")
    s.close()
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM settings WHERE key = 'password'")  # as written in the README
    conn.commit()
    conn.close()
    s = Store.open(db_path)
    assert not password.has_password(s)
    s.close()


def test_a_damaged_setting_is_treated_as_no_password(store):
    store.conn.execute("INSERT INTO settings (key, value) VALUES ('password', '\"oops\"')")
    assert not password.has_password(store)
    store.conn.execute("UPDATE settings SET value = ? WHERE key = 'password'", (json.dumps({"hash": "zz"}),))
    assert password.has_password(store) and not password.check_password(store, "x")
