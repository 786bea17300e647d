"""The heading every page starts with, so all pages look alike."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

PAGE_TITLE_STYLE = "font-size: 16pt; font-weight: bold;"


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(PAGE_TITLE_STYLE)
    return label
