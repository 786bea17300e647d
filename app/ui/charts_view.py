"""Chart PNGs (rendered by the core charts module off the GUI thread) shown as pictures.

The program never draws with matplotlib's Qt canvas: charts are files, the same ones the
report's appendix uses, so the GUI needs neither QtSvg nor matplotlib at start-up.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget


class ChartsView(QWidget):
    """A grid of chart pictures with captions, scaled to the available width."""

    def __init__(self, columns: int = 2, parent: QWidget | None = None):
        super().__init__(parent)
        self._columns = columns
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(12)
        self._items: list[tuple[QLabel, QPixmap]] = []
        self._message = QLabel("")
        self._message.setStyleSheet("color: #777;")
        self._grid.addWidget(self._message, 0, 0)

    def show_message(self, text: str) -> None:
        self._clear()
        self._message.setText(text)
        self._message.show()

    def set_charts(self, charts: list[tuple[str, str | Path]]) -> None:
        """``charts``: (caption, png path) pairs; unreadable files are skipped."""
        self._clear()
        self._message.hide()
        n = 0
        for caption, path in charts:
            pix = QPixmap(str(path))
            if pix.isNull():
                continue
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            title = QLabel(caption)
            title.setStyleSheet("font-weight: bold;")
            pic = QLabel()
            pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
            pic.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            pic.setToolTip(str(path))
            lay.addWidget(title)
            lay.addWidget(pic)
            self._grid.addWidget(box, 1 + n // self._columns, n % self._columns)
            self._items.append((pic, pix))
            n += 1
        if not n:
            self.show_message("没有可显示的图表。")
        self._rescale()

    def chart_count(self) -> int:
        return len(self._items)

    def _clear(self) -> None:
        for pic, _ in self._items:
            box = pic.parentWidget()
            self._grid.removeWidget(box)
            box.deleteLater()
        self._items.clear()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        width = max(200, (self.width() - 12 * (self._columns - 1)) // self._columns)
        for pic, pix in self._items:
            scaled = pix.scaledToWidth(min(width, pix.width()), Qt.TransformationMode.SmoothTransformation)
            pic.setPixmap(scaled)
            pic.setMinimumHeight(scaled.height())
