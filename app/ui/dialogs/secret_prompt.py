"""Asking for a password (or recovery code) a few times: one place for the opening
password, the encrypted database and an encrypted backup."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

RETRY = "密码或恢复码不正确，请重新输入密码（或恢复码）："


def ask_secret(
    parent: QWidget | None,
    title: str,
    label: str,
    accepts: Callable[[str], bool],
    tries: int = 3,
    retry: str = RETRY,
) -> bool | None:
    """True once ``accepts(text)`` holds, False if the clerk cancels, None after ``tries``
    wrong answers.  The second prompt still offers the recovery code (``retry``)."""
    for attempt in range(tries):
        text, ok = QInputDialog.getText(parent, title, label if attempt == 0 else retry, QLineEdit.Password)
        if not ok:
            return False
        if accepts(text):
            return True
    return None
