"""What a password costs: the report and the 100k-row CSV import on an encrypted database
(SQLCipher 4: AES-256 per 4 KiB page, HMAC-SHA512) as ratios to the same on a plain one,
both measured in this run (best of a few runs each; these machines are noisy).

The encrypted file runs on SQLCipher's own SQLite (3.51), the plain one on Python's (3.40 here),
so a ratio below 1 is the newer SQLite, not the cipher being free.

The one-off cost of unlocking (scrypt N=2^17, r=8, p=1: 128 MiB, once per program start)
is printed on its own: it is paid when the password is typed, not per operation.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from app.core.demo.generator import fill
from app.core.safety import encryption
from app.core.storage import keys
from app.core.storage.store import Store
from bench.bench_import import LEDGER, N, best, ours, write_csv

PASSWORD = "基准测试密码2024"
RUNS = 3


def _db(folder: Path, name: str, encrypted: bool, with_demo: bool) -> Path:
    db = folder / name
    s = Store.open(db)
    if with_demo:
        fill(s, 2024)
    s.close()
    if encrypted:
        encryption.protect(db, PASSWORD)
    return db


def _report(db: Path, out: Path, cached: bool) -> float:
    """Best of a few ``build_report`` runs; every chart drawn unless ``cached`` (the chart
    cache then serves them and the time is mostly reading the ledgers)."""
    from bench.bench_report import uncached_report

    times = []
    for _ in range(RUNS):
        s = Store.open(db)
        try:
            if cached:
                from app.core.report.build import build_report

                build_report(s, 2024, out)  # fills the cache
                t = time.perf_counter()
                build_report(s, 2024, out)
            else:
                t = time.perf_counter()
                uncached_report(s, 2024, out)
            times.append(time.perf_counter() - t)
        finally:
            s.close()
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        os.environ["FAZHI_DATA_DIR"] = str(d / "data")  # the chart cache goes there, not the user's
        t = time.perf_counter()
        envelope, _key, _code = keys.new_envelope(PASSWORD)
        made = time.perf_counter() - t
        t = time.perf_counter()
        keys.unlock(envelope, PASSWORD)
        unlock = time.perf_counter() - t
        print(f"  unlocking (scrypt N=2^17 r=8 p=1): {unlock:.2f} s once per start; setting a password {made:.2f} s")

        print(
            f"  SQLite: plain {sqlite3.sqlite_version} (Python's), encrypted {sqlcipher.sqlite_version} (SQLCipher's)"
        )
        plain, enc = _db(d, "plain.db", False, True), _db(d, "enc.db", True, True)
        for cached in (False, True):
            rp, re_ = _report(plain, d / "p.docx", cached), _report(enc, d / "e.docx", cached)
            what = "charts from the cache" if cached else "every chart drawn"
            times = f"plain {rp:.2f} s, encrypted {re_:.2f} s"
            print(f"  report (demo, {what}), best of {RUNS}: {times}   ratio {re_ / rp:.2f}")

        write_csv(d / "big.csv", N)
        ip = best([ours(d / "big.csv", _db(d, f"ip{i}.db", False, False), N) for i in range(RUNS)])
        ie = best([ours(d / "big.csv", _db(d, f"ie{i}.db", True, False), N) for i in range(RUNS)])
        print(
            f"  import {N} rows of {LEDGER} (CSV), best of {RUNS}: plain {ip[0]:.2f} s, "
            f"encrypted {ie[0]:.2f} s   ratio {ie[0] / ip[0]:.2f} wall, {ie[1] / ip[1]:.2f} CPU"
        )


if __name__ == "__main__":
    main()
