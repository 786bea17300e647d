"""Which of the 公文 fonts this PC has: the default of the report's font scheme.

A stock Windows PC has 仿宋, 楷体, 黑体 and 宋体 but not 方正小标宋简体 or the _GB2312 fonts,
which offices install themselves (for all users in ``%WINDIR%\\Fonts``, or for one user in
``%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts``).  On Windows the registry's font list names
them and the font folders are searched by file name; elsewhere ``fc-list`` (or the usual
font folders) is asked.  Nothing here needs Qt; the answer is kept for the process.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

# the faces the ``gb2312`` scheme needs (fonts.SCHEMES["gb2312"]; 黑体 and 宋体 come with Windows)
GB2312_FACES = ("方正小标宋简体", "仿宋_GB2312", "楷体_GB2312")

# the file names these fonts are shipped under (lower case, without the suffix)
KNOWN_FILES = {
    "仿宋_gb2312": "仿宋_GB2312",
    "fs_gb2312": "仿宋_GB2312",
    "fsgb2312": "仿宋_GB2312",
    "fangsong_gb2312": "仿宋_GB2312",
    "楷体_gb2312": "楷体_GB2312",
    "kt_gb2312": "楷体_GB2312",
    "ktgb2312": "楷体_GB2312",
    "kaiti_gb2312": "楷体_GB2312",
    "方正小标宋简体": "方正小标宋简体",
    "fzxbsjw": "方正小标宋简体",
    "fzxbsjw--gb1-0": "方正小标宋简体",
}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
# a font file whose name hints at one of the faces but is not in KNOWN_FILES: read its names
NAME_HINTS = ("gb2312", "方正", "fzxbs", "xiaobiaosong")
WINDOWS_REGISTRY_KEY = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts"
UNIX_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


def font_dirs(platform: str = sys.platform, env: Mapping[str, str] = os.environ) -> list[Path]:
    """The folders fonts are installed in: for all users, and for this user."""
    if platform == "win32":
        windir = env.get("WINDIR") or env.get("SystemRoot") or r"C:\Windows"
        dirs = [Path(windir) / "Fonts"]
        if env.get("LOCALAPPDATA"):
            dirs.append(Path(env["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    return [Path(d).expanduser() for d in UNIX_FONT_DIRS]


def families_in(dirs: Iterable[Path]) -> set[str]:
    """The 公文 faces among the font files in ``dirs`` (by file name, else by the names inside)."""
    found: set[str] = set()
    for folder in dirs:
        try:
            files = [p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES]
        except OSError:
            continue
        for path in files:
            stem = path.stem.lower()
            if stem in KNOWN_FILES:
                found.add(KNOWN_FILES[stem])
            elif any(hint in stem for hint in NAME_HINTS):
                found |= set(names_inside(path)) & set(GB2312_FACES)
    return found


def names_inside(path: Path) -> list[str]:
    """The family names a font file gives itself (all languages); [] if it cannot be read."""
    try:
        from fontTools.ttLib import TTCollection, TTFont
    except ImportError:  # fontTools comes with matplotlib; without it, file names only
        return []
    try:
        fonts = TTCollection(str(path)).fonts if path.suffix.lower() == ".ttc" else [TTFont(str(path), lazy=True)]
        names = []
        for font in fonts:
            for record in font["name"].names:
                if record.nameID in (1, 4, 16):
                    try:
                        names.append(record.toUnicode().strip())
                    except UnicodeDecodeError:
                        continue
        return names
    except Exception:  # a damaged or unusual font file says nothing
        return []


def registry_families() -> set[str]:
    """Font names in the Windows registry (all users and this user), without ``(TrueType)``."""
    try:
        import winreg
    except ImportError:
        return set()
    found: set[str] = set()
    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        try:
            key = winreg.OpenKey(hive, WINDOWS_REGISTRY_KEY)
        except OSError:
            continue
        with key:
            i = 0
            while True:
                try:
                    name = winreg.EnumValue(key, i)[0]
                except OSError:
                    break
                i += 1
                for part in name.split("(")[0].split("&"):  # "宋体 & 新宋体 (TrueType)"
                    found.add(part.strip())
    return found


def fc_list_families() -> set[str] | None:
    """Every family name fontconfig knows; None where there is no ``fc-list``."""
    exe = shutil.which("fc-list")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, ":", "family"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


@functools.lru_cache(maxsize=1)
def installed_faces() -> frozenset[str]:
    """Which of ``GB2312_FACES`` this PC has (asked once a run)."""
    if sys.platform == "win32":
        names = registry_families() | families_in(font_dirs())
    else:
        names = fc_list_families()
        if names is None:
            names = families_in(font_dirs())
    return frozenset(face for face in GB2312_FACES if face in names)


def has_gb2312_fonts() -> bool:
    """All three of 方正小标宋简体, 仿宋_GB2312 and 楷体_GB2312 are installed."""
    return set(GB2312_FACES) <= installed_faces()
