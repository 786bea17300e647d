"""Log files never hold a whole 身份证号: app.log (window and command line) and error.log,
messages and tracebacks alike, through the real paths an error takes."""

from __future__ import annotations

import logging
import sys

import pytest

from app.cli import figure_cmds, main
from app.core import paths

ID = "500230198001011234"
MASKED = "500230********1234"


@pytest.fixture
def clean_root_logger():
    """The root logger as it was: a test's file handler must not outlive the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for h in root.handlers[:]:
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)


def _log_texts() -> str:
    folder = paths.logs_dir()
    for h in logging.getLogger().handlers:
        h.flush()
    return "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.log"))


def test_command_line_error_masked_in_app_log_and_debug_output(demo_db_cli, clean_root_logger, monkeypatch, capsys):
    def broken(store, year):
        raise ValueError(f"第 3 行身份证号 {ID} 出错")

    monkeypatch.setattr(figure_cmds, "compute", broken)  # as the command finds it
    assert main(["--db", str(demo_db_cli), "--debug", "figures", "--year", "2024"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and MASKED in err and ID not in err
    logged = _log_texts()
    assert "Traceback" in logged and "ValueError" in logged
    assert MASKED in logged and ID not in logged


def test_window_errors_masked_in_app_log(qtbot, clean_root_logger, monkeypatch):
    from app.ui import app as ui_app
    from app.ui import errors as ui_errors
    from app.ui.workers import Worker

    monkeypatch.setattr(ui_errors.reporter, "dialogs", False)  # as --check-window runs
    ui_app._log_to_file()  # as run_gui does

    # a background task fails (its traceback goes to app.log)
    def task():
        raise RuntimeError(f"导入失败：{ID}")

    worker = Worker(task)
    with qtbot.waitSignal(worker.failed, timeout=10000):
        worker.start()
    # an error nobody caught reaches the exception hook, and a warning is logged with one
    monkeypatch.setattr(sys, "__excepthook__", lambda *a: None)
    try:
        raise KeyError(f"身份证号 {ID}")
    except KeyError:
        ui_errors.exception_hook(*sys.exc_info())
        logging.getLogger("app.ui.test").exception("出错的行 %s", ID)
    logged = _log_texts()
    assert "RuntimeError" in logged and "KeyError" in logged and "Traceback" in logged
    assert MASKED in logged and ID not in logged
    assert (paths.logs_dir() / "app.log").exists()


@pytest.fixture
def demo_db_cli(db_path):
    assert main(["--db", str(db_path), "demo"]) == 0
    return db_path
