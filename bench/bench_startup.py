"""Time to a visible main window on a database with a million ledger rows, against a bare
PySide6 window started the same way in the same run; and the program's peak memory.

Both run as fresh processes that quit on their first paint (the program's window from the
benchmark's own harness, ``bench/window_harness.py``).  Targets: within 1.5× the bare window; peak RSS under 300 MB.
The million-row database is generated once (executemany) and cached in /tmp.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import bare_window, window_harness

ROOT = Path(__file__).resolve().parents[1]
ROWS = 1_000_000
DB = Path(tempfile.gettempdir()) / f"fazhi-bench-{ROWS}.db"
RUNS = 5

BARE = bare_window.SCRIPT


def make_db(path: Path = DB, rows: int = ROWS) -> Path:
    """A database with ``rows`` 法律咨询 rows (cached: made once)."""
    sys.path.insert(0, str(ROOT))
    from app.core.storage.store import Store

    if path.exists():
        s = Store.open(path)
        try:
            if s.count("consultations") == rows:
                return path
        finally:
            s.close()
        path.unlink()
    for side in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        side.unlink(missing_ok=True)
    t = time.perf_counter()
    s = Store.open(path)
    channels = ("来访", "电话", "网络", "上门")
    kinds = ("婚姻家庭", "劳动", "土地", "合同", "继承", "侵权", "其他")
    data = (
        (
            f"bench-{i}",
            f"{2020 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            f"咨询人{i % 5000}",
            f"村{i % 30}",
            channels[i % 4],
            kinds[i % 7],
            f"关于第{i}号事项的法律咨询",
            "张律师",
        )
        for i in range(rows)
    )
    with s.transaction():
        s.conn.executemany(
            "INSERT INTO consultations (uid, date, person, village, channel, category, matter, answered_by,"
            " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,'2024-01-01T00:00:00','2024-01-01T00:00:00')",
            data,
        )
        s.set_setting("setup_done", True)
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    print(f"  generated {rows:,} rows in {time.perf_counter() - t:.1f} s -> {path}", flush=True)
    return path


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(seconds to the window on screen, seconds to the database open in it, peak RSS in MB,
    the harness's 'ready' line).  The bare window is ready when shown."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    shown = ready = None
    line = ""
    for out in proc.stdout:
        if out.startswith("shown"):
            shown = time.perf_counter() - start
        elif out.startswith("ready"):
            ready, line = time.perf_counter() - start, out.strip()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if shown is None or proc.returncode != 0:
        raise RuntimeError(f"{cmd} did not show a window (exit {proc.returncode})")
    rss_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return shown, ready or shown, rss_mb, line


def main() -> None:
    db = make_db()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), PYTHONPATH=str(ROOT))
    env["FAZHI_DATA_DIR"] = tempfile.mkdtemp(prefix="fazhi-bench-data-")
    bare_cmd = [sys.executable, "-c", BARE]
    app_cmd = [sys.executable, "-c", window_harness.SCRIPT, str(db)]
    _run(bare_cmd, env)  # warm the file cache for both
    _run(app_cmd, env)
    bare, shown, ready, rss, line = [], [], [], [], ""
    for _ in range(RUNS):
        bare.append(_run(bare_cmd, env)[0])
        s, r, mb, line = _run(app_cmd, env)
        shown.append(s)
        ready.append(r)
        rss.append(mb)
    _s, _r, page_rss, _line = _run([*app_cmd, "ledger:consultations"], env)
    b, s, r = statistics.median(bare), statistics.median(shown), statistics.median(ready)
    print(f"  bare PySide6 window:                 {b * 1000:6.0f} ms (median of {RUNS})")
    print(f"  法治台账 window on screen:           {s * 1000:6.0f} ms   ratio {s / b:.2f}x (target <= 1.5x)")
    print(f"  ... with the {ROWS:,}-row database open in it: {r * 1000:6.0f} ms   ratio {r / b:.2f}x")
    print(f"  peak RSS, database open:             {max(rss):6.0f} MB (target < 300 MB)")
    print(f"  peak RSS, the {ROWS:,}-row ledger on screen: {page_rss:4.0f} MB (target < 300 MB)")
    print(f"  loaded at start-up: {line.split('heavy=', 1)[-1]} (want '-': no matplotlib/docx/openpyxl)")


if __name__ == "__main__":
    main()
