"""What the window does with an error nobody caught: log it, say it once, keep working.

An exception in an event handler comes back as often as the event does (a focus-in, a
paint), so a dialog per exception would loop: the clerk closes it, focus returns, the same
error opens it again.  ``ErrorReporter`` shows one message per distinct error (same type,
same place, same text): not again while that message is open, nor within ``QUIET_SECONDS``
after it was closed.  Every occurrence is still logged (a repeat as one line).  The message
box is not modal and the hook returns at once, so the window stays usable.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core import paths

QUIET_SECONDS = 60.0


def error_log_path() -> Path:
    return paths.logs_dir() / "error.log"


def log_exception(exc_type, exc, tb) -> Path:
    path = error_log_path()
    from app.core.ledgers.privacy import mask_ids_in_text  # a log file never holds a whole ID

    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"==== {dt.datetime.now().isoformat(timespec='seconds')} ====\n")
        fh.write(mask_ids_in_text("".join(traceback.format_exception(exc_type, exc, tb))))
    return path


def _log_repeat(key: tuple) -> None:
    try:
        with open(error_log_path(), "a", encoding="utf-8") as fh:
            fh.write(f"==== {dt.datetime.now().isoformat(timespec='seconds')} 再次出现：{key[0]} @ {key[1]}\n")
    except OSError:
        pass


def describe(exc: BaseException) -> str:
    """One Chinese sentence for a clerk (core's, shared with the command line)."""
    from app.core.error_text import describe_error

    return describe_error(exc)


def error_key(exc_type, exc, tb) -> tuple[str, str, str]:
    """Type, innermost place and text: the same bug met again has the same key."""
    frames = traceback.extract_tb(tb) if tb is not None else []
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    text = re.sub(r"^Error calling Python override of [\w:]+\(\): ", "", str(exc))  # PySide's prefix, sometimes
    return (exc_type.__name__, where, text[:200])


class ErrorReporter:
    def __init__(self, clock=time.monotonic, dialogs: bool = True):
        """``dialogs=False`` (the window's ``--check-window``): no message box; the traceback
        goes to the console as well as to the log, and ``failures`` counts it."""
        self.clock = clock
        self.dialogs = dialogs
        self.failures = 0  # errors that reached the hook, repeats included
        self.open_boxes: dict[tuple, QMessageBox] = {}
        self.closed_at: dict[tuple, float] = {}
        self.shown = 0  # messages shown (tests)
        self.keys: list[tuple] = []

    def __call__(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.failures += 1
        key = error_key(exc_type, exc, tb)
        if self._quiet(key):
            _log_repeat(key)
            return
        try:
            path = log_exception(exc_type, exc, tb)
        except OSError:
            path = None
        if QApplication.instance() is None or not self.dialogs:
            sys.__excepthook__(exc_type, exc, tb)
            return
        self._show(key, exc, path)

    def _quiet(self, key: tuple) -> bool:
        if key in self.open_boxes:
            return True
        closed = self.closed_at.get(key)
        return closed is not None and self.clock() - closed < QUIET_SECONDS

    def _show(self, key: tuple, exc: BaseException, path: Path | None) -> None:
        where = f"\n\n详细信息已记录到：{path}" if path else ""
        box = QMessageBox(
            QMessageBox.Critical,
            "程序出错",
            f"刚才的操作没有完成：{describe(exc)}{where}\n\n"
            "已保存的数据不受影响，可以继续工作。如问题反复出现，请把这个文件发给技术人员。",
            QMessageBox.Ok,
            QApplication.activeWindow(),
        )
        box.setWindowModality(Qt.NonModal)  # the window behind stays usable
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.button(QMessageBox.Ok).setText("知道了")
        box.finished.connect(lambda _r, key=key: self._closed(key))
        self.open_boxes[key] = box
        self.shown += 1
        self.keys.append(key)
        box.show()

    def _closed(self, key: tuple) -> None:
        self.open_boxes.pop(key, None)
        self.closed_at[key] = self.clock()


reporter = ErrorReporter()


def exception_hook(exc_type, exc, tb) -> None:
    """Log the error and tell the clerk in Chinese, once; the program keeps running."""
    reporter(exc_type, exc, tb)


def install_exception_hook() -> None:
    sys.excepthook = exception_hook
