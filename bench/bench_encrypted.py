"""What a password costs: the report and the 100k-row CSV import on an encrypted database
(SQLCipher 4: AES-256 per 4 KiB page, HMAC-SHA512) as ratios to the same on a plain one,
both measured in this run (best of a few runs each; these machines are noisy).

The one-off cost of unlocking (scrypt N=2^17, r=8, p=1: 128 MiB, once per program start)
is printed on its own: it is paid when the password is typed, not per operation.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from app.core import demo, encryption, keys
from app.core.store import Store
from bench.bench_import import LEDGER, N, best, ours, write_csv

PASSWORD = "基准测试密码"
RUNS = 3


def _db(folder: Path, name: str, encrypted: bool, with_demo: bool) -> Path:
    db = folder / name
    s = Store.open(db)
    if with_demo:
        demo.fill(s, 2024)
    s.close()
    if encrypted:
        encryption.protect(db, PASSWORD)
    return db


def _report(db: Path, out: Path) -> float:
    from app.core.report import build_report

    times = []
    for _ in range(RUNS):
        s = Store.open(db)
        try:
            t = time.perf_counter()
            build_report(s, 2024, out)
            times.append(time.perf_counter() - t)
        finally:
            s.close()
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        envelope, _key, _code = keys.new_envelope(PASSWORD)
        made = time.perf_counter() - t
        t = time.perf_counter()
        keys.unlock(envelope, PASSWORD)
        unlock = time.perf_counter() - t
        print(f"  unlocking (scrypt N=2^17 r=8 p=1): {unlock:.2f} s once per start; setting a password {made:.2f} s")

        plain, enc = _db(d, "plain.db", False, True), _db(d, "enc.db", True, True)
        rp, re_ = _report(plain, d / "p.docx"), _report(enc, d / "e.docx")
        print(f"  report (demo data), best of {RUNS}: plain {rp:.2f} s, encrypted {re_:.2f} s   ratio {re_ / rp:.2f}")

        write_csv(d / "big.csv", N)
        ip = best([ours(d / "big.csv", _db(d, f"ip{i}.db", False, False), N) for i in range(RUNS)])
        ie = best([ours(d / "big.csv", _db(d, f"ie{i}.db", True, False), N) for i in range(RUNS)])
        print(
            f"  import {N} rows of {LEDGER} (CSV), best of {RUNS}: plain {ip[0]:.2f} s, "
            f"encrypted {ie[0]:.2f} s   ratio {ie[0] / ip[0]:.2f} wall, {ie[1] / ip[1]:.2f} CPU"
        )


if __name__ == "__main__":
    main()
