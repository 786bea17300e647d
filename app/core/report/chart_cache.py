"""Charts already drawn, so a report or a 首页 with nothing changed redraws nothing.

A chart is a pure function of its spec (name, caption, year), the numbers it shows, the font
and the drawing code's version: the key is a hash of exactly those.  The data's version is
thus the chart's own numbers — taken from the ledgers by SQL in milliseconds, while drawing
takes a third of a second — so an edit redraws only the charts whose numbers it changed, and
an edit that changes no chart (a note, a name) redraws none.

Kept in memory (bounded) and, when a folder is given, as PNG files there (``cache/charts`` in
the user's data folder for the program), so the next run of the program finds them too.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from app.core.paths import data_dir

# bump when the drawing code changes what a chart looks like
DRAWING_VERSION = 2  # 2: the charts of issue 17 (one figure each, no empty chart)
MEMORY_ENTRIES = 48
DISK_ENTRIES = 60  # ten reports of six charts; about 5 MB


def chart_key(spec: dict[str, Any]) -> str:
    """A stable hash of a chart's spec, numbers and font (JSON with sorted keys)."""
    text = json.dumps({"v": DRAWING_VERSION, **spec}, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class ChartCache:
    """PNG bytes by key: in memory, and in ``folder`` when given.  Thread-safe."""

    def __init__(self, folder: str | Path | None = None, entries: int = MEMORY_ENTRIES):
        self.folder = Path(folder) if folder else None
        self.entries = entries
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            png = self._memory.get(key)
            if png is not None:
                self._memory.move_to_end(key)
                self.hits += 1
                return png
        png = self._read(key)
        with self._lock:
            if png is None:
                self.misses += 1
            else:
                self.hits += 1
                self._remember(key, png)
        return png

    def put(self, key: str, png: bytes) -> None:
        with self._lock:
            self._remember(key, png)
        self._write(key, png)

    def clear(self) -> None:
        with self._lock:
            self._memory.clear()

    def _remember(self, key: str, png: bytes) -> None:
        self._memory[key] = png
        self._memory.move_to_end(key)
        while len(self._memory) > self.entries:
            self._memory.popitem(last=False)

    # -- on disk: best effort; a cache that cannot be read or written is no cache ------------

    def _path(self, key: str) -> Path | None:
        return self.folder / f"{key}.png" if self.folder else None

    def _read(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return path.read_bytes() if path and path.exists() else None
        except OSError:
            return None

    def _write(self, key: str, png: bytes) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".png", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(png)
            os.replace(tmp, path)
            self._trim()
        except OSError:
            pass

    def _trim(self) -> None:
        files = sorted(self.folder.glob("*.png"), key=lambda p: p.stat().st_mtime)
        for old in files[:-DISK_ENTRIES]:
            old.unlink(missing_ok=True)


_DEFAULT: ChartCache | None = None
_DEFAULT_LOCK = threading.Lock()


def default_cache() -> ChartCache:
    """The program's cache: memory plus ``cache/charts`` in the user's data folder."""
    global _DEFAULT
    try:
        folder: Path | None = data_dir() / "cache" / "charts"
    except OSError:
        folder = None
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = ChartCache(folder)
        _DEFAULT.folder = folder  # the data folder may move (FAZHI_DATA_DIR)
        return _DEFAULT
