"""Merging a data pack into this PC's database: by uid, set-based, all or nothing.

For each ledger in the pack (catalog order: 重点人员 before the 走访记录 that point at them)
a temporary table pairs the pack's rows with ours by uid and says what each becomes:

- a uid we do not have is inserted (新增; one that arrives deleted counts under 删除);
- a row whose ``updated_at`` is later than ours is taken (更新, or 删除 when it carries the
  deletion); an older or equal one is left;
- a row changed on both sides since the last exchange with the pack's office is a conflict
  (冲突): the later change wins as above, and the other side's values go into the audit log
  and the list shown to the clerk;
- a row to be written that the validator refuses (``merge_check``: a pack is a file, it may
  have been edited) is listed as a conflict with the reason, audited, and not written.

"Changed here since the last exchange" is read from our audit log (a local edit, deletion or
restore after the mark), so it does not depend on clocks; "changed there" is a pack row whose
time is after the last pack merged from that office, and whose last change was not our own
(a row we sent them, coming back, is not their change).  The mark, per office, is kept in
the settings table (``exchange.<office>``).  References are carried as uids and turned into
our row ids with a join.  The whole merge is one transaction: killed half way, the database
is as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.ledgers import catalog
from app.core.ledgers.catalog import Ledger
from app.core.ledgers.privacy import mask_ids_in_text, mask_sql
from app.core.storage.common import actor, now
from app.core.storage.schema import SCHEMA_VERSION
from app.core.storage.store import Store

from . import container, image, merge_check
from .container import PackError
from .pack import ROW_META

Progress = Callable[[str, float], None]
MARK_PREFIX = "exchange."
COUNT_NAMES = {"new": "新增", "updated": "更新", "deleted": "删除", "conflicts": "冲突"}
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Conflict:
    ledger: str
    uid: str
    title: str
    ours_at: str
    ours_office: str
    theirs_at: str
    theirs_office: str
    winner: str  # "ours" or "theirs"
    reason: str = ""  # the pack's row is invalid (the validator's words): not merged

    @property
    def ledger_name(self) -> str:
        return catalog.get(self.ledger).name

    @property
    def winner_text(self) -> str:
        if self.reason:
            return f"数据无效，未合并：{self.reason}"
        return "采用对方的修改" if self.winner == "theirs" else "保留本机的修改"


@dataclass
class MergeResult:
    file: str
    office: str
    town: str
    created_at: str
    dry_run: bool
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # ledger -> new/updated/deleted/conflicts
    conflicts: list[Conflict] = field(default_factory=list)
    written: bool = False

    def total(self, key: str) -> int:
        return sum(c[key] for c in self.counts.values())

    @property
    def changes(self) -> int:
        return self.total("new") + self.total("updated") + self.total("deleted")

    def summary(self) -> str:
        text = "，".join(f"{name} {self.total(key)}" for key, name in COUNT_NAMES.items())
        invalid = sum(c.get("invalid", 0) for c in self.counts.values())
        return text + (f"（其中数据无效、未合并 {invalid}）" if invalid else "")


def mark_key(office: str) -> str:
    return f"{MARK_PREFIX}{office}"


def read_pack(path: str | Path, password: str | None, store: Store, *, allow_other_town: bool = False):
    """Check the pack against this database and open it: (header, SQLite bytes).

    Every refusal is a ``PackError`` with one Chinese line, before anything is written.
    """
    box = container.read(Path(path))
    header = box.header
    try:
        schema = int(header["schema"])
        office, town, county = str(header["office"]), str(header.get("town", "")), str(header.get("county", ""))
        ledgers = dict(header["ledgers"])
    except (KeyError, TypeError, ValueError):
        raise PackError("数据包已损坏（文件头缺少必要信息），请重新生成或重新拷贝。") from None
    if schema > SCHEMA_VERSION:
        raise PackError(f"这个数据包由更新版本的程序生成（结构版本 {schema}），请升级本程序后再合并。")
    if not office:
        raise PackError("数据包没有注明来自哪个科室，不能合并。")
    our_town, our_county = store.setting("town") or "", store.setting("county") or ""
    county_level = (store.setting("level") or "") == "county"
    if county and our_county and county != our_county:
        if not allow_other_town:
            raise PackError(f"这个数据包来自{county}{town}，不是本县（{our_county}）的数据，已拒绝合并。")
    elif not county_level and town and our_town and town != our_town and not allow_other_town:  # unnamed: a new PC
        raise PackError(
            f"这个数据包来自{county}{town}，不是本镇（{our_town}）的数据，已拒绝合并"
            "（确需合并请用 --allow-other-town）。"
        )
    unknown = [k for k in ledgers if k not in catalog.BY_ID]
    if unknown:
        raise PackError(f"数据包中有本程序不认识的台账（{'、'.join(unknown)}），请升级本程序后再合并。")
    payload = container.open_body(box, password)
    if not payload.startswith(SQLITE_MAGIC):
        raise PackError("数据包已损坏（内容不是数据表），请重新生成或重新拷贝。")
    return header, payload


def merge_pack(
    store: Store,
    path: str | Path,
    password: str | None = None,
    *,
    dry_run: bool = False,
    allow_other_town: bool = False,
    progress: Progress | None = None,
) -> MergeResult:
    """Merge the pack at ``path`` (or, with ``dry_run``, only say what merging would do)."""
    say = progress or (lambda _text, _fraction: None)
    say("正在检查数据包", 0.0)
    header, payload = read_pack(path, password, store, allow_other_town=allow_other_town)
    result = MergeResult(
        Path(path).name, header["office"], header.get("town", ""), header.get("created_at", ""), dry_run
    )
    conn = store.conn
    settings = {k: conn.execute(f"PRAGMA {k}").fetchone()[0] for k in ("temp_store", "cache_size")}
    conn.execute("PRAGMA temp_store=MEMORY")  # the pairing tables: never spilled to a file
    conn.execute(f"PRAGMA cache_size={min(settings['cache_size'], -65536)}")  # a big merge's pages fit
    try:
        with image.attached(conn, payload):
            try:
                _check_inner(conn, header)
                if dry_run:
                    conn.execute("BEGIN")  # one snapshot; temporary tables only
                    try:
                        _run(store, result, header, write=False, say=say)
                    finally:
                        conn.execute("ROLLBACK")
                else:
                    with store.transaction():
                        _run(store, result, header, write=True, say=say)
            finally:
                for (name,) in conn.execute("SELECT name FROM temp.sqlite_master WHERE type = 'table'").fetchall():
                    conn.execute(f'DROP TABLE IF EXISTS temp."{name}"')
    except PackError:
        raise
    except Exception as exc:
        if "malformed" in str(exc) or "not a database" in str(exc):
            raise PackError("数据包已损坏（数据表无法读取），请重新生成或重新拷贝。") from None
        raise
    finally:
        for key, value in settings.items():
            conn.execute(f"PRAGMA {key}={value}")
    say("完成", 1.0)
    return result


def _check_inner(conn, header: dict[str, Any]) -> None:
    try:  # the checksum already vouched for every byte: no integrity check of the image here
        meta = {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM pk.pack_meta")}
    except PackError:
        raise
    except Exception:
        raise PackError("数据包已损坏（数据表无法读取），请重新生成或重新拷贝。") from None
    if meta.get("office") != header["office"] or meta.get("town") != header.get("town"):
        raise PackError("数据包已损坏（文件头与内容不一致），请重新生成或重新拷贝。")


def _pack_columns(conn, lg: Ledger) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA pk.table_info("{lg.id}")')}


def _run(store: Store, result: MergeResult, header: dict[str, Any], *, write: bool, say: Progress) -> None:
    conn = store.conn
    office = header["office"]
    mark = store.setting(mark_key(office)) or {}
    since_their = mark.get("pack_latest")
    since_audit = int(mark.get("audit_id") or 0)
    ours = store.office
    chosen = [lg for lg in catalog.LEDGERS if lg.id in header["ledgers"] and _pack_columns(conn, lg)]
    for i, lg in enumerate(chosen):
        say(f"正在比对{lg.name}", 0.05 + 0.9 * i / max(1, len(chosen)))
        m = _classify(conn, lg, ours, since_their, since_audit)
        _check_refs(conn, lg, m)
        merge_check.refuse_invalid(store, lg, m, _pack_columns(conn, lg))
        result.counts[lg.id] = _count(conn, m)
        result.conflicts += _conflicts(conn, lg, m)
        if write:
            say(f"正在合并{lg.name}", 0.05 + 0.9 * (i + 0.5) / max(1, len(chosen)))
            _apply(store, lg, m, office, _pack_columns(conn, lg))
    latest = conn.execute(
        " UNION ALL ".join(f'SELECT MAX(updated_at) FROM pk."{lg.id}"' for lg in chosen) or "SELECT NULL"
    ).fetchall()
    pack_latest = max([header.get("created_at") or ""] + [r[0] for r in latest if r[0]])
    moved = not since_their or pack_latest > since_their
    if not write or (result.changes == 0 and not result.conflicts and not moved):
        return  # the same pack again: nothing to write, not even a log entry
    store.audit(
        "merge_pack",
        None,
        None,
        None,
        None,
        {
            "数据包": result.file,
            "科室": office,
            "乡镇": result.town,
            **{name: result.total(key) for key, name in COUNT_NAMES.items()},
            "数据无效": result.total("invalid"),
        },
        f"合并数据包 {result.file}（来自{result.town}{office}，生成于 {result.created_at}）：{result.summary()}",
    )
    last_audit = conn.execute("SELECT MAX(id) FROM audit").fetchone()[0]
    new_mark = {"pack_latest": max(pack_latest, since_their or ""), "audit_id": last_audit, "merged_at": now()}
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (mark_key(office), json.dumps(new_mark, ensure_ascii=False)),
    )


def _classify(conn, lg: Ledger, ours: str | None, since_their: str | None, since_audit: int) -> str:
    """Fill ``temp.m_<ledger>``: the pack's rows that differ from ours, with what each becomes."""
    m = f'temp."m_{lg.id}"'
    lc = f'temp."lc_{lg.id}"'
    conn.execute(f"DROP TABLE IF EXISTS {m}")
    conn.execute(f"DROP TABLE IF EXISTS {lc}")
    # rows changed here (edited, deleted, restored) since the last exchange with that office
    conn.execute(
        f"CREATE TEMP TABLE {lc.split('.', 1)[1]} AS SELECT DISTINCT row_id FROM audit"
        " WHERE id > ? AND ledger = ? AND row_id IS NOT NULL AND action NOT LIKE 'merge%'",
        (since_audit, lg.id),
    )
    conn.execute(
        f"CREATE TEMP TABLE {m.split('.', 1)[1]} AS"
        " SELECT p.uid AS uid, o.id AS our_id, p.updated_at AS p_upd, o.updated_at AS o_upd,"
        " p.deleted_at AS p_del, o.deleted_at AS o_del, p.updated_office AS p_off, o.updated_office AS o_off,"
        " 0 AS take, 0 AS conflict, 0 AS bad, NULL AS reason"
        f' FROM pk."{lg.id}" p LEFT JOIN main."{lg.id}" o ON o.uid = p.uid'
        " WHERE o.id IS NULL OR p.updated_at IS NOT o.updated_at"
    )
    conn.execute(f"UPDATE {m} SET take = 1 WHERE our_id IS NOT NULL AND p_upd > o_upd")
    conn.execute(
        f"UPDATE {m} SET conflict = 1 WHERE our_id IS NOT NULL AND p_off IS NOT ?"
        " AND (? IS NULL OR p_upd > ?) AND our_id IN (SELECT row_id FROM " + lc + ")",
        (ours, since_their, since_their),
    )
    conn.execute(f'CREATE UNIQUE INDEX temp."m_{lg.id}_uid" ON "m_{lg.id}"(uid)')
    return m


def _count(conn, m: str) -> dict[str, int]:
    new, updated, deleted, conflicts, invalid = conn.execute(
        "SELECT"
        " COALESCE(SUM(our_id IS NULL AND p_del IS NULL AND NOT bad), 0),"
        " COALESCE(SUM(take AND NOT (o_del IS NULL AND p_del IS NOT NULL)), 0),"
        " COALESCE(SUM((take AND o_del IS NULL AND p_del IS NOT NULL)"
        " OR (our_id IS NULL AND p_del IS NOT NULL AND NOT bad)), 0),"
        f" COALESCE(SUM(conflict OR bad), 0), COALESCE(SUM(bad), 0) FROM {m}"
    ).fetchone()
    return {"new": new, "updated": updated, "deleted": deleted, "conflicts": conflicts, "invalid": invalid}


def _conflicts(conn, lg: Ledger, m: str) -> list[Conflict]:
    title = f'p."{lg.title_field}"' if lg.title_field else "''"
    rows = conn.execute(
        f"SELECT m.uid, {title}, m.o_upd, m.o_off, m.p_upd, m.p_off, m.take, m.reason FROM {m} m"
        f' JOIN pk."{lg.id}" p ON p.uid = m.uid WHERE m.conflict OR m.bad ORDER BY m.bad, m.p_upd'
    ).fetchall()
    out = []
    for uid, t, o_upd, o_off, p_upd, p_off, take, reason in rows:
        title, winner = mask_ids_in_text(str(t or "")), "theirs" if take else "ours"
        c = Conflict(lg.id, uid, title, o_upd or "", o_off or "", p_upd or "", p_off or "", winner, reason or "")
        out.append(c)
    return out


def _check_refs(conn, lg: Ledger, m: str) -> None:
    """A reference must name a row of the pack or of ours (by uid): else the pack is broken."""
    for f in lg.fields:
        if f.kind != "ref":
            continue
        missing = conn.execute(
            f'SELECT COUNT(*) FROM {m} m JOIN pk."{lg.id}" p ON p.uid = m.uid'
            f' WHERE (m.our_id IS NULL OR m.take) AND p."{f.key}" IS NOT NULL'
            f' AND NOT EXISTS (SELECT 1 FROM main."{f.ref}" r WHERE r.uid = p."{f.key}")'
            f' AND NOT EXISTS (SELECT 1 FROM pk."{f.ref}" r WHERE r.uid = p."{f.key}")'
            if _has_pack_table(conn, f.ref)
            else f'SELECT COUNT(*) FROM {m} m JOIN pk."{lg.id}" p ON p.uid = m.uid'
            f' WHERE (m.our_id IS NULL OR m.take) AND p."{f.key}" IS NOT NULL'
            f' AND NOT EXISTS (SELECT 1 FROM main."{f.ref}" r WHERE r.uid = p."{f.key}")'
        ).fetchone()[0]
        if missing:
            raise PackError(
                f"数据包中有 {missing} 条{lg.name}引用了数据包和本机都没有的{catalog.get(f.ref).name}，不能合并。"
            )


def _has_pack_table(conn, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM pk.sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return found is not None


def _value(lg: Ledger, key: str, have: set[str]) -> str:
    """The pack's value of ``key`` as ours: a reference's uid turned into our row id."""
    if key not in have:
        return "NULL"  # a pack from a program whose catalog lacked the field
    f = lg.get_field(key)
    if f is not None and f.kind == "ref":
        return f'(SELECT r.id FROM main."{f.ref}" r WHERE r.uid = p."{key}")'
    return f'p."{key}"'


def _json(lg: Ledger, alias: str, have: set[str] | None = None) -> str:
    """The row's values for the audit, as JSON, its personal fields masked (``Store.audit``
    does the same for the rows it writes)."""
    keys = [*lg.keys, "updated_at", "deleted_at", "updated_office"]
    personal = {f.key for f in lg.fields if f.personal}
    parts = []
    for k in keys:
        value = f'{alias}."{k}"' if have is None else _value(lg, k, have)
        parts.append(f"'{k}', {mask_sql(value) if k in personal else value}")
    return f"json_object({', '.join(parts)})"


def _apply(store: Store, lg: Ledger, m: str, office: str, have: set[str]) -> None:
    conn = store.conn
    args = {
        "at": now(),
        "actor": actor(),
        "ledger": lg.id,
        "taken": f"冲突：两边都改过，对方（{office}）的修改较晚，已采用；本机原值见“原值”",
        "kept": f"冲突：两边都改过，本机的修改较晚，已保留；对方（{office}）的值见“新值”，未采用",
        "merged": f"合并数据包（来自{office}）",
        "added": f"合并数据包新增（来自{office}）",
        "invalid": f"数据无效，未合并（来自{office}）：",
    }
    audit = "INSERT INTO audit (at, actor, action, ledger, row_id, row_uid, old, new, note)"
    pair = f'FROM {m} m JOIN main."{lg.id}" o ON o.id = m.our_id JOIN pk."{lg.id}" p ON p.uid = m.uid'
    # the audit first, while our old values are still there: per changed row, and per conflict
    conn.execute(
        f"{audit} SELECT :at, :actor, 'merge', :ledger, o.id, o.uid, {_json(lg, 'o')}, {_json(lg, 'p', have)},"
        f" CASE WHEN m.conflict THEN :taken ELSE :merged END {pair} WHERE m.take ORDER BY o.id",
        args,
    )
    conn.execute(
        f"{audit} SELECT :at, :actor, 'merge_conflict', :ledger, o.id, o.uid, {_json(lg, 'o')},"
        f" {_json(lg, 'p', have)}, :kept {pair} WHERE m.conflict AND NOT m.take ORDER BY o.id",
        args,
    )
    conn.execute(  # the rows refused: ours (if any) as they stay, the pack's values, the reason
        f"{audit} SELECT :at, :actor, 'merge_invalid', :ledger, o.id, m.uid,"
        f" CASE WHEN o.id IS NULL THEN NULL ELSE {_json(lg, 'o')} END, {_json(lg, 'p', have)}, :invalid || m.reason"
        f' FROM {m} m JOIN pk."{lg.id}" p ON p.uid = m.uid LEFT JOIN main."{lg.id}" o ON o.id = m.our_id'
        " WHERE m.bad ORDER BY p.rowid",
        args,
    )
    sets = ", ".join(f'"{k}" = {_value(lg, k, have)}' for k in lg.keys)
    conn.execute(
        f'UPDATE main."{lg.id}" AS t SET {sets}, updated_at = p.updated_at, deleted_at = p.deleted_at,'
        " updated_office = p.updated_office, created_office = COALESCE(t.created_office, p.created_office),"
        f" incomplete = {_value(lg, 'incomplete', have)}"
        f' FROM {m} m, pk."{lg.id}" p WHERE m.take AND t.id = m.our_id AND p.uid = m.uid'
    )
    cols = ", ".join(f'"{c}"' for c in ("uid", *lg.keys, *ROW_META))
    values = ", ".join(["p.uid", *(_value(lg, k, have) for k in (*lg.keys, *ROW_META))])
    before = conn.execute(f'SELECT COALESCE(MAX(id), 0) FROM main."{lg.id}"').fetchone()[0]
    conn.execute(
        f'INSERT INTO main."{lg.id}" ({cols}) SELECT {values}'
        f' FROM pk."{lg.id}" p JOIN {m} m ON m.uid = p.uid WHERE m.our_id IS NULL AND NOT m.bad ORDER BY p.rowid'
    )
    conn.execute(
        f"{audit} SELECT :at, :actor, 'merge_insert', :ledger, o.id, o.uid, NULL, NULL, :added"
        f' FROM main."{lg.id}" o WHERE o.id > :before ORDER BY o.id',  # the new rows: ids after the last
        {**args, "before": before},
    )
