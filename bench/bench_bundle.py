"""The PyInstaller bundle: its size (unpacked, and as a .tar.gz standing in for the installer)
and how fast it starts against the unfrozen program, measured in the same run.

- CLI: ``fazhi-cli ledgers`` vs ``python -m app ledgers`` (bare baseline: ``python -c pass``).
- GUI: time to the first painted window (``FAZHI_EXIT_WHEN_SHOWN=1``, offscreen) on the demo
  database, frozen vs unfrozen (bare baseline: an empty PySide6 window).

Targets (issue 6): under 200 MB unpacked, under 70 MB compressed. Needs ``make dist`` first.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "fazhi-taizhang"
RUNS = 5
MB = 1_000_000

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
class W(QMainWindow):
    painted = False
    def paintEvent(self, e):
        super().paintEvent(e)
        if not self.painted:
            self.painted = True
            print("FAZHI_SHOWN", flush=True)
            QTimer.singleShot(0, app.quit)
w = W(); w.setCentralWidget(QLabel("法治台账")); w.resize(1280, 800); w.show()
sys.exit(app.exec())
"""


def bundle_size(bundle: Path = BUNDLE) -> tuple[int, int]:
    """(bytes of all files, number of files); symlinks count once, as links."""
    total = count = 0
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        total += path.stat().st_size
        count += 1
    return total, count


def compressed_size(bundle: Path, workdir: Path) -> tuple[int, float]:
    """(bytes of bundle.tar.gz, seconds to make it) — gzip -6, as `tar czf` does."""
    out = workdir / "bundle.tar.gz"
    t = time.perf_counter()
    if shutil.which("tar"):
        subprocess.run(["tar", "czf", str(out), "-C", str(bundle.parent), bundle.name], check=True)
    else:
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(bundle, arcname=bundle.name)
    return out.stat().st_size, time.perf_counter() - t


def _time(cmd: list[str], env: dict[str, str], until: str | None = None) -> float:
    """Seconds until the process exits (or prints a line starting with ``until``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = None
    for line in proc.stdout:
        if until and seen is None and line.startswith(until):
            seen = time.perf_counter() - start
    code = proc.wait()
    if code != 0 or (until and seen is None):
        raise RuntimeError(f"{cmd[0]} failed (exit {code})")
    return seen if until else time.perf_counter() - start


def _median(cmd: list[str], env: dict[str, str], until: str | None = None) -> float:
    _time(cmd, env, until)  # warm the file cache
    return statistics.median(_time(cmd, env, until) for _ in range(RUNS))


def main() -> None:
    if not (BUNDLE / "fazhi-cli").exists() and not (BUNDLE / "fazhi-cli.exe").exists():
        print("  no bundle: run make dist first")
        return
    exe = ".exe" if sys.platform == "win32" else ""
    cli, gui = BUNDLE / f"fazhi-cli{exe}", BUNDLE / f"fazhi-taizhang{exe}"
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-bundle-") as tmp:
        work = Path(tmp)
        size, files = bundle_size()
        packed, secs = compressed_size(BUNDLE, work)
        print(f"  unpacked:   {size / MB:6.1f} MB in {files} files (target < 200 MB)")
        print(f"  tar.gz:     {packed / MB:6.1f} MB (target < 70 MB; made in {secs:.1f} s)")

        env = dict(os.environ, FAZHI_DATA_DIR=str(work / "data"), QT_QPA_PLATFORM="offscreen")
        py = sys.executable
        bare = _median([py, "-c", "pass"], env)
        unfrozen = _median([py, "-m", "app", "ledgers"], dict(env, PYTHONPATH=str(ROOT)))
        frozen = _median([str(cli), "ledgers"], env)
        print(f"  CLI `ledgers` (median of {RUNS}): bare python {bare * 1000:.0f} ms")
        print(f"    unfrozen {unfrozen * 1000:6.0f} ms   ratio to bare {unfrozen / bare:.2f}x")
        print(
            f"    frozen   {frozen * 1000:6.0f} ms   ratio to bare {frozen / bare:.2f}x,"
            f" to unfrozen {frozen / unfrozen:.2f}x"
        )

        db = work / "demo.db"
        subprocess.run(
            [py, "-m", "app", "--db", str(db), "demo"],
            env=dict(env, PYTHONPATH=str(ROOT)),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        genv = dict(env, FAZHI_EXIT_WHEN_SHOWN="1", FAZHI_NO_ERROR_DIALOG="1")
        bare_w = _median([py, "-c", BARE_WINDOW], genv, "FAZHI_SHOWN")
        unfrozen_w = _median([py, "-m", "app", "--db", str(db)], dict(genv, PYTHONPATH=str(ROOT)), "FAZHI_SHOWN")
        frozen_w = _median([str(gui), "--db", str(db)], genv, "FAZHI_SHOWN")
        print(f"  window on the demo data (median of {RUNS}): bare PySide6 window {bare_w * 1000:.0f} ms")
        print(f"    unfrozen {unfrozen_w * 1000:6.0f} ms   ratio to bare {unfrozen_w / bare_w:.2f}x")
        print(
            f"    frozen   {frozen_w * 1000:6.0f} ms   ratio to bare {frozen_w / bare_w:.2f}x,"
            f" to unfrozen {frozen_w / unfrozen_w:.2f}x"
        )


if __name__ == "__main__":
    main()
