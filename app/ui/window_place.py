"""Where the main window opens: on the screen it fits, where the clerk left it.

An office laptop has 1366×768 (less the taskbar), often at 125 %: a fixed 1280×800 window
hangs off its bottom edge.  The window opens at most 1280×800 and never larger than the
screen's available area; its size and place are kept per PC (``window.ini`` in the data
folder, not in the database: another PC's screen is another size).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from app.core import paths

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 800)
FRAME = (16, 40)  # room for the window's border and title bar, which Qt cannot know yet


def _settings() -> QSettings:
    return QSettings(str(paths.data_dir() / "window.ini"), QSettings.IniFormat)


def available(w: QWidget) -> QRect:
    screen = w.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fits(rect: QRect, area: QRect) -> bool:
    return area.contains(rect.topLeft()) and rect.width() <= area.width() and rect.height() <= area.height()


def default_geometry(area: QRect) -> QRect:
    """The largest of 1280×800 and the screen's area (less the frame), centred on it."""
    w = min(DEFAULT_SIZE[0], area.width() - FRAME[0])
    h = min(DEFAULT_SIZE[1], area.height() - FRAME[1])
    x = area.x() + max(0, (area.width() - w) // 2)
    y = area.y() + max(0, (area.height() - h - FRAME[1]) // 2)
    return QRect(x, y, w, h)


def place_on_screen(w: QWidget) -> None:
    """The remembered place when it is on this screen and fits, else the default."""
    area = available(w)
    try:
        saved = _settings().value("main/geometry")
    except Exception:  # an unreadable file is no reason not to open
        log.exception("reading window.ini")
        saved = None
    if saved is not None and w.restoreGeometry(saved) and fits(w.geometry(), area):
        return
    g = default_geometry(area)
    w.resize(g.size())
    w.move(g.topLeft())


def remember_place(w: QWidget) -> None:
    try:
        s = _settings()
        s.setValue("main/geometry", w.saveGeometry())
        s.sync()
    except Exception:
        log.exception("writing window.ini")
