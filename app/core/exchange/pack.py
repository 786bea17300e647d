"""Making a data pack: the chosen ledgers' rows, by uid, into a small SQLite file in a container.

The pack's SQLite file has a table per ledger named by its id, with ``uid`` (primary key),
the ledger's fields, ``created_at``, ``updated_at``, ``deleted_at``, ``created_office`` and
``updated_office``; a reference (走访记录's 重点人员) holds the uid of the row it points at,
never a row id, since row ids differ between PCs.  ``pack_meta`` repeats the header (office,
town, county, schema and program version, row counts).  Deleted rows are in the pack, so
deletions travel; rows emptied from the 回收站 for good are not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.ledgers import catalog, privacy
from app.core.ledgers.catalog import Ledger
from app.core.storage.common import now
from app.core.storage.schema import SCHEMA_VERSION
from app.core.storage.store import Store

from ..paths import check_output_path
from . import container, image
from .container import PackError

# incomplete: a 待补充 row's JSON of the fields it lacks (schema 7), so it travels as it is
ROW_META = ("created_at", "updated_at", "deleted_at", "created_office", "updated_office", "incomplete")
SUFFIX = ".fzpack"


def program_version() -> str:
    try:
        from importlib.metadata import version

        return version("fazhi-taizhang")
    except Exception:  # the bundle carries no package metadata
        return "0.1.0"


@dataclass
class PackSummary:
    path: Path
    office: str
    ledgers: dict[str, int]  # ledger id -> rows in the pack (deleted ones included)
    encrypted: bool

    @property
    def rows(self) -> int:
        return sum(self.ledgers.values())

    def describe(self) -> str:
        parts = "、".join(f"{catalog.get(k).name} {n} 条" for k, n in self.ledgers.items())
        lock = "已加密" if self.encrypted else "未加密"
        return f"已生成数据包（{lock}，来自{self.office}）：{self.path}\n{parts}"


def choose_ledgers(names: Iterable[str] | None) -> list[Ledger]:
    """The ledgers named (ids or 台账 names), or all; with the ledgers they refer to (a 走访记录
    needs its 重点人员), in catalog order."""
    wanted = {catalog.get(n.strip()).id for n in names if n.strip()} if names else {lg.id for lg in catalog.LEDGERS}
    for lg in catalog.LEDGERS:
        if lg.id in wanted:
            wanted |= {f.ref for f in lg.fields if f.ref}
    return [lg for lg in catalog.LEDGERS if lg.id in wanted]


def _has_rows(store: Store, lg: Ledger) -> bool:
    return store.conn.execute(f'SELECT 1 FROM "{lg.id}" LIMIT 1').fetchone() is not None


def is_personal(ledger_id: str) -> bool:
    """A pack holding this ledger is encrypted: it holds a field the catalog declares personal,
    or refers to a ledger that does (重点人员名册 and its 走访记录)."""
    return privacy.holds_personal(ledger_id)


def holds_personal(ledgers: Iterable[Ledger]) -> bool:
    return any(privacy.holds_personal(lg) for lg in ledgers)


def pack_table_sql(lg: Ledger, schema: str = "pk") -> str:
    cols = ", ".join(f'"{f.key}" {"TEXT" if f.kind == "ref" else ""}'.strip() for f in lg.fields)
    meta = ", ".join(f'"{c}" TEXT' for c in ROW_META)
    return f'CREATE TABLE {schema}."{lg.id}" (uid TEXT PRIMARY KEY, {cols}, {meta})'


def make_pack(
    store: Store,
    out: str | Path,
    ledgers: Iterable[str] | None = None,
    password: str | None = None,
    *,
    plain: bool = False,
) -> PackSummary:
    """Write a pack of ``ledgers`` (ids or names; all when None) to ``out``.

    A pack holding personal data needs ``password``, or ``plain=True`` said on purpose.
    """
    check_output_path(getattr(store, "path", None), out)
    office = store.office
    if not office:
        raise PackError(
            "请先设置本机的科室（如 司法所、执法大队、党政办）：在“数据交换”页填写，或命令行 settings office=司法所"
        )
    chosen = choose_ledgers(ledgers)
    if ledgers is None:  # everything this PC keeps: its empty ledgers are left out
        chosen = choose_ledgers([lg.id for lg in chosen if _has_rows(store, lg)])
    if password is not None and not password:
        raise PackError("数据包密码不能为空。")
    personal = [lg.name for lg in chosen if privacy.holds_personal(lg) and _has_rows(store, lg)]
    if password is None and personal and not plain:
        raise PackError(
            f"数据包含有个人信息（{'、'.join(personal)}），必须设置密码（--password），或明确选择不加密（--no-password）。"
        )
    out = Path(out)
    payload, counts = _pack_bytes(store, chosen, office)
    header = header_for(store, office, counts)
    container.write(out, header, payload, password)
    store.log("pack", f"生成数据包 {out.name}（{'加密' if password else '未加密'}）：" + _counts_text(counts))
    return PackSummary(out, office, counts, password is not None)


def header_for(store: Store, office: str, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "created_at": now(),
        "office": office,
        "town": store.setting("town") or "",
        "county": store.setting("county") or "",
        "level": store.setting("level") or "town",
        "schema": SCHEMA_VERSION,
        "program": program_version(),
        "ledgers": counts,
    }


def _counts_text(counts: dict[str, int]) -> str:
    return "、".join(f"{catalog.get(k).name} {n} 条" for k, n in counts.items()) or "没有台账"


def _pack_bytes(store: Store, chosen: list[Ledger], office: str) -> tuple[bytes, dict[str, int]]:
    """The pack's SQLite file, built set-based in an in-memory database attached to the store's
    connection (one read transaction: every ledger from the same moment)."""
    conn = store.conn
    with image.attached(conn):
        conn.execute("BEGIN")
        try:
            counts = {}
            for lg in chosen:
                conn.execute(pack_table_sql(lg))
                cols = ", ".join(_select_col(lg, f.key) for f in lg.fields)
                names = ", ".join(f'"{k}"' for k in ("uid", *lg.keys, *ROW_META))
                conn.execute(
                    f'INSERT INTO pk."{lg.id}" ({names}) SELECT t.uid, {cols}, t.created_at, t.updated_at,'
                    f" t.deleted_at, COALESCE(t.created_office, :office), COALESCE(t.updated_office, :office),"
                    f' t.incomplete FROM main."{lg.id}" t ORDER BY t.id',
                    {"office": office},
                )
                counts[lg.id] = conn.execute(f'SELECT COUNT(*) FROM pk."{lg.id}"').fetchone()[0]
            conn.execute("CREATE TABLE pk.pack_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            meta = header_for(store, office, counts)
            conn.executemany(
                "INSERT INTO pk.pack_meta VALUES (?, ?)",
                [(k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items() if k != "created_at"],
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return image.image(conn), counts


def _select_col(lg: Ledger, key: str) -> str:
    f = lg.field(key)
    if f.kind == "ref":
        return f'(SELECT r.uid FROM main."{f.ref}" r WHERE r.id = t."{key}")'
    return f't."{key}"'
