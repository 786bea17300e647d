"""The returns for a quarter, against ledger size; and a report's second run.

floor   — openpyxl writing the returns' cells (no SQL), in this process: the least an
          export could cost.
returns — every return of 2024Q2 computed by SQL, on the demo and on the demo plus
          200 000 rows dated 2018–2023 (the history behind the quarter a clerk reports on).
          Target: large ≤ 1.2 × demo: the period's rows are read through the date indexes (the
          disputes' 上期未结 through the union of the 登记日期, 结案日期 and "never closed"
          indexes), so the cost must not grow with the ledger.  Also with 年度累计 (--ytd).
mixed   — the same on 200 000 rows spread over 2018–2025 as ``bench_report`` does: the
          quarter itself then holds ~6 000 more rows, so SQL time grows with them (shown for
          the cost per row of the period; not a target).
export  — the returns written as .xlsx (what the clerk waits for), as a ratio to the floor;
          and large / demo.
report  — ``build_report`` on the demo with an empty chart cache, then again with nothing
          changed (charts from the cache): the second as a ratio to the first.
Each time is the best of a few runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.bench_report import EXTRA_ROWS, add_rows, best

PERIOD = "2024Q2"
RUNS = 5


def floor(tables, out: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    for t in tables:
        ws = wb.create_sheet(t.ret.key)
        ws.append(t.header)
        for item in t.all_items():
            ws.append([item, *(t.value(item, k) for k in t.keys)])
    wb.save(str(out))


def in_turns(fns, runs: int) -> list[float]:
    """Best time of each callable, run in turns (a noisy machine slows them alike)."""
    best_times = [float("inf")] * len(fns)
    for _ in range(runs):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best_times[i] = min(best_times[i], time.perf_counter() - t0)
    return best_times


def returns_times(*stores, runs: int = 40, ytd: bool = False) -> list[float]:
    from app.core.returns.compute import compute_all

    return in_turns([lambda s=s: compute_all(s, PERIOD, ytd=ytd) for s in stores], runs)


def report_times(store, tmp: Path) -> tuple[float, float]:
    """(first run with no cached chart, second run with nothing changed)."""
    from app.core.report import chart_cache
    from app.core.report.build import build_report

    cache = chart_cache.default_cache()
    folder = Path(os.environ["FAZHI_DATA_DIR"]) / "cache" / "charts"

    def cold() -> None:
        cache.clear()
        shutil.rmtree(folder, ignore_errors=True)
        build_report(store, 2024, tmp / "cold.docx")

    t_cold = best(cold, 3)
    t_warm = best(lambda: build_report(store, 2024, tmp / "warm.docx"), 3)
    return t_cold, t_warm


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench_returns_"))
    os.environ["FAZHI_DATA_DIR"] = str(tmp / "data")  # the chart cache goes there, not the user's
    try:
        from app.core.demo.generator import fill
        from app.core.returns.compute import compute_all
        from app.core.returns.definitions import RETURNS_LIST
        from app.core.returns.xlsx import export
        from app.core.storage.store import Store

        db = tmp / "demo.db"
        store = Store.open(db)
        fill(store, year=2024)
        store.conn.execute("ANALYZE")  # as the large ones get
        tables = compute_all(store, PERIOD)
        floor(tables, tmp / "warm.xlsx")
        t_floor = best(lambda: floor(tables, tmp / "floor.xlsx"), RUNS)
        t_cold, t_warm = report_times(store, tmp)
        store.close()

        stores = {"demo": Store.open(db)}
        for name, years in (("large", (2018, 2023)), ("mixed", (2018, 2025))):
            path = tmp / f"{name}.db"
            shutil.copy(db, path)
            stores[name] = Store.open(path)
            add_rows(stores[name], EXTRA_ROWS, years=years)
        t_demo, t_large, t_mixed = returns_times(*stores.values())
        y_demo, y_large, _ = returns_times(*stores.values(), runs=20, ytd=True)
        e_demo, e_large, e_mixed = in_turns(
            [lambda s=s, n=name: export(s, PERIOD, tmp / f"{n}.xlsx") for name, s in stores.items()], 10
        )
        for s in stores.values():
            s.close()

        n = len(RETURNS_LIST)
        print(f"floor (openpyxl, {n} sheets, no SQL)    {t_floor * 1000:8.1f} ms")
        print(f"{n} returns {PERIOD}, demo               {t_demo * 1000:8.1f} ms")
        print(
            f"{n} returns, + {EXTRA_ROWS:,} in 2018–2023    {t_large * 1000:8.1f} ms"
            f"   {t_large / t_demo:5.2f} × demo (target ≤ 1.2)"
        )
        print(
            f"{n} returns + 年度累计, demo / large      {y_demo * 1000:8.1f} / {y_large * 1000:.1f} ms"
            f"   {y_large / y_demo:5.2f} × demo (target ≤ 1.2)"
        )
        print(
            f"{n} returns, + {EXTRA_ROWS:,} in 2018–2025    {t_mixed * 1000:8.1f} ms   {t_mixed / t_demo:5.2f} × demo"
            " (the quarter itself holds ~6,000 more rows; not a target)"
        )
        print(f"export .xlsx, demo                     {e_demo * 1000:8.1f} ms   {e_demo / t_floor:5.2f} × floor")
        print(
            f"export .xlsx, large / mixed            {e_large * 1000:8.1f} / {e_mixed * 1000:.1f} ms"
            f"   {e_large / e_demo:5.2f} / {e_mixed / e_demo:5.2f} × demo"
        )
        print(f"report, demo, no cached chart         {t_cold:8.3f} s")
        print(f"report, demo, again, nothing changed  {t_warm:8.3f} s   {t_warm / t_cold:5.2f} × first")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
