"""The main window: a side bar of pages (首页, the ledgers by group, 年度报告, 设置, 回收站,
操作日志) and a stack that creates each page the first time it is shown.

Each page's module is imported only when the page is first opened (start-up stays light;
``--check-window`` opens every page once to prove they are all installed).  A page may have an
``open_rows(str, list)`` signal: the main window then shows those rows of that ledger.
"""

from __future__ import annotations

import importlib
import logging
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.core.ledgers import catalog
from app.ui.window_place import place_on_screen, remember_place

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

log = logging.getLogger(__name__)

# how long a closing window waits, in all, for cancelled background work to end
STOP_WORKERS_MS = 5000

# page key -> (module, class) of pages in their own modules, imported when first opened; a
# ledger's overview page (``Ledger.overview``) has the ledger's id for its key
EXTERNAL_PAGES = {
    "home": ("app.ui.pages.dashboard", "DashboardPage"),
    "report": ("app.ui.pages.report_page", "ReportPage"),
    "returns": ("app.ui.pages.returns_page", "ReturnsPage"),
    "key_persons": ("app.ui.pages.key_persons_page", "KeyPersonsPage"),
    "exchange": ("app.ui.pages.exchange_page", "ExchangePage"),
}
# Qt.UserRole + 1, spelt as a number.  ``from PySide6.QtCore import Qt`` builds the whole Qt
# namespace (~14 ms, a tenth of a bare window's start-up): nothing before the first paint
# needs it, so this module imports it only inside the functions that run later.
KEY_ROLE = 0x0100 + 1


def fit_to_screen(page: QWidget) -> QWidget:
    """The page in a scroll area: it fills the window, and scrolls rather than push the
    window past a small screen when its minimum size is larger (1280×720 at 125 %)."""
    from PySide6.QtWidgets import QFrame, QScrollArea

    holder = QScrollArea()
    holder.setWidgetResizable(True)
    holder.setFrameShape(QFrame.NoFrame)
    holder.setWidget(page)
    return holder


class MainWindow(QMainWindow):
    page_shown = Signal(str)
    first_painted = Signal()  # the window is on screen; the 首页 is built right after
    attached = Signal()  # the database is open in the window

    def __init__(self, store: Store | None = None, parent: QWidget | None = None, start_page: str = "home"):
        """``store`` may come later (``attach``): the program shows its window first and opens
        the database right after, so the clerk sees it at once.  ``start_page``: the page
        shown first once both are there."""
        super().__init__(parent)
        self.store = None
        self.start_page = start_page
        self.pages: dict[str, QWidget] = {}
        self._items: dict[str, QTreeWidgetItem] = {}
        self._painted = False
        self._closing = False
        self.setWindowTitle("法治台账")
        self._build()
        place_on_screen(self)
        self.nav.setEnabled(False)
        if store is not None:
            self.attach(store)

    def attach(self, store: Store) -> None:
        """The database is open: show its name and let the pages in."""
        self.store = store
        self.update_title()
        self.nav.setEnabled(True)
        if self._painted:
            QTimer.singleShot(0, self._open_start_page)
        self.attached.emit()

    @property
    def painted(self) -> bool:
        """The window has been on screen (``first_painted`` has fired)."""
        return self._painted

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()
            # the 首页 starts its (threaded) figures and charts only once the window is up
            QTimer.singleShot(0, self._open_start_page)

    def _open_start_page(self) -> None:
        from PySide6.QtCore import Qt

        if self.store is None:
            return  # ``attach`` opens it

        for item in self._headers:  # group names are headings, not pages
            item.setFlags(Qt.ItemIsEnabled)
        if self.stack.currentWidget() is None and not self._closing:
            self.show_page(self.start_page if self.start_page in self._items else "home")

    def update_title(self) -> None:
        title = f"法治台账 — {self.store.issuer or '未设置单位名称'}"
        if getattr(self.store, "readonly", False):
            title += "（只读）"
        self.setWindowTitle(title)

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.nav = QTreeWidget()
        self.nav.setHeaderHidden(True)
        self.nav.setRootIsDecorated(False)
        self.nav.setIndentation(14)
        self.nav.setMinimumWidth(190)
        self.nav.setMaximumWidth(260)
        self._headers: list[QTreeWidgetItem] = []

        def top(key: str | None, text: str) -> QTreeWidgetItem:
            item = QTreeWidgetItem([text])
            if key:
                item.setData(0, KEY_ROLE, key)
                self._items[key] = item
            else:
                self._headers.append(item)
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
            self.nav.addTopLevelItem(item)
            return item

        top("home", "首页")
        for group in catalog.GROUPS:
            g = top(None, group)
            for lg in catalog.LEDGERS:  # a ledger's own overview page (重点人群总览) leads its group
                if lg.group == group and lg.overview:
                    self._child(g, lg.id, lg.overview)
            for lg in catalog.LEDGERS:
                if lg.group == group:
                    self._child(g, f"ledger:{lg.id}", lg.name)
        top("report", "年度报告")
        top("returns", "报表")
        top("exchange", "数据交换")
        top("settings", "设置")
        top("recycle", "回收站")
        top("audit", "操作日志")
        for item in self._headers:
            item.setExpanded(True)  # per item: expandAll() costs ~8 ms of start-up
        self.nav.currentItemChanged.connect(self._nav_changed)
        self.nav.itemActivated.connect(self._nav_activated)  # Enter: into the page

        self.stack = QStackedWidget()
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

        go_nav = QAction(self)
        go_nav.setShortcut(QKeySequence("Ctrl+L"))
        go_nav.triggered.connect(lambda _checked=False: self.nav.setFocus())
        self.addAction(go_nav)

        help_menu = self.menuBar().addMenu("帮助(&H)")
        self.act_guide = QAction("使用指南", self)
        self.act_guide.setShortcut(QKeySequence("F1"))
        self.act_guide.triggered.connect(lambda _checked=False: self.show_help())
        help_menu.addAction(self.act_guide)
        self.addAction(self.act_guide)  # F1 works with the menu closed
        about = QAction("关于法治台账", self)
        about.triggered.connect(lambda _checked=False: self.show_about())
        help_menu.addAction(about)
        self._help = None

    def page_titles(self) -> dict[str, str]:
        """Every page of the side bar: key -> its name there, in order."""
        return {key: item.text(0) for key, item in self._items.items()}

    def show_help(self):
        """The guide (resources/help/guide.html) beside the window; one, raised if open."""
        from app.ui.dialogs.help_dialog import HelpDialog

        if self._help is None:
            self._help = HelpDialog(self)
        self._help.show()
        self._help.raise_()
        self._help.activateWindow()
        return self._help

    def show_about(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        from PySide6.QtWidgets import QMessageBox

        try:
            number = version("fazhi-taizhang")
        except PackageNotFoundError:
            number = ""
        QMessageBox.about(
            self,
            "关于法治台账",
            f"法治台账 {number}".strip() + "\n\n乡镇法治工作台账与年度《法治政府建设情况报告》。\n"
            "全部数据保存在本机，不需要联网。按 F1 查看使用指南。",
        )

    def _child(self, parent: QTreeWidgetItem, key: str, text: str) -> None:
        item = QTreeWidgetItem([text])
        item.setData(0, KEY_ROLE, key)
        parent.addChild(item)
        self._items[key] = item

    def _nav_changed(self, item: QTreeWidgetItem | None, _prev) -> None:
        if item is None or not self._painted or self._closing:
            return  # the tree picks its first item when shown; pages wait for the first paint
        key = item.data(0, KEY_ROLE)
        if key:
            self.show_page(key)

    def _nav_activated(self, _item, _column: int = 0) -> None:
        page = self.current_page()
        if page is None:
            return
        if hasattr(page, "focus_main"):
            page.focus_main()
        else:
            page.setFocus()
            page.focusNextChild()

    # -- pages ----------------------------------------------------------------------------

    def show_page(self, key: str) -> QWidget:
        page = self.pages.get(key)
        if page is None:
            page = self._make_page(key)
            self.pages[key] = page
            self.stack.addWidget(fit_to_screen(page))
        self.stack.setCurrentWidget(self._holder(page))
        item = self._items.get(key)
        if item is not None and self.nav.currentItem() is not item:
            self.nav.blockSignals(True)
            self.nav.setCurrentItem(item)
            self.nav.blockSignals(False)
        self.status_label.clear()  # the page says its own count, if it has one
        if getattr(page, "refresh_on_show", False) or (getattr(page, "stale", False) and hasattr(page, "refresh")):
            page.stale = False
            page.refresh()
        if hasattr(page, "update_count"):
            page.update_count()
        elif hasattr(page, "on_shown"):
            page.on_shown()
        self.page_shown.emit(key)
        return page

    def current_key(self) -> str | None:
        page = self.current_page()
        return next((k for k, p in self.pages.items() if p is page), None)

    def _holder(self, page: QWidget) -> QWidget:
        return next(self.stack.widget(i) for i in range(self.stack.count()) if self.stack.widget(i).widget() is page)

    def current_page(self) -> QWidget | None:
        holder = self.stack.currentWidget()
        return holder.widget() if holder is not None else None

    def _make_page(self, key: str) -> QWidget:
        makers: dict[str, Callable[[], QWidget]] = {
            "settings": self._settings_page,
            "recycle": self._recycle_page,
            "audit": self._audit_page,
        }
        if key.startswith("ledger:"):
            from app.ui.pages.ledger_page import LedgerPage

            page = LedgerPage(self.store, key.split(":", 1)[1])
        elif key in makers:
            page = makers[key]()
        elif key in EXTERNAL_PAGES:
            page = self._external(*EXTERNAL_PAGES[key])
        else:
            raise KeyError(f"没有这一页：{key}")
        self._wire(page)
        return page

    def _external(self, module: str, cls: str) -> QWidget:
        mod = importlib.import_module(module)
        return getattr(mod, cls)(self.store)

    def _settings_page(self) -> QWidget:
        from app.ui.pages.settings_page import SettingsPage

        page = SettingsPage(self.store)
        page.saved.connect(self.update_title)
        return page

    def _recycle_page(self) -> QWidget:
        from app.ui.pages.recycle_page import RecyclePage

        return RecyclePage(self.store)

    def _audit_page(self) -> QWidget:
        from app.ui.pages.audit_page import AuditPage

        return AuditPage(self.store)

    def _wire(self, page: QWidget) -> None:
        if hasattr(page, "status"):
            page.status.connect(self.show_status)
        if hasattr(page, "open_rows"):
            page.open_rows.connect(self.open_rows)
        if hasattr(page, "changed"):
            page.changed.connect(self.data_changed)
        if hasattr(page, "visit_recorded"):  # 重点人群 records 走访 itself
            page.visit_recorded.connect(self._visit_recorded)

    def _visit_recorded(self, _row_id: int) -> None:
        self.data_changed("visits")

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def open_ledger(self, ledger_id: str):
        return self.show_page(f"ledger:{catalog.get(ledger_id).id}")

    def open_rows(self, ledger_id: str, ids: list) -> None:
        """Show these rows of a ledger (from a figure, a to-do or a check finding)."""
        page = self.open_ledger(ledger_id)
        if hasattr(page, "show_only"):
            page.show_only([int(i) for i in ids])

    def data_changed(self, ledger_id: str = "") -> None:
        """After a write: pages that summarise data reload when next shown."""
        for page in self.pages.values():
            if page is self.current_page():
                continue
            if hasattr(page, "mark_stale"):
                page.mark_stale()
            elif hasattr(page, "refresh"):
                page.stale = True  # refreshed when next shown

    def closeEvent(self, event) -> None:
        self._closing = True
        remember_place(self)
        self.stop_workers()
        super().closeEvent(event)

    def stop_workers(self, msecs: int = STOP_WORKERS_MS) -> None:
        """Cancel background work and wait for it once, ``msecs`` in all (not per worker):
        a closing window must not hang on work that does not look at its cancel flag.  A
        thread still running then is abandoned: it stays referenced (``workers.running_workers()``), so
        it is never destroyed while it runs, and its late results reach nobody."""
        from app.ui import workers

        running = workers.running_workers()
        for page in self.pages.values():
            running += [w for w in getattr(page, "_workers", []) if w.is_running() and w not in running]
        for w in running:
            w.cancel()
            thread = getattr(w, "_thread", None)
            if thread is not None:  # ends the thread's loop once its callable returns
                thread.quit()
        deadline = time.monotonic() + msecs / 1000
        for w in running:
            w.wait(max(0, round((deadline - time.monotonic()) * 1000)))
            with warnings.catch_warnings():  # PySide warns about signals with no slots
                warnings.simplefilter("ignore", RuntimeWarning)
                for sig in (w.finished, w.failed, w.progress, w.cancelled):
                    try:  # their pages are going away: late results must not reach them
                        sig.disconnect()
                    except (RuntimeError, TypeError):
                        pass
