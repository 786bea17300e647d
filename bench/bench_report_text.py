"""The report's text and the checks against the figures they are made from.

floor  — ``figures.compute`` on the demo year: the SQL every report text needs anyway.
text   — ``render_store``: figures + the frame + nine paragraphs in the token language (with
         ledger coverage, phrases and the zero rules) + 三/四/五.
checks — ``checks.run``: the data checks plus the report's own (which render the text once).
Each time is the best of a few runs; printed as ratios against the floor.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.timing import best_time

RUNS = 5


def best(fn, runs: int = RUNS) -> float:
    return best_time(fn, runs)


def main() -> None:
    from app.core import checks
    from app.core.demo.generator import fill
    from app.core.figures.compute import compute
    from app.core.report import paragraphs, text
    from app.core.storage.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="bench_text_"))
    try:
        store = Store.open(tmp / "demo.db")
        fill(store, year=2024)
        text.render_store(store, 2024)  # warm: templates compiled, modules imported
        t_floor = best(lambda: compute(store, 2024))
        t_text = best(lambda: text.render_store(store, 2024))
        paragraphs.save(store, 2024, "study", "（一）学法。全年学法〔study.sessions|approx〕次。")
        t_own = best(lambda: text.render_store(store, 2024))
        t_checks = best(lambda: checks.run(store, 2024))
        store.close()
        print(f"floor (figures.compute, demo)     {t_floor * 1000:7.1f} ms")
        print(f"report text (render_store)        {t_text * 1000:7.1f} ms   {t_text / t_floor:5.2f} × floor")
        print(f"  with a reworded paragraph       {t_own * 1000:7.1f} ms   {t_own / t_floor:5.2f} × floor")
        print(f"checks (data + report)            {t_checks * 1000:7.1f} ms   {t_checks / t_floor:5.2f} × floor")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
