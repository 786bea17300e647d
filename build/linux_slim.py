"""Linux-only trimming of the bundle's binaries (the Linux bundle stands in for the Windows
one in CI, where the size targets are measured): libraries only dropped plugins needed,
debug symbols, and the ICU data library. Each step works on copies in PyInstaller's work
folder and leaves a binary as it is when a tool (ldd, readelf, strip, cc) is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ldd_names(path: str) -> set[str]:
    """Sonames a Linux binary loads (transitively), by ``ldd``."""
    import subprocess

    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {line.split()[0].rsplit("/", 1)[-1] for line in out.splitlines() if "=>" in line or "/" in line}


def _base(dest: str) -> str:
    return dest.replace("\\", "/").rsplit("/", 1)[-1]


def prune_orphans(kept: list, dropped: list) -> tuple[list, list[str]]:
    """Remove shared libraries only the dropped plugins needed (e.g. cairo for the GTK theme).

    Only libraries that a dropped binary loaded are candidates, so anything loaded by other
    means (libpython by the bootloader, dlopen, ctypes) is never touched.
    """
    wanted_by_dropped: set[str] = set()
    for _dest, src, _typ in dropped:
        wanted_by_dropped |= _ldd_names(src)

    def is_candidate(entry) -> bool:
        dest, _src, typ = entry
        dest = dest.replace("\\", "/")
        shared = "/" not in dest or dest.startswith("PySide6/Qt/lib/")
        return typ == "BINARY" and shared and _base(dest) in wanted_by_dropped

    candidates = [e for e in kept if is_candidate(e)]
    needed: set[str] = set()
    for entry in kept:
        if entry[2] != "SYMLINK" and not is_candidate(entry):
            needed |= _ldd_names(entry[1])
    # a candidate needed by another candidate that is itself needed stays: iterate to a fixpoint
    keep_names = set(needed)
    changed = True
    while changed:
        changed = False
        for _dest, src, _typ in candidates:
            if _base(_dest) in keep_names:
                more = _ldd_names(src) - keep_names
                if more:
                    keep_names |= more
                    changed = True
    orphans = {e[0] for e in candidates if _base(e[0]) not in keep_names}
    gone = orphans | {e[0] for e in dropped}
    out = [e for e in kept if e[0] not in orphans and not (e[2] == "SYMLINK" and (e[1] in gone or e[0] in gone))]
    return out, sorted(orphans)


def _has_debug_info(path: str) -> bool:
    import subprocess

    try:
        out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return ".debug_info" in out


def strip_debug_info(toc: list, workdir: Path) -> list:
    """Strip binaries that carry debug info (pyenv's libpython: 23 MB -> 6 MB; kiwisolver's
    extension 5.5 MB -> 0.2 MB). Stripped copies go to ``workdir``; the originals are not
    touched. Binaries without debug info (most wheels' libraries) are left as they are."""
    import shutil
    import subprocess

    strip = shutil.which("strip")
    if not strip or not shutil.which("readelf"):
        return toc
    out = []
    for dest, src, typ in toc:
        if typ in ("BINARY", "EXTENSION") and _has_debug_info(src):
            target = workdir / "stripped" / dest
            if not target.exists() or target.stat().st_mtime < Path(src).stat().st_mtime:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)
                if subprocess.run([strip, "--strip-debug", str(target)], capture_output=True).returncode != 0:
                    shutil.copy2(src, target)
            src = str(target)
        out.append((dest, src, typ))
    return out


def icu_stub(toc: list, workdir: Path) -> list:
    """Replace PySide6's 31 MB ICU data library by an empty one (see build/icu_stub.c).

    Set FAZHI_BUNDLE_FULL_ICU=1 to keep the real one (QCollator then sorts Chinese by
    pinyin in the Linux bundle). Without a C compiler the real one is kept.
    """
    import os
    import shutil
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    if os.environ.get("FAZHI_BUNDLE_FULL_ICU") == "1" or not cc:
        return toc
    out = []
    for dest, src, typ in toc:
        m = re.fullmatch(r"libicudata\.so\.(\d+)", _base(dest))
        if m and typ == "BINARY":
            target = workdir / "icu" / _base(dest)
            target.parent.mkdir(parents=True, exist_ok=True)
            cmd = [cc, "-shared", "-fPIC", "-O2", f"-DICU_ENTRY=icudt{m.group(1)}_dat"]
            cmd += [f"-Wl,-soname,{_base(dest)}", "-o", str(target), str(ROOT / "build" / "icu_stub.c")]
            if subprocess.run(cmd, capture_output=True).returncode == 0:
                src = str(target)
        out.append((dest, src, typ))
    return out
