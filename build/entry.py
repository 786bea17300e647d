"""Frozen entry point of both bundle executables: the same as ``python -m app``.

``fazhi-taizhang`` (windowed on Windows) and ``fazhi-cli`` (console) both start here; with
no command the window opens, with a command the command line runs.
"""

import os
import sys


def _ensure_streams() -> None:
    # A windowed Windows executable has no console: sys.stdout/stderr are None, and a
    # library writing to them would crash. Send them nowhere instead.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


if __name__ == "__main__":
    _ensure_streams()
    from app.cli import main

    sys.exit(main())
