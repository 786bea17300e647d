"""The password: on a database file it encrypts the file (test_safety_encryption has the
bytes); on a store in memory, and in files of earlier versions, it is a scrypt hash only."""

from __future__ import annotations

import json
import sqlite3

import pytest

from app.cli import main
from app.core.safety import password
from app.core.storage import keys
from app.core.storage.common import StoreError
from app.core.storage.store import Store


@pytest.fixture(params=["file", "memory"])
def any_store(request, db_path):
    s = Store.open(db_path) if request.param == "file" else Store.memory()
    yield s
    s.close()


def test_set_check_clear(any_store):
    store = any_store
    assert not password.has_password(store)
    assert password.check_password(store, "anything")  # no password: nothing to ask
    code = password.set_password(store, "法治2024!ok")
    assert (code is not None) == (store.path is not None)  # a file: encrypted, a recovery code
    assert password.has_password(store)
    assert password.check_password(store, "法治2024!ok")
    assert code is None or password.check_password(store, code)
    assert not password.check_password(store, "法治2024")
    assert not password.check_password(store, "")
    password.set_password(store, "新密码12345")
    assert password.check_password(store, "新密码12345") and not password.check_password(store, "法治2024!ok")
    password.set_password(store, None)
    assert not password.has_password(store) and password.check_password(store, "x")
    password.set_password(store, "")  # empty clears too
    assert not password.has_password(store)


def test_file_password_encrypts_and_the_store_goes_on_working(store, db_path):
    store.save("consultations", {"date": "2024-01-01", "channel": "来访", "matter": "设密码前"})
    password.set_password(store, "secret-口令")
    assert keys.is_encrypted(db_path) and store.count("consultations") == 1
    store.save("consultations", {"date": "2024-01-02", "channel": "来访", "matter": "设密码后"})
    assert b"secret" not in db_path.read_bytes() + keys.key_file(db_path).read_bytes()
    assert b"consultations" not in db_path.read_bytes()  # not even the table names
    assert next(e for e in store.audit_entries() if e["action"] == "password")["note"].startswith("设置密码")
    password.set_password(store, None)
    assert not keys.is_encrypted(db_path) and not keys.key_file(db_path).exists()
    assert store.count("consultations") == 2
    assert "secret" not in json.dumps(store.audit_entries(), ensure_ascii=False)


def test_only_a_salted_scrypt_hash_is_stored_and_never_logged():
    store = Store.memory()
    password.set_password(store, "secret-口令")
    password.set_password(store, "secret-口令")
    rows = store.conn.execute("SELECT value FROM settings WHERE key = 'password'").fetchall()
    value = json.loads(rows[0][0])
    assert value["algo"] == "scrypt" and len(bytes.fromhex(value["salt"])) == 16
    assert value["n"] >= 2**17  # OWASP's scrypt cost
    other = Store.memory()  # same password, fresh salt each time
    password.set_password(other, "secret-口令")
    assert (
        json.loads(other.conn.execute("SELECT value FROM settings WHERE key='password'").fetchone()[0])["hash"]
        != value["hash"]
    )
    audit = json.dumps(store.audit_entries(), ensure_ascii=False)
    assert "secret" not in audit and value["hash"] not in audit and value["salt"] not in audit
    assert [e["note"] for e in store.audit_entries()[:2]] == ["设置开机密码", "设置开机密码"]
    assert "password" not in store.settings()  # not listed among the settings


def test_settings_command_does_not_show_the_hash(db_path, capsys):
    s = Store.open(db_path)
    password._set_hash(s, "pw")  # a file of an earlier version
    s.close()
    assert main(["--db", str(db_path), "settings"]) == 0
    out = capsys.readouterr().out
    assert "password" not in out and "scrypt" not in out


def test_forgotten_password_of_an_earlier_version_loses_nothing(db_path):
    s = Store.open(db_path)
    s.save("study_sessions", {"date": "2024-01-05", "form": "专题培训", "audience": "全体干部职工", "topic": "宪法"})
    password._set_hash(s, "忘记了")
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


def test_an_encrypting_password_cannot_be_cleared_without_it(db_path):
    s = Store.open(db_path)
    password.set_password(s, "忘记了的密码123")
    s.close()
    keys.forget_all()
    with pytest.raises(StoreError, match="设有密码"):
        password.clear_password(db_path)
    assert keys.is_encrypted(db_path)


def test_documented_sql_route_clears_a_hash(db_path):
    s = Store.open(db_path)
    password._set_hash(s, "x")
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
