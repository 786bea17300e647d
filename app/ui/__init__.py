"""The PySide6 front end over ``app.core``.

Importing any ``app.ui`` module first applies ``_guard_singleton_refcounts`` (see there).
"""

from __future__ import annotations

import sys


def _guard_singleton_refcounts() -> None:
    """Work around a PySide6 6.12.0 refcount bug on Python 3.11.

    With PySide6/shiboken6 6.12.0 on CPython 3.11 every call of a void C++ method
    (``label.setText``, ``processEvents``, ``QTest.qWait``…) drops one reference to ``None``,
    and some calls drop references to ``True``/``False``, without taking one: after a few
    thousand calls CPython aborts with "Fatal Python error: none_dealloc".  Python 3.12 made
    these singletons immortal, which is presumably why the wheels pass upstream tests.  We
    do the same here: give them a reference count no program can run down.  A no-op on 3.12+.
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for obj in (None, True, False, Ellipsis, NotImplemented):
        ref = ctypes.c_ssize_t.from_address(id(obj))
        if ref.value < 1 << 40:
            ref.value += 1 << 40


_guard_singleton_refcounts()
