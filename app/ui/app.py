"""Start the window: Qt in Chinese, an exception hook, the database checked, locked and
opened, a first-run setup, and the main window.

Start-up imports nothing heavy (matplotlib, python-docx, openpyxl load when first needed).
``run_gui(check=True)`` is the window's ``--check-window``: IT's check of an install (the
window painted, the database open in it, every page opened once, then it quits).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core import paths
from app.ui.dialogs.secret_prompt import ask_secret
from app.ui.errors import describe, error_log_path, install_exception_hook, log_exception

if TYPE_CHECKING:  # the store is imported once the window is on screen
    from app.core.storage.store import Store

log = logging.getLogger(__name__)
_translators: list[QTranslator] = []  # kept alive as long as the application


# -- Qt in Chinese ------------------------------------------------------------------------


def load_translations(app: QApplication) -> bool:
    """Qt's own dialogs and buttons in Chinese (qtbase_zh_CN), bundled or from PySide6."""
    QLocale.setDefault(QLocale(QLocale.Chinese, QLocale.China))
    for folder in (paths.resource("translations"), Path(QLibraryInfo.path(QLibraryInfo.TranslationsPath))):
        tr = QTranslator(app)
        if tr.load("qtbase_zh_CN", str(folder)):
            app.installTranslator(tr)
            _translators.append(tr)
            return True
    return False


def _log_to_file() -> None:
    """Warnings and background-task errors go to ``logs/app.log`` (a window has no console),
    ID numbers masked (``privacy.log_to_file``)."""
    from app.core.ledgers.privacy import log_to_file

    log_to_file(paths.logs_dir() / "app.log")


# -- opening the database -----------------------------------------------------------------


class Session:
    """The open database with its lock; ``close()`` backs up, releases and closes."""

    def __init__(self, path: Path, store: Store, lock=None, readonly: bool = False):
        self.path = path
        self.store = store
        self.lock = lock
        self.readonly = readonly

    def close(self, backup: bool = True) -> None:
        try:
            self.store.close()
        except Exception:
            log.exception("closing the store")
        from app.core.safety import backup as backup_mod

        if backup and not self.readonly:
            try:
                backup_mod.auto_backup(self.path)
            except Exception:
                log_exception(*sys.exc_info())
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _check_file(path: Path, checked: bool = False) -> bool:
    """``quick_check``; offer the newest good backup when the file is damaged.

    True when the file is fine or was restored; ``checked``: known damaged already."""
    from app.core.safety import backup, backup_check

    if not path.exists() or (not checked and backup_check.quick_check(path)):
        return True
    good = backup.latest_good_backup(path)
    if good is None:
        QMessageBox.critical(
            None, "数据库已损坏", f"数据库文件 {path} 已损坏，且没有找到可用的备份。\n请联系技术人员。"
        )
        return False
    answer = QMessageBox.question(
        None,
        "数据库已损坏",
        f"数据库文件已损坏。\n是否从最近的完好备份恢复？\n{good}\n（损坏的文件会另存一份）",
        QMessageBox.Yes | QMessageBox.No,
        QMessageBox.Yes,
    )
    if answer != QMessageBox.Yes:
        return False
    backup.restore(path, good)
    return True


def ask_read_only(holder: str) -> bool:
    """Someone else has the database: view it read-only (True) or quit."""
    box = QMessageBox(QMessageBox.Warning, "数据库正在使用", f"数据库正由{holder}打开。")
    box.setInformativeText("为避免两人同时修改造成混乱，现在只能以只读方式查看。")
    view = box.addButton("以只读方式打开", QMessageBox.AcceptRole)
    box.addButton("退出", QMessageBox.RejectRole)
    box.exec()
    return box.clickedButton() is view


def _take_lock(path: Path):
    """(lock, readonly) — or None when the clerk chose to quit."""
    from app.core.safety import lock as lock_mod

    try:
        return lock_mod.acquire(path), False
    except lock_mod.DatabaseInUse as exc:
        return (None, True) if ask_read_only(exc.holder) else None
    except lock_mod.LockUnavailable as exc:
        QMessageBox.information(None, "只读", str(exc))
        return None, True


def _unlock(path: Path) -> bool:
    """An encrypted database: its password (or recovery code) before it can be opened."""
    from app.core.safety import encryption
    from app.core.storage import keys

    if not keys.is_encrypted(path) or keys.known_keys(path):
        return True

    def opens(text: str) -> bool:
        return encryption.opens(path, text)

    return _answered(ask_secret(None, "法治台账", "数据库已加密，请输入密码（或恢复码）：", opens))


def _ask_password(store: Store) -> bool:
    """The opening password of a file from an earlier version (a hash, no encryption)."""
    from app.core.safety import password as pw
    from app.core.storage import keys

    if not pw.has_password(store) or (store.path is not None and keys.is_encrypted(store.path)):
        return True
    return _answered(
        ask_secret(
            None,
            "法治台账",
            "请输入密码：",  # an earlier version's password: no recovery code, nothing encrypted
            lambda text: pw.check_password(store, text),
            retry="密码不正确，请重新输入：",
        )
    )


def _answered(result: bool | None) -> bool:
    if result is None:
        QMessageBox.warning(None, "法治台账", "密码错误次数过多，程序将退出。")
    return bool(result)


def open_session(path: Path) -> Session | None:
    """Lock and open the database.  The full ``quick_check`` runs after the window is up
    (``Controller.check_in_background``: it reads the whole file); a file that will not even
    open is checked here and offered its newest good backup."""
    from app.core.storage.common import StoreError
    from app.core.storage.store import Store

    taken = _take_lock(path)
    if taken is None:
        return None
    lock, readonly = taken
    if lock is not None:
        from app.core.safety.backup import clean_leftovers

        clean_leftovers(path)  # a restore or password change that was killed left temporary copies
    if not _unlock(path):
        if lock is not None:
            lock.release()
        return None
    if lock is not None:
        from app.core.safety import encryption

        encryption.encrypt_copies(path)  # plain copies a killed password change had not reached
    try:
        store = Store.open(path, readonly=readonly)
    except StoreError as exc:
        store = None
        from app.core.safety import backup_check

        if not readonly and not backup_check.quick_check(path) and _check_file(path, True):
            try:  # restored from the newest good backup
                store = Store.open(path)
            except StoreError:
                store = None
        if store is None:
            if lock is not None:
                lock.release()
            QMessageBox.critical(None, "无法打开数据库", str(exc))
            return None
    session = Session(path, store, lock, readonly)
    if not _ask_password(store):
        session.close(backup=False)
        return None
    return session


def first_run(store: Store) -> None:
    if getattr(store, "readonly", False) or store.setting("setup_done") is not None:
        return
    from app.core.storage.query import is_empty

    if not is_empty(store):
        return
    from app.ui.dialogs.setup_dialog import SetupDialog

    dlg = SetupDialog(store)
    if dlg.exec():
        try:
            dlg.apply()
        except Exception as exc:
            QMessageBox.warning(None, "演示数据", f"演示数据没有填入：{describe(exc)}")
        if dlg.wants_excel:  # last year's workbooks in before the window: nothing to type
            from app.ui.dialogs.workbooks import bring_in_workbooks

            bring_in_workbooks(store)


# -- the application ----------------------------------------------------------------------


class Controller:
    """Owns the session and the window; reopens both after a restore from backup."""

    def __init__(self, app: QApplication, path: Path, check: bool = False):
        """``check``: ``--check-window`` (open every page once, then quit; no background
        integrity check, no daily backup)."""
        self.app = app
        self.path = path
        self.check = check
        self.session: Session | None = None
        self.window = None
        self.failed = False
        self._check = None
        self._restore_wired_to = None  # the 设置 page whose 恢复 is connected to ``restore``

    def start(self) -> bool:
        """Open the database, then the window (tests and the restore path use this order)."""
        self.session = open_session(self.path)
        if self.session is None:
            return False
        first_run(self.session.store)
        self._show(self.session.store)
        return True

    def start_window_first(self) -> None:
        """The program's own order: the window at once, the database right after its first
        paint (lock, password and first-run dialogs then appear over it)."""
        self._show(None)
        self.window.first_painted.connect(self._open_after_paint)

    def _open_after_paint(self) -> None:
        QTimer.singleShot(0, self._open)

    def _open(self) -> None:
        self.session = open_session(self.path)
        if self.session is None:
            self.failed = True
            self.app.exit(1)  # run_gui closes the window
            return
        first_run(self.session.store)
        self.window.attach(self.session.store)
        self._ready()

    def _show(self, store: Store) -> None:
        from app.ui.main_window import MainWindow

        self.window = MainWindow(store)
        self.window.page_shown.connect(self._wire_settings)
        self.window.show()
        if store is not None:
            self._ready()

    def _ready(self) -> None:
        if self.check:
            QTimer.singleShot(0, self._check_pages)
        else:
            self.window.first_painted.connect(self.check_in_background)
            if self.window.painted:
                self.check_in_background()

    def check_in_background(self) -> None:
        """``PRAGMA quick_check`` off the GUI thread once the window is up; offer a backup if bad."""
        from app.core.safety import backup_check

        if self.session is None:
            return
        from app.ui.workers import Worker

        self._check = Worker(backup_check.quick_check, self.path, readonly=self.session.readonly)
        self._check.finished.connect(self._checked)
        self._check.start()

    def _checked(self, ok: bool) -> None:
        if ok or self.window is None:
            return
        from app.core.safety import backup

        good = backup.latest_good_backup(self.path)
        if good is None:
            QMessageBox.warning(
                self.window,
                "数据库检查",
                "数据库完整性检查发现问题，且没有找到可用的备份。\n请立即在“设置”中备份，并联系技术人员。",
            )
            return
        answer = QMessageBox.warning(
            self.window,
            "数据库检查",
            f"数据库完整性检查发现问题。\n是否从最近的完好备份恢复？\n{good}\n（现有数据会先另存一份）",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.Yes,
        )
        if answer == QMessageBox.Yes:
            self.restore(str(good))

    def _check_pages(self) -> None:
        """``--check-window``: the window is painted and the database open in it.  Open every
        page of the side bar once (the program imports pages by name: one missing from an
        install fails here), say how it went in Chinese, and quit (1 if anything failed)."""
        from app.ui import errors

        window = self.window
        print(f"窗口已打开：{self.path}", flush=True)
        failed = []
        titles = window.page_titles()
        for key, title in titles.items():
            try:
                window.show_page(key)
                self.app.processEvents()
            except Exception as exc:
                log_exception(*sys.exc_info())
                failed.append(f"{title}（{describe(exc)}）")
        if errors.reporter.failures:
            failed.append(f"出错 {errors.reporter.failures} 次，详见 {error_log_path()}")
        if failed:
            print("页面打不开：" + "；".join(failed), file=sys.stderr, flush=True)
        else:
            print(f"各页均已打开（{len(titles)} 页）。", flush=True)
        self.app.exit(1 if failed else 0)

    def _wire_settings(self, key: str) -> None:
        page = self.window.pages.get(key) if self.window else None
        if key == "settings" and page is not None and page is not self._restore_wired_to:
            page.restored.connect(self.restore)
            self._restore_wired_to = page

    def restore(self, backup_file: str) -> None:
        from app.core.safety import backup

        if self.session is None:
            return
        window = self.window
        window.hide()
        store = self.session.store
        store.close()
        try:
            safety = backup.restore(self.path, backup_file)
        except Exception as exc:
            QMessageBox.warning(None, "恢复失败", f"没有恢复：{describe(exc)}\n现有数据未改变。")
            safety = False
        from app.core.storage.store import Store

        self.session.store = Store.open(self.path, readonly=self.session.readonly)
        self._show(self.session.store)  # the new window first: closing the last one would quit
        window.close()
        window.deleteLater()
        if safety is not False:
            QMessageBox.information(
                self.window, "恢复完成", "已从备份恢复。" + (f"\n恢复前的数据已备份到：{safety}" if safety else "")
            )

    def stop(self) -> None:
        if self.session is not None:
            self.session.close(backup=not self.check)
            self.session = None


def load_fonts() -> list[str]:
    """Register the bundled Chinese font (Noto Sans SC, GBK subset) with Qt.

    Windows always has a Chinese font; a Linux PC may have none, and the window would show
    boxes.  Registering costs about a millisecond and does not change the default font: Qt
    falls back to it only for characters the system fonts lack.  Returns its family names.
    """
    from PySide6.QtGui import QFontDatabase

    font_id = QFontDatabase.addApplicationFont(str(paths.resource("fonts", "NotoSansSC-GBK.otf")))
    if font_id < 0:
        logging.getLogger(__name__).warning("无法载入内置字体")
        return []
    return QFontDatabase.applicationFontFamilies(font_id)


def application() -> QApplication:
    """The Qt application as the program sets it up: in Chinese, the bundled font, the
    exception hook, warnings logged to a file (benchmarks start the window the same way)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("法治台账")
    app.setOrganizationName("FazhiTaizhang")
    app.setQuitOnLastWindowClosed(True)
    load_translations(app)
    load_fonts()
    install_exception_hook()
    _log_to_file()
    return app


def run_gui(db_path: str | None, check: bool = False) -> int:
    """The window on ``db_path`` (default: the user's database) until it is closed.

    ``check`` (``--check-window``): errors go to the console instead of message boxes, every
    page opens once, and the program quits: 0 when all went well."""
    app = application()
    if check:
        from app.ui import errors

        errors.reporter.dialogs = False
    path = Path(db_path) if db_path else paths.default_db_path()
    ctl = Controller(app, path, check=check)
    ctl.start_window_first()
    try:
        code = app.exec()
        return 1 if ctl.failed else code
    finally:
        if ctl.window is not None:
            # the loop has ended: closing the last window must not leave a quit request queued
            quit_on_close = app.quitOnLastWindowClosed()
            app.setQuitOnLastWindowClosed(False)
            ctl.window.close()
            app.setQuitOnLastWindowClosed(quit_on_close)
        ctl.stop()
