"""The PyInstaller bundle: its size (unpacked, and as a .tar.gz standing in for the installer)
and how fast it starts against the unfrozen program, measured in the same run.

- CLI: ``fazhi-cli ledgers`` vs ``python -m app ledgers`` (bare baseline: ``python -c pass``).
- GUI: time to the painted window with the demo database open in it, frozen vs unfrozen: the
  "窗口已打开" line of ``--check-window`` (offscreen; the user-facing check, as a bundle has
  no Python for a harness of its own); bare baseline: an empty PySide6 window.

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

from bench import bare_window

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "fazhi-taizhang"
RUNS = 5
MB = 1_000_000

BARE_WINDOW = bare_window.SCRIPT


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


def _time(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds to each line's first word (``shown``: the bare window is painted; ``窗口已打开``:
    the program's window is painted with the database open in it) and to exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen: dict[str, float] = {}
    for line in proc.stdout:
        marker = line.split("：", 1)[0].split(" ", 1)[0].strip()
        if marker and marker not in seen:
            seen[marker] = time.perf_counter() - start
    code = proc.wait()
    seen["exit"] = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"{cmd[0]} failed (exit {code})")
    return seen


def _median(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    _time(cmd, env)  # warm the file cache
    runs = [_time(cmd, env) for _ in range(RUNS)]
    return {key: statistics.median(r[key] for r in runs) for key in runs[0] if all(key in r for r in runs)}


def _line(label: str, t: float, bare: float, unfrozen: float | None = None) -> str:
    text = f"    {label:9s}{t * 1000:6.0f} ms   ratio to bare {t / bare:.2f}x"
    return text + (f", to unfrozen {t / unfrozen:.2f}x" if unfrozen else "")


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
        src_env = dict(env, PYTHONPATH=str(ROOT))
        py = sys.executable
        bare = _median([py, "-c", "pass"], env)["exit"]
        unfrozen = _median([py, "-m", "app", "ledgers"], src_env)["exit"]
        frozen = _median([str(cli), "ledgers"], env)["exit"]
        print(f"  CLI `ledgers` (median of {RUNS}): bare python {bare * 1000:.0f} ms")
        print(_line("unfrozen", unfrozen, bare))
        print(_line("frozen", frozen, bare, unfrozen))

        db = work / "demo.db"
        subprocess.run([py, "-m", "app", "--db", str(db), "demo"], env=src_env, check=True, stdout=subprocess.DEVNULL)
        shown = "窗口已打开"
        bare_w = _median([py, "-c", BARE_WINDOW], env)["shown"]
        unfrozen_w = _median([py, "-m", "app", "--db", str(db), "--check-window"], src_env)[shown]
        frozen_w = _median([str(gui), "--db", str(db), "--check-window"], env)[shown]
        print(f"  window with the demo data open (median of {RUNS}): bare PySide6 window {bare_w * 1000:.0f} ms")
        print(_line("unfrozen", unfrozen_w, bare_w))
        print(_line("frozen", frozen_w, bare_w, unfrozen_w))


if __name__ == "__main__":
    main()
