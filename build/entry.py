"""Frozen entry point of both bundle executables: the same as ``python -m app``.

``fazhi-taizhang`` (windowed on Windows) and ``fazhi-cli`` (console) both start here; with
no command the window opens, with a command the command line runs.
"""

import os
import sys


def _ensure_streams() -> None:
    """Make print() safe whatever the program was started from.

    A windowed Windows executable has no console: sys.stdout/stderr are None, and a library
    writing to them would crash, so they go nowhere instead. Output redirected to a file or
    a pipe uses the ANSI code page (GBK on a Chinese Windows, fine); where that cannot hold
    Chinese (an English Windows: cp1252), it becomes UTF-8 rather than a UnicodeEncodeError.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
            continue
        try:
            "法治台账".encode(stream.encoding or "ascii")
        except (LookupError, UnicodeEncodeError):
            try:
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError):
                pass


def _persistent_matplotlib_cache() -> None:
    """Keep matplotlib's font cache between runs, as unfrozen matplotlib does.

    PyInstaller's run-time hook points MPLCONFIGDIR at a new temporary folder on every start,
    so each report would rescan every system font (hundreds on Windows: seconds). The cache
    goes to the user's cache folder instead (%LOCALAPPDATA%\\FazhiTaizhang\\Cache\\matplotlib,
    ~/.cache/FazhiTaizhang/matplotlib); if that cannot be made, the temporary one stays.
    """
    try:
        import platformdirs

        path = os.path.join(platformdirs.user_cache_dir("FazhiTaizhang", appauthor=False), "matplotlib")
        os.makedirs(path, exist_ok=True)
    except (ImportError, OSError):
        return
    os.environ["MPLCONFIGDIR"] = path


if __name__ == "__main__":
    _ensure_streams()
    if getattr(sys, "frozen", False):
        _persistent_matplotlib_cache()
    from app.__main__ import main  # the entry chooses the face: window or command line

    sys.exit(main())
