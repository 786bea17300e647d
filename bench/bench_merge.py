"""Merge speed: a data pack of the demo plus 200k rows of 矛盾纠纷台账, merged into a database
that already holds the demo (so 200k rows are new and the demo's ~5k are compared and left).

Baselines measured in the same run (these machines are noisy):
(a) bare: ``INSERT INTO t SELECT … FROM src.t`` of the same 200k rows between two SQLite
    files (ATTACH), into a plain table with no index, one commit;
(b) the same into our ledger table (uid, cover and other indexes), WAL + synchronous=FULL.
Ours — (c) ``merge_pack``: read the file, check its SHA-256, decompress, load the SQLite image,
pair every pack row with ours by uid, insert the new ones with their references mapped by uid,
an audit entry per row and one for the merge, one transaction; (d) the same pack encrypted
(scrypt + AES-GCM on top).  Target: c/a <= 5 (set-based: temporary tables and joins by uid,
never a query per row).

Measured here (2 shared cores, other work running): c/a 4.0-5.1 and c/b 1.6-1.8 — writing the rows into an indexed
table with a durable commit (b) is most of it; the rest is the audit entry per row, pairing
by uid, and reading, checking and decompressing the file.  Encryption adds ~0.2 s.
Validating every row to be written (``merge_check``, issue 19: one SQL condition over the
pack's rows, Python only for what it cannot judge) adds ~1.2 s CPU for the 200k rows: merge
CPU 2.4 -> 3.7 s, c/b 1.98 -> 2.16 in one run before and after.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from app.core.demo.generator import fill
from app.core.exchange.merge import merge_pack
from app.core.exchange.pack import make_pack
from app.core.ledgers import catalog
from app.core.storage.store import Store
from bench.timing import Timing, best, clock, since

LEDGER = "disputes"
N = 200_000


def _rows(n: int):
    types = ("婚姻家庭", "邻里", "房屋宅基地", "合同", "山林土地", "其他")
    states = ("调解中", "调解成功", "调解不成", "终止")
    for i in range(n):
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        state = states[i % 4]
        yield {
            "registered_on": day, "source": "自主排查", "dispute_type": types[i % 6], "village": f"第{i % 23 + 1}村",
            "parties": f"张{i % 97}、李{i % 89}", "summary": f"第{i}号纠纷：因宅基地边界、通行等问题发生争执",
            "mediator": f"调解员{i % 11}", "status": state, "closed_on": day if state != "调解中" else None,
        }  # fmt: skip


def prepare(d: Path) -> None:
    """demo.db (the receiving PC), source.db (the demo plus N rows) and its packs."""
    s = Store.open(d / "demo.db")
    fill(s, 2024)
    s.close()
    shutil.copy(d / "demo.db", d / "source.db")
    s = Store.open(d / "source.db")
    s.set_setting("office", "司法所")
    s.insert_many(LEDGER, _rows(N), expected=N)
    make_pack(s, d / "plain.fzpack", plain=True)
    make_pack(s, d / "secret.fzpack", password="bench-2024")
    s.close()
    # the bare baseline's source: the same N rows in a plain table of their own
    conn = sqlite3.connect(d / "rows.db")
    conn.execute(f"ATTACH '{d / 'source.db'}' AS s")
    keys = ", ".join(["uid", *catalog.get(LEDGER).keys, "created_at", "updated_at", "deleted_at"])
    demo_rows = sqlite3.connect(d / "demo.db").execute(f"SELECT MAX(id) FROM {LEDGER}").fetchone()[0]
    conn.execute(f"CREATE TABLE t AS SELECT {keys} FROM s.{LEDGER} WHERE id > {demo_rows}")
    conn.commit()
    conn.close()


def bare(d: Path, i: int, ledger_table: bool) -> Timing:
    db = d / f"bare{i}.db"
    shutil.copy(d / "demo.db", db)
    conn = sqlite3.connect(db, isolation_level=None)
    keys = ", ".join(["uid", *catalog.get(LEDGER).keys, "created_at", "updated_at", "deleted_at"])
    if ledger_table:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    else:
        conn.execute("CREATE TABLE t AS SELECT * FROM disputes WHERE 0")
    t = clock()
    conn.execute(f"ATTACH '{d / 'rows.db'}' AS src")
    conn.execute("BEGIN")
    target = LEDGER if ledger_table else "t"
    conn.execute(f"INSERT INTO {target} ({keys}) SELECT {keys} FROM src.t")
    conn.execute("COMMIT")
    conn.close()
    elapsed = since(t)
    db.unlink()
    return elapsed


def ours(d: Path, i: int, pack: str, password: str | None) -> Timing:
    db = d / f"ours{i}.db"
    shutil.copy(d / "demo.db", db)
    s = Store.open(db)
    try:
        t = clock()
        result = merge_pack(s, d / pack, password)
        elapsed = since(t)
        assert result.total("new") == N and result.changes == N, result.summary()
    finally:
        s.close()
    db.unlink()
    for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        extra.unlink(missing_ok=True)
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        prepare(d)
        size = (d / "plain.fzpack").stat().st_size / 2**20
        print(f"  (databases and packs made in {time.perf_counter() - t:.1f} s; pack {size:.1f} MiB)")
        runs = 3
        a = best([bare(d, i, False) for i in range(runs)])
        b = best([bare(d, i, True) for i in range(runs)])
        c = best([ours(d, i, "plain.fzpack", None) for i in range(runs)])
        e = best([ours(d, i, "secret.fzpack", "bench-2024") for i in range(runs)])

        def line(label: str, t: Timing, base: Timing | None = None, name: str = "", target: str = "") -> None:
            text = f"  {label:<52} {t[0]:5.2f} s wall {t[1]:5.2f} s CPU"
            if base:
                text += f"   {name} = {t[0] / base[0]:.2f} wall, {t[1] / base[1]:.2f} CPU{target}"
            print(text)

        print(f"  best of {runs} runs, {N} new rows of {catalog.get(LEDGER).name} into a database holding the demo")
        line("(a) bare: INSERT ... SELECT between two files", a)
        line("(b) bare, into our ledger table (indexes, WAL, FULL)", b, a, "b/a")
        line("(c) our merge of the pack (no password)", c, a, "c/a", "  (target <= 5)")
        line("(d) our merge of the encrypted pack", e, a, "d/a")
        print(f"      (c)/(b) = {c[0] / b[0]:.2f}: what the merge adds to writing the rows into our table")


if __name__ == "__main__":
    main()
