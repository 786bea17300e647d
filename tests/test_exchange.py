"""Data packs between offices: pack, merge by uid, conflicts, refusals, office per row.

Three offices' databases are made from the demo by ledger (each keeps only its own
ledgers), packed and merged into a fourth PC, whose figures must then equal the demo's.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.core.demo.generator import fill
from app.core.exchange import container
from app.core.exchange.container import PackError, PasswordNeeded, WrongPassword
from app.core.exchange.merge import merge_pack
from app.core.exchange.pack import make_pack
from app.core.storage.query import LedgerQuery, ensure_fts
from app.core.storage.store import Store

OFFICES = {
    "司法所": ("disputes", "consultations", "key_persons", "visits", "legal_literates"),
    "执法大队": ("enforcement_officers", "enforcement_matters", "inspections", "penalties"),
}
OTHERS = "党政办"
PW = "武平镇2024!"
ID_NUMBER_SQL = "SELECT id_number FROM key_persons WHERE id_number IS NOT NULL LIMIT 1"


def _ledgers_of(office: str) -> tuple[str, ...]:
    from app.core.ledgers import catalog

    if office in OFFICES:
        return OFFICES[office]
    mine = {k for v in OFFICES.values() for k in v}
    return tuple(lg.id for lg in catalog.LEDGERS if lg.id not in mine)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    s = Store.open(path)
    fill(s, 2024)
    s.close()
    return path


def office_db(demo_file: Path, tmp: Path, office: str) -> Store:
    """A copy of the demo holding only ``office``'s ledgers, as that office's PC would."""
    from app.core.ledgers import catalog

    path = tmp / f"{office}.db"
    shutil.copy(demo_file, path)
    s = Store.open(path)
    keep = _ledgers_of(office)
    with s.transaction():
        for lg in reversed(catalog.LEDGERS):  # visits before key_persons
            if lg.id not in keep:
                s.conn.execute(f'DELETE FROM "{lg.id}"')
    s.set_setting("office", office)
    return s


def figures(store: Store, capsys) -> dict:
    """``figures --year 2024 --json`` of the store's file, as the command line prints them."""
    from app.cli import main

    capsys.readouterr()
    assert main(["--db", str(store.path), "figures", "--year", "2024", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def clock(monkeypatch):
    """The store's clock, set by the test: writes get exactly the time it says."""
    import app.core.exchange.merge as merge
    import app.core.exchange.pack as pack
    import app.core.storage.common as util
    import app.core.storage.rows as rows

    state = {"now": "2030-01-10T09:00:00"}

    def now() -> str:
        return state["now"]

    for module in (util, rows, pack, merge):
        monkeypatch.setattr(module, "now", now)
    return state


def _rows(store: Store, ledger: str) -> dict[str, tuple]:
    cur = store.conn.execute(f'SELECT * FROM "{ledger}"')
    cols = [d[0] for d in cur.description]
    skip = {"id", "person_id", "incomplete"}  # 待补充 travels too: see test_incomplete.py
    return {r[cols.index("uid")]: tuple(v for c, v in zip(cols, r, strict=True) if c not in skip) for r in cur}


# -- the office column ------------------------------------------------------------------------


def test_every_write_records_its_office(store, clock):
    store.set_setting("office", "司法所")
    rid = store.save("consultations", {"date": "2024-03-01", "person": "张三", "channel": "来访", "matter": "土地承包"})
    row = store.get("consultations", rid)
    assert row["created_office"] == row["updated_office"] == "司法所"
    store.set_setting("office", "党政办")
    store.save("consultations", {**_plain(row), "matter": "宅基地"}, rid)
    row = store.get("consultations", rid)
    assert (row["created_office"], row["updated_office"]) == ("司法所", "党政办")
    store.insert_many("consultations", [{"date": "2024-03-02", "person": "李四", "channel": "电话", "matter": "婚姻"}])
    made = store.conn.execute("SELECT created_office FROM consultations WHERE person = '李四'").fetchone()[0]
    assert made == "党政办"


def _plain(row: dict) -> dict:
    from app.core.ledgers import catalog

    return {k: row[k] for k in catalog.get("consultations").keys}


def test_a_rows_time_never_runs_backwards(store, clock):
    rid = store.save("consultations", {"date": "2024-03-01", "person": "张三", "channel": "来访", "matter": "土地承包"})
    # a merged row (or a fast clock) left the row's time ahead of this PC's clock
    store.conn.execute("UPDATE consultations SET updated_at = '2030-06-01T08:00:00' WHERE id = ?", (rid,))
    clock["now"] = "2030-01-10T09:05:00"
    store.save("consultations", {**_plain(store.get("consultations", rid)), "matter": "宅基地"}, rid)
    assert store.get("consultations", rid)["updated_at"] == "2030-06-01T08:00:01"
    store.delete("consultations", rid)
    assert store.get("consultations", rid, include_deleted=True)["updated_at"] == "2030-06-01T08:00:02"


def test_migration_from_version_2_adds_the_office_columns(tmp_path):
    from app.core.storage import schema

    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path)
    conn.executescript((Path(__file__).parent / "fixtures" / "schema_v1.sql").read_text(encoding="utf-8"))
    schema._migrate_1_to_2(conn)
    conn.execute("PRAGMA user_version=2")
    conn.commit()
    before = conn.execute("SELECT * FROM disputes ORDER BY id").fetchall()
    conn.close()
    s = Store.open(path)
    try:
        assert s.schema_version == schema.SCHEMA_VERSION
        cols = [r[1] for r in s.conn.execute("PRAGMA table_info(disputes)")]
        n = len(before[0])
        assert cols[n : n + 2] == ["created_office", "updated_office"]  # later versions' columns after them
        assert [r[:n] for r in s.conn.execute("SELECT * FROM disputes ORDER BY id")] == before
        assert any(e["action"] == "migrate" and "2 → " in e["note"] for e in s.audit_entries())
    finally:
        s.close()
    copies = list(tmp_path.glob("v2.v2-*.bak"))
    assert len(copies) == 1
    copy = sqlite3.connect(copies[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 2
    copy.close()


# -- three offices into a fourth PC -------------------------------------------------------------


def test_three_offices_merged_into_a_fourth_give_the_demos_figures(demo_file, tmp_path, capsys):
    packs = []
    for office in (*OFFICES, OTHERS):
        s = office_db(demo_file, tmp_path, office)
        pack = tmp_path / f"{office}.fzpack"
        summary = make_pack(s, pack, _ledgers_of(office), password=PW if office == "司法所" else None)
        assert set(summary.ledgers) == set(_ledgers_of(office))
        assert summary.encrypted == (office == "司法所")
        packs.append(pack)
        s.close()

    target = Store.open(tmp_path / "fourth.db")
    ensure_fts(target, "disputes")  # the search index must follow the merge
    dry = merge_pack(target, packs[0], PW, dry_run=True)
    assert dry.total("new") > 0 and target.count("disputes") == 0  # a preview writes nothing
    audit_before = len(target.audit_entries(limit=10_000))
    results = [merge_pack(target, p, PW) for p in packs]
    assert results[0].summary() == dry.summary()

    reference = Store.open(demo_file)
    assert figures(target, capsys) == figures(reference, capsys)
    for lg in ("disputes", "visits", "penalties", "study_sessions"):
        assert _rows(target, lg) == {
            uid: (*row[:-2], row[-2] or office, row[-1] or office)
            for uid, row in _rows(reference, lg).items()
            for office in [next(o for o in (*OFFICES, OTHERS) if lg in _ledgers_of(o))]
        }
    # references are mapped by uid: each visit points at the same person as in the demo
    pairs = "SELECT v.uid, k.uid FROM visits v JOIN key_persons k ON k.id = v.person_id ORDER BY v.uid"
    assert target.conn.execute(pairs).fetchall() == reference.conn.execute(pairs).fetchall()
    # one audit entry per merge and one per row
    entries = target.audit_entries(limit=100_000)
    merges = [e for e in entries if e["action"] == "merge_pack"]
    assert len(merges) == 3 and "来自武平镇司法所" in merges[-1]["note"]
    rows_in = sum(r.total("new") + r.total("deleted") for r in results)
    assert len(entries) - audit_before == rows_in + 3
    # the search finds merged rows
    some = reference.conn.execute("SELECT summary FROM disputes WHERE deleted_at IS NULL LIMIT 1").fetchone()[0]
    assert LedgerQuery(target, "disputes", search=some[:6]).count() >= 1
    fts = target.conn.execute("SELECT COUNT(*) FROM disputes_fts WHERE disputes_fts MATCH ?", (f'"{some[:6]}"',))
    assert fts.fetchone()[0] >= 1
    assert target.conn.execute("SELECT COUNT(*) FROM disputes_fts").fetchone()[0] == target.count("disputes") + (
        target.count("disputes", deleted=True)
    )

    # the same packs again change nothing, not even the log
    db_before = {lg: _rows(target, lg) for lg in ("disputes", "visits", "penalties")}
    audit_count = len(target.audit_entries(limit=100_000))
    again = [merge_pack(target, p, PW) for p in packs]
    assert all(r.changes == 0 and not r.conflicts for r in again)
    assert {lg: _rows(target, lg) for lg in db_before} == db_before
    assert len(target.audit_entries(limit=100_000)) == audit_count
    reference.close()
    target.close()


def test_an_edit_and_a_deletion_arrive_and_a_later_edit_here_survives(demo_file, tmp_path, clock):
    office = office_db(demo_file, tmp_path, "执法大队")
    target = Store.open(tmp_path / "target.db")
    target.set_setting("office", "党政办")
    make_pack(office, tmp_path / "1.fzpack")
    merge_pack(target, tmp_path / "1.fzpack")

    a, b, c = [r["id"] for r in office.rows("penalties", limit=3)]
    uid = {i: office.get("penalties", i)["uid"] for i in (a, b, c)}
    clock["now"] = "2030-02-01T10:00:00"
    office.save("penalties", {**_fields(office, "penalties", a), "party": "某某超市（已更名）"}, a)
    office.delete("penalties", b)
    office.save("penalties", {**_fields(office, "penalties", c), "party": "对方的名称"}, c)
    clock["now"] = "2030-02-01T11:00:00"  # later, on the receiving PC
    tid = _id(target, "penalties", uid[c])
    target.save("penalties", {**_fields(target, "penalties", tid), "party": "本机较晚的名称"}, tid)
    make_pack(office, tmp_path / "2.fzpack")

    result = merge_pack(target, tmp_path / "2.fzpack")
    assert (result.total("updated"), result.total("deleted"), result.total("conflicts")) == (1, 1, 1)
    assert target.get("penalties", _id(target, "penalties", uid[a]))["party"] == "某某超市（已更名）"
    gone = target.get("penalties", _id(target, "penalties", uid[b]), include_deleted=True)
    assert gone["deleted_at"] is not None  # carried: in the 回收站
    assert target.get("penalties", tid)["party"] == "本机较晚的名称"  # the later change wins
    [conflict] = result.conflicts
    assert (conflict.uid, conflict.winner, conflict.theirs_office, conflict.ours_office) == (
        uid[c],
        "ours",
        "执法大队",
        "党政办",
    )
    kept = [e for e in target.audit_entries(ledger="penalties") if e["action"] == "merge_conflict"]
    assert len(kept) == 1 and json.loads(kept[0]["new"])["party"] == "对方的名称"  # the other values kept
    row = target.get("penalties", _id(target, "penalties", uid[a]))
    assert row["updated_office"] == "执法大队" and row["updated_at"] == "2030-02-01T10:00:00"
    # again: nothing
    assert merge_pack(target, tmp_path / "2.fzpack").changes == 0


def test_a_conflict_where_theirs_is_later_takes_theirs_and_audits_ours(demo_file, tmp_path, clock):
    office = office_db(demo_file, tmp_path, "执法大队")
    target = Store.open(tmp_path / "target.db")
    make_pack(office, tmp_path / "1.fzpack")
    merge_pack(target, tmp_path / "1.fzpack")
    rid = office.rows("penalties", limit=1)[0]["id"]
    uid = office.get("penalties", rid)["uid"]
    tid = _id(target, "penalties", uid)
    clock["now"] = "2030-03-01T09:00:00"
    target.save("penalties", {**_fields(target, "penalties", tid), "party": "本机的名称"}, tid)
    clock["now"] = "2030-03-01T10:00:00"
    office.save("penalties", {**_fields(office, "penalties", rid), "party": "对方较晚的名称"}, rid)
    make_pack(office, tmp_path / "2.fzpack")
    result = merge_pack(target, tmp_path / "2.fzpack")
    assert [c.winner for c in result.conflicts] == ["theirs"]
    assert target.get("penalties", tid)["party"] == "对方较晚的名称"
    [entry] = [e for e in target.audit_entries(ledger="penalties") if e["action"] == "merge"]
    assert json.loads(entry["old"])["party"] == "本机的名称" and "冲突" in entry["note"]


def test_a_pack_of_our_own_rows_coming_back_is_no_conflict(demo_file, tmp_path, clock):
    a = office_db(demo_file, tmp_path, "执法大队")
    b = Store.open(tmp_path / "b.db")
    b.set_setting("office", "党政办")
    make_pack(a, tmp_path / "a1.fzpack")
    merge_pack(b, tmp_path / "a1.fzpack")
    rid = a.rows("penalties", limit=1)[0]["id"]
    clock["now"] = "2030-04-01T09:00:00"
    a.save("penalties", {**_fields(a, "penalties", rid), "party": "甲"}, rid)
    make_pack(b, tmp_path / "b1.fzpack")  # b still has the old value, sent back to a
    result = merge_pack(a, tmp_path / "b1.fzpack")
    assert result.changes == 0 and not result.conflicts
    assert a.get("penalties", rid)["party"] == "甲"


def _fields(store: Store, ledger: str, rid: int) -> dict:
    from app.core.ledgers import catalog

    row = store.get(ledger, rid, include_deleted=True)
    return {k: row[k] for k in catalog.get(ledger).keys}


def _id(store: Store, ledger: str, uid: str) -> int:
    return store.conn.execute(f'SELECT id FROM "{ledger}" WHERE uid = ?', (uid,)).fetchone()[0]


# -- personal data ------------------------------------------------------------------------------


def test_no_id_number_readable_in_an_encrypted_pack(demo_file, tmp_path):
    s = office_db(demo_file, tmp_path, "司法所")
    number = s.conn.execute(ID_NUMBER_SQL).fetchone()[0]
    with pytest.raises(PackError, match="必须设置密码"):
        make_pack(s, tmp_path / "p.fzpack")
    assert not (tmp_path / "p.fzpack").exists()
    make_pack(s, tmp_path / "p.fzpack", password=PW)
    data = (tmp_path / "p.fzpack").read_bytes()
    for form in (
        number.encode("utf-8"),
        number.encode("utf-16-le"),
        number.encode("utf-16-be"),
        json.dumps(number).encode("ascii"),
        number[-8:].encode("ascii"),  # not even its tail
    ):
        assert form not in data
    # the explicit choice: a plain pack holds them, and says so
    make_pack(s, tmp_path / "plain.fzpack", plain=True)
    import zlib

    body = container.read(tmp_path / "plain.fzpack").body
    assert number.encode() in zlib.decompress(body)


def test_a_pack_without_personal_ledgers_needs_no_password(demo_file, tmp_path):
    s = office_db(demo_file, tmp_path, "执法大队")
    summary = make_pack(s, tmp_path / "p.fzpack", ["penalties", "行政检查台账"])
    assert list(summary.ledgers) == ["inspections", "penalties"] and not summary.encrypted


def test_visits_alone_bring_their_persons(demo_file, tmp_path):
    s = office_db(demo_file, tmp_path, "司法所")
    summary = make_pack(s, tmp_path / "p.fzpack", ["visits"], password=PW)
    assert list(summary.ledgers) == ["key_persons", "visits"]


def test_packing_needs_an_office(demo_store, tmp_path):
    with pytest.raises(PackError, match="settings office="):
        make_pack(demo_store, tmp_path / "p.fzpack", ["penalties"])


# -- refusals -----------------------------------------------------------------------------------


@pytest.fixture
def packed(demo_file, tmp_path):
    s = office_db(demo_file, tmp_path, "司法所")
    make_pack(s, tmp_path / "p.fzpack", password=PW)
    s.close()
    target = Store.open(tmp_path / "target.db")
    yield tmp_path / "p.fzpack", target
    target.close()


def _unchanged(target: Store, fn) -> str:
    before = list(target.conn.iterdump())
    audit = len(target.audit_entries(limit=10_000))
    with pytest.raises(PackError) as info:
        fn()
    assert len(target.audit_entries(limit=10_000)) == audit and target.count("visits") == 0
    assert list(target.conn.iterdump()) == before
    message = str(info.value)
    assert "\n" not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    return message


def test_refusals_change_nothing(packed, tmp_path):
    pack, target = packed
    data = pack.read_bytes()
    cut = tmp_path / "cut.fzpack"
    cut.write_bytes(data[: len(data) // 2])
    flipped = tmp_path / "flipped.fzpack"
    flipped.write_bytes(data[:200] + bytes([data[200] ^ 1]) + data[201:])
    tiny = tmp_path / "tiny.fzpack"
    tiny.write_bytes(data[:5])
    other = tmp_path / "report.docx"
    other.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    assert "不完整" in _unchanged(target, lambda: merge_pack(target, cut, PW))
    assert "损坏" in _unchanged(target, lambda: merge_pack(target, flipped, PW))
    assert "不完整" in _unchanged(target, lambda: merge_pack(target, tiny, PW))
    assert "不是数据包" in _unchanged(target, lambda: merge_pack(target, other, PW))
    with pytest.raises(WrongPassword):
        merge_pack(target, pack, "猜的密码")
    assert "密码不正确" in _unchanged(target, lambda: merge_pack(target, pack, "猜的密码"))
    with pytest.raises(PasswordNeeded):
        merge_pack(target, pack)
    target.set_setting("town", "三合街道")
    assert "不是本镇" in _unchanged(target, lambda: merge_pack(target, pack, PW))
    assert merge_pack(target, pack, PW, allow_other_town=True).total("new") > 0


def test_a_pack_from_a_newer_program_is_refused(packed, tmp_path):
    pack, target = packed
    box = container.read(pack)
    newer = tmp_path / "newer.fzpack"
    header = {k: v for k, v in box.header.items() if k not in ("format", "encrypted", "kdf", "cipher")}
    container.write(newer, {**header, "schema": 99}, b"SQLite format 3\x00", None)
    assert "更新版本" in _unchanged(target, lambda: merge_pack(target, newer, PW))
    future = tmp_path / "future.fzpack"
    raw = json.dumps({**box.header, "format": 2}).encode()
    body = container.MAGIC + len(raw).to_bytes(4, "big") + raw + b"x"
    import hashlib

    future.write_bytes(body + hashlib.sha256(body).digest())
    assert "更新版本" in _unchanged(target, lambda: merge_pack(target, future, PW))


def test_a_pack_whose_visits_name_an_unknown_person_is_refused(demo_file, tmp_path):
    s = office_db(demo_file, tmp_path, "司法所")
    make_pack(s, tmp_path / "p.fzpack", ["visits"], password=PW)
    target = Store.open(tmp_path / "t.db")
    # a pack whose roster lost a person its visits point at, made as the program would
    box = container.read(tmp_path / "p.fzpack")
    inner = sqlite3.connect(":memory:")
    inner.deserialize(container.open_body(box, PW))
    inner.execute("DELETE FROM key_persons WHERE uid IN (SELECT person_id FROM visits LIMIT 1)")
    inner.commit()
    header = {k: v for k, v in box.header.items() if k not in ("format", "encrypted", "kdf", "cipher")}
    container.write(tmp_path / "broken.fzpack", header, inner.serialize(), PW)
    message = _unchanged(target, lambda: merge_pack(target, tmp_path / "broken.fzpack", PW))
    assert "引用了数据包和本机都没有的重点人员名册" in message


def test_a_database_with_a_password_packs_the_same_rows(demo_file, tmp_path):
    """A SQLCipher connection (a database with a password) has no serialize/deserialize: the
    pack's rows go through a plain in-memory connection, with the same result."""
    from app.core.safety import encryption
    from app.core.storage import keys

    s = office_db(demo_file, tmp_path, "司法所")
    make_pack(s, tmp_path / "fast.fzpack", password=PW)
    path = s.path
    s.close()
    try:
        encryption.protect(path, "库密码12345")
        s = Store.open(path)
        assert not isinstance(s.conn, sqlite3.Connection)  # the copying path runs
        make_pack(s, tmp_path / "copied.fzpack", password=PW)
    finally:
        keys.forget_all()
    inner = [sqlite3.connect(":memory:") for _ in range(2)]
    for conn, name in zip(inner, ("fast", "copied"), strict=True):
        conn.deserialize(container.open_body(container.read(tmp_path / f"{name}.fzpack"), PW))
    for table in ("visits", "key_persons", "disputes"):
        rows = [c.execute(f"SELECT * FROM {table} ORDER BY uid").fetchall() for c in inner]
        assert rows[0] == rows[1] and rows[0]
    target = Store.open(tmp_path / "t.db")
    result = merge_pack(target, tmp_path / "copied.fzpack", PW)
    assert result.total("new") == sum(s.count(k) for k in OFFICES["司法所"])
    assert target.count("visits") == s.count("visits")
    assert merge_pack(target, tmp_path / "fast.fzpack", PW).changes == 0
