"""Report time against a floor, and against ledger size.

floor  — python-docx writing the reference text plus six matplotlib charts (same size, dpi
         and Chinese font as ours), in this process: the least any report could cost.
demo   — ``build_report`` on the demo data set, every chart drawn (the chart cache emptied
         before each run; ``bench_returns`` measures a second run served by the cache).
large  — the same after 200 000 extra ledger rows (disputes, consultations, inspections;
         2018–2025 mixed, so about an eighth fall in the report's year).
Targets: demo ≤ 1.3 × floor; large ≤ 1.2 × demo (SQL aggregates over indexes: the cost of a
report must not grow with the ledgers).  Each time is the best of a few runs.
"""

from __future__ import annotations

import io
import random
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from bench.timing import best_time

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "2024-wuping-report.txt"
EXTRA_ROWS = 200_000
RUNS = 3


def best(fn, runs: int = RUNS) -> float:
    return best_time(fn, runs)


def reference_lines() -> list[str]:
    if REFERENCE.exists():
        return [line.strip() for line in REFERENCE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ["丰都县武平镇人民政府2024年法治政府建设情况报告", *["全年共组织开展法治学习教育10余次。" * 20] * 20]


def floor(out: Path) -> None:
    import matplotlib
    from docx import Document
    from docx.shared import Mm
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from app.core.report.fonts import chart_font_families

    doc = Document()
    for line in reference_lines():
        doc.add_paragraph(line)
    months = [f"{m}月" for m in range(1, 13)]
    with matplotlib.rc_context({"font.family": chart_font_families()}):
        for i in range(6):
            fig = Figure(figsize=(7.5, 4.2), dpi=200)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            ax.bar(range(12), [(m * (i + 3)) % 11 for m in range(12)], label="2024年")
            ax.set_xticks(range(12), months)
            ax.set_title(f"各月矛盾纠纷登记数{i}")
            ax.legend()
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=200)
            buf.seek(0)
            doc.add_picture(buf, width=Mm(150))
    doc.save(str(out))


def add_rows(store, n: int, years: tuple[int, int] = (2018, 2025)) -> None:
    rng = random.Random(7)
    now = "2025-01-01T00:00:00"

    def day() -> str:
        return f"{rng.randint(*years)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    types = ["婚姻家庭", "邻里", "合同", "山林土地", "其他"]
    sources = ["自主排查", "群众申请", "法院委派", "部门移送"]
    domains = ["教育", "食品安全", "交通运输", "消防安全", "生态环境", "其他"]
    methods = ["日常检查", "专项检查", "综合查一次", "双随机一公开"]
    per = n // 3
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO disputes (uid, registered_on, source, dispute_type, summary, status, closed_on,"
            " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                (str(uuid.uuid4()), d, rng.choice(sources), rng.choice(types), "纠纷", "调解成功", d, now, now)
                for d in (day() for _ in range(per))
            ),
        )
        store.conn.executemany(
            "INSERT INTO consultations (uid, date, channel, matter, created_at, updated_at) VALUES (?,?,?,?,?,?)",
            ((str(uuid.uuid4()), day(), "来访", "咨询", now, now) for _ in range(per)),
        )
        store.conn.executemany(
            "INSERT INTO inspections (uid, date, target, domain, method, officers, outcome, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                (
                    str(uuid.uuid4()),
                    day(),
                    "某单位",
                    rng.choice(domains),
                    rng.choice(methods),
                    "张三、李四",
                    "未发现问题",
                    now,
                    now,
                )
                for _ in range(n - 2 * per)
            ),
        )
    store.conn.execute("ANALYZE")


def figures_time(store) -> float:
    """What ``build_report`` spends in SQL: the figures and both years' breakdowns."""
    from app.core.figures.breakdowns import report_breakdowns
    from app.core.figures.compute import compute

    def run() -> None:
        compute(store, 2024)
        report_breakdowns(store, 2024)  # what the report's charts draw
        report_breakdowns(store, 2023)

    return best(run)


def uncached_report(store, year: int, out: Path) -> None:
    """``build_report`` with no chart cached: what a report costs when every chart changed."""
    from app.core.report import chart_cache
    from app.core.report.build import build_report

    cache = chart_cache.default_cache()
    cache.clear()
    if cache.folder is not None:
        shutil.rmtree(cache.folder, ignore_errors=True)
    build_report(store, year, out)


def main() -> None:
    import os

    from app.core.demo.generator import fill
    from app.core.storage.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="bench_report_"))
    os.environ["FAZHI_DATA_DIR"] = str(tmp / "data")  # the chart cache goes there, not the user's
    build_report = uncached_report
    try:
        floor(tmp / "warm.docx")  # imports and font caches, for everyone
        t_floor = best(lambda: floor(tmp / "floor.docx"))

        db = tmp / "demo.db"
        store = Store.open(db)
        fill(store, year=2024)
        build_report(store, 2024, tmp / "warm2.docx")
        t_demo = best(lambda: build_report(store, 2024, tmp / "demo.docx"))
        f_demo = figures_time(store)
        store.close()

        big = tmp / "large.db"
        shutil.copy(db, big)
        store = Store.open(big)
        t0 = time.perf_counter()
        add_rows(store, EXTRA_ROWS)
        t_insert = time.perf_counter() - t0
        t_large = best(lambda: build_report(store, 2024, tmp / "large.docx"))
        f_large = figures_time(store)
        store.close()

        print(f"floor (python-docx + 6 charts)    {t_floor:7.3f} s")
        print(f"report, demo                      {t_demo:7.3f} s   {t_demo / t_floor:5.2f} × floor (target ≤ 1.3)")
        ratio = t_large / t_demo
        print(f"report, demo + {EXTRA_ROWS:,} rows       {t_large:7.3f} s   {ratio:5.2f} × demo  (target ≤ 1.2)")
        print(f"  of which figures + breakdowns (SQL): demo {f_demo:.3f} s, large {f_large:.3f} s")
        print(f"(inserting the extra rows took {t_insert:.1f} s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
