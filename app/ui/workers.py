"""Run slow work off the GUI thread and hear about it through signals.

Pattern (as in OnionShare): a plain callable runs in a ``QThread``; it reports progress and
its result by signals, and polls a cancel flag.  The ``Worker`` handle stays in the GUI
thread and re-emits what the thread sends, so every slot connected to ``progress``,
``finished``, ``failed`` or ``cancelled`` runs in the GUI thread, lambdas included::

    worker = Worker(build, path)
    worker.progress.connect(bar.setValue)          # (percent, text)
    worker.finished.connect(self._done)            # the callable's return value
    worker.failed.connect(self._show_error)        # a Chinese message
    worker.start()
    ...
    def build(path):                               # runs in the worker thread
        for i, part in enumerate(parts):
            worker.check_cancelled()               # raises Cancelled once cancel() was called
            worker.report(100 * i // len(parts), f"正在处理{part}")

SQLite connections belong to the thread that opened them: a callable that needs the
database opens its own with ``thread_store(store)``.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

log = logging.getLogger(__name__)

_LIVE: set[Worker] = set()  # running workers, kept alive until their thread ends


def running_workers() -> list[Worker]:
    """The workers whose thread has not ended yet (the window waits for them when it closes)."""
    return [w for w in list(_LIVE) if w.is_running()]


# matplotlib is not thread-safe (its font manager and pyplot state are global): workers that
# draw charts (the 首页, 生成报告) take this lock so two never draw at once.
CHART_LOCK = threading.Lock()


class Cancelled(Exception):
    """Raised inside a worker's callable to stop it after ``cancel()``."""


class _Runner(QThread):
    """Runs the callable once in its own thread, no event loop: the thread ends with it.

    The signals are emitted from the worker thread; the ``Worker`` that receives them lives
    in the GUI thread, so Qt queues them there.
    """

    progress = Signal(int, str)
    done = Signal(object)
    error = Signal(str)
    stopped = Signal()

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs

    def run(self) -> None:
        try:
            result = self._fn(*self._args, **self._kwargs)
        except Cancelled:
            self.stopped.emit()
        except Exception as exc:
            log.error("后台任务出错：%s\n%s", exc, traceback.format_exc())
            self.error.emit(str(exc) or exc.__class__.__name__)
        else:
            self.done.emit(result)


class Worker(QObject):
    """A callable run once in its own ``QThread``.  Keep a reference while it runs."""

    progress = Signal(int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()
        self._cancel = threading.Event()
        self._runner = _Runner(fn, args, kwargs)
        self._thread: QThread | None = None
        self._running = False
        self._runner.progress.connect(self._on_progress)
        self._runner.done.connect(self._on_done)
        self._runner.error.connect(self._on_error)
        self._runner.stopped.connect(self._on_stopped)

    # -- from the GUI thread ------------------------------------------------------------

    def start(self, *, in_thread: bool = True) -> Worker:
        """Start the callable; ``in_thread=False`` runs it right here (memory databases)."""
        self._running = True
        _LIVE.add(self)
        if not in_thread:
            self._runner.run()
            return self
        self._thread = self._runner
        self._runner.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def is_running(self) -> bool:
        return self._running

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the thread ends (used when a window closes mid-task)."""
        if self._thread is None:
            return True
        return self._thread.wait(msecs)

    # -- from the worker thread -----------------------------------------------------------

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def report(self, percent: int | float, text: str = "") -> None:
        """Progress as 0..100 and a short Chinese description."""
        self._runner.progress.emit(max(0, min(100, int(percent))), text)

    def report_fraction(self, text: str, fraction: float) -> None:
        """Adapter for core callbacks of the form ``progress(stage, fraction)``."""
        self.report(round(100 * fraction), text)

    # -- relays (GUI thread) ----------------------------------------------------------------

    @Slot(int, str)
    def _on_progress(self, percent: int, text: str) -> None:
        self.progress.emit(percent, text)

    @Slot(object)
    def _on_done(self, result: object) -> None:
        self._end()
        self.finished.emit(result)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self._end()
        self.failed.emit(message)

    @Slot()
    def _on_stopped(self) -> None:
        self._end()
        self.cancelled.emit()

    def _end(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.wait()  # the callable has returned: only the thread's exit is left
        _LIVE.discard(self)


def run_in_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Worker:
    """``Worker(fn, *args, **kwargs).start()``."""
    return Worker(fn, *args, **kwargs).start()


@contextmanager
def thread_store(store: Store) -> Iterator[Store]:
    """A connection of its own for the current thread; the same store when it lives in memory.

    ``store.reopen()`` keeps the store's read-only state: a read-only session's workers
    never write (no journal-mode change, no write lock, no migration)."""
    if getattr(store, "path", None) is None:
        yield store
        return
    own = store.reopen()
    try:
        yield own
    finally:
        own.close()


def can_thread(store: Store) -> bool:
    """A memory database cannot be opened a second time: its work runs in the GUI thread."""
    return getattr(store, "path", None) is not None
