"""No optional safety: without the lock or password module the window does not open the
database unlocked or unguarded; it fails loudly."""

from __future__ import annotations

import sys

import pytest

from app.core.storage.store import Store


@pytest.mark.parametrize("module", ["app.core.safety.lock", "app.core.safety.password", "app.core.safety.backup"])
def test_window_refuses_to_run_without_a_safety_module(qtbot, db_path, monkeypatch, module):
    from app.ui import app as ui_app

    Store.open(db_path).close()
    monkeypatch.setitem(sys.modules, module, None)  # as if the module were missing from the build
    parent, _, name = module.rpartition(".")
    monkeypatch.delattr(sys.modules[parent], name, raising=False)
    with pytest.raises(ImportError):
        session = ui_app.open_session(db_path)
        if session is not None:  # opened without the module: close, then fail the test
            session.close(backup=True)


def test_settings_page_uses_the_safety_modules_themselves(qtbot, store):
    from app.core.safety import backup, password
    from app.ui.pages.settings_page import SettingsPage

    page = SettingsPage(store)
    qtbot.addWidget(page)
    assert page.backup is backup and page.password is password
