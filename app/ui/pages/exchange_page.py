"""数据交换: this PC's office, 生成数据包 (ledgers, password twice, where to save) and 合并数据包
(which file, its password, a preview of 新增/更新/删除/冲突 with the conflicts listed, then
确认合并).  Packing and merging run in a worker thread with its own database connection."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.exchange.container import PackError
from app.core.exchange.merge import merge_pack
from app.core.exchange.pack import SUFFIX, is_personal, make_pack
from app.core.ledgers import catalog
from app.core.storage.keys import too_short
from app.ui.models.exchange_models import ConflictModel, MergeCountsModel
from app.ui.widgets import file_dialogs
from app.ui.widgets.titles import page_title
from app.ui.workers import Worker, can_thread, thread_store

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

OFFICES = ("司法所", "执法大队", "党政办")
FILTER = f"数据包 (*{SUFFIX})"


def pack_in_thread(store: Store, out: str, ledgers: list[str], password: str | None):
    """The pack's summary, or the ``PackError`` that refused it (a clerk's mistake, not a fault)."""
    try:
        with thread_store(store) as s:
            return make_pack(s, out, ledgers, password)
    except PackError as exc:
        return exc


def merge_in_thread(store: Store, path: str, password: str | None, dry_run: bool, progress=None):
    """The merge's result, or the ``PackError`` that refused the pack."""
    try:
        with thread_store(store) as s:
            return merge_pack(s, path, password or None, dry_run=dry_run, progress=progress)
    except PackError as exc:
        return exc


class ExchangePage(QWidget):
    status = Signal(str)
    changed = Signal(str)  # a merge wrote rows: pages that summarise data reload

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self._workers: list[Worker] = []
        self.preview = None  # the last dry run's MergeResult, for the file and password shown
        self.last_pack: Path | None = None
        self.last_merge = None
        self._build()
        self.load()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.addWidget(page_title("数据交换"))
        hint = QLabel(
            "各科室的台账在各自电脑上录入。生成数据包，用U盘或内网传到汇总的电脑上合并，"
            "年度报告就能用上全镇的数据。合并按记录编号进行，同一个数据包合并两次不会重复。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        lay.addWidget(hint)

        office_bar = QHBoxLayout()
        self.office = QComboBox()
        self.office.setEditable(True)
        self.office.addItems(OFFICES)
        self.office.setMinimumWidth(160)
        self.office.lineEdit().setPlaceholderText("如 司法所")
        self.save_office_button = QPushButton("保存科室")
        self.save_office_button.clicked.connect(self.save_office)
        office_bar.addWidget(QLabel("本机科室："))
        office_bar.addWidget(self.office)
        office_bar.addWidget(self.save_office_button)
        office_bar.addStretch(1)
        lay.addLayout(office_bar)

        row = QHBoxLayout()
        row.addWidget(self._pack_box(), 1)
        row.addWidget(self._merge_box(), 1)
        lay.addLayout(row, 1)

        bottom = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.progress_text = QLabel()
        bottom.addWidget(self.progress)
        bottom.addWidget(self.progress_text, 1)
        lay.addLayout(bottom)

    def _pack_box(self) -> QGroupBox:
        box = QGroupBox("生成数据包")
        lay = QVBoxLayout(box)
        grid = QGridLayout()
        self.ledger_checks: dict[str, QCheckBox] = {}
        for i, lg in enumerate(catalog.LEDGERS):
            check = QCheckBox(lg.name)
            check.toggled.connect(self._update_pack_hint)
            self.ledger_checks[lg.id] = check
            grid.addWidget(check, i // 2, i % 2)
        lay.addLayout(grid)
        picks = QHBoxLayout()
        self.all_button = QPushButton("全选")
        self.none_button = QPushButton("全不选")
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button.clicked.connect(lambda: self._check_all(False))
        picks.addWidget(self.all_button)
        picks.addWidget(self.none_button)
        picks.addStretch(1)
        lay.addLayout(picks)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.password_again = QLineEdit()
        self.password_again.setEchoMode(QLineEdit.Password)
        form.addRow("数据包密码：", self.password)
        form.addRow("再输一遍：", self.password_again)
        lay.addLayout(form)
        self.pack_hint = QLabel()
        self.pack_hint.setWordWrap(True)
        lay.addWidget(self.pack_hint)
        self.pack_button = QPushButton("生成数据包…")
        self.pack_button.clicked.connect(self.start_pack)
        lay.addWidget(self.pack_button)
        self.pack_result = QLabel()
        self.pack_result.setWordWrap(True)
        self.pack_result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.pack_result)
        lay.addStretch(1)
        return box

    def _merge_box(self) -> QGroupBox:
        box = QGroupBox("合并数据包")
        lay = QVBoxLayout(box)
        pick = QHBoxLayout()
        self.choose_button = QPushButton("选择数据包…")
        self.choose_button.clicked.connect(self.choose_pack)
        self.pack_path = QLabel("尚未选择")
        self.pack_path.setWordWrap(True)
        pick.addWidget(self.choose_button)
        pick.addWidget(self.pack_path, 1)
        lay.addLayout(pick)
        form = QFormLayout()
        self.merge_password = QLineEdit()
        self.merge_password.setEchoMode(QLineEdit.Password)
        self.merge_password.setPlaceholderText("数据包设有密码时填写")
        self.merge_password.textChanged.connect(self._forget_preview)
        self.merge_password.returnPressed.connect(self.start_preview)
        form.addRow("数据包密码：", self.merge_password)
        lay.addLayout(form)
        self.preview_button = QPushButton("预览")
        self.preview_button.setEnabled(False)
        self.preview_button.clicked.connect(self.start_preview)
        lay.addWidget(self.preview_button)
        self.counts = QLabel()
        self.counts.setStyleSheet("font-size: 13pt;")
        self.counts.setWordWrap(True)
        lay.addWidget(self.counts)
        self.counts_model = MergeCountsModel(self)
        self.counts_table = QTableView()
        self.counts_table.setModel(self.counts_model)
        self.counts_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.counts_table.verticalHeader().hide()
        self.counts_table.horizontalHeader().setStretchLastSection(True)
        self.counts_table.hide()
        lay.addWidget(self.counts_table, 1)
        self.conflict_label = QLabel(
            "冲突（两边都改过的记录，较晚的修改生效，另一方的值记入操作日志；数据无效的记录不合并，原因见“结果”）："
        )
        self.conflict_label.setWordWrap(True)
        self.conflict_label.hide()
        lay.addWidget(self.conflict_label)
        self.conflict_model = ConflictModel(self)
        self.conflicts = QTableView()
        self.conflicts.setModel(self.conflict_model)
        self.conflicts.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.conflicts.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.conflicts.horizontalHeader().setStretchLastSection(True)
        self.conflicts.hide()
        lay.addWidget(self.conflicts, 1)
        self.merge_button = QPushButton("确认合并")
        self.merge_button.setEnabled(False)
        self.merge_button.clicked.connect(self.start_merge)
        lay.addWidget(self.merge_button)
        self.merge_result = QLabel()
        self.merge_result.setWordWrap(True)
        lay.addWidget(self.merge_result)
        lay.addStretch(1)
        return box

    # -- state ----------------------------------------------------------------------------

    def load(self) -> None:
        self.office.setCurrentText(self.store.setting("office") or "")
        if not self.store.setting("office"):
            self.office.setCurrentIndex(-1)
        for lg in catalog.LEDGERS:
            has_rows = self.store.conn.execute(f'SELECT 1 FROM "{lg.id}" LIMIT 1').fetchone() is not None
            self.ledger_checks[lg.id].setChecked(has_rows)
        self._update_pack_hint()

    def refresh(self) -> None:
        self.load()

    def focus_main(self) -> None:
        self.office.setFocus()

    def chosen_ledgers(self) -> list[str]:
        return [k for k, c in self.ledger_checks.items() if c.isChecked()]

    def _check_all(self, on: bool) -> None:
        for c in self.ledger_checks.values():
            c.setChecked(on)

    def _update_pack_hint(self, *_args) -> None:
        personal = [catalog.get(k).name for k in self.chosen_ledgers() if is_personal(k)]
        if personal:
            text = f"含{'、'.join(personal)}（个人信息）：必须设置密码，把密码另行告诉对方（不要和数据包放在一起）。"
        else:
            text = "不含个人信息：可以不设密码。"
        self.pack_hint.setText(text)

    def save_office(self) -> bool:
        name = self.office.currentText().strip()
        if not name:
            QMessageBox.warning(self, "数据交换", "请填写本机所在的科室，如 司法所、执法大队、党政办。")
            return False
        self.store.set_setting("office", name)
        self.status.emit(f"本机科室：{name}")
        return True

    def _busy(self, on: bool, text: str = "") -> None:
        for w in (self.pack_button, self.choose_button, self.save_office_button):
            w.setEnabled(not on)
        self.preview_button.setEnabled(not on and self._chosen_path() is not None)
        if on:
            self.merge_button.setEnabled(False)
        self.progress.setVisible(on)
        self.progress.setValue(0)
        self.progress_text.setText(text)

    def _run(self, worker: Worker) -> None:
        self._workers = [w for w in self._workers if w.is_running()]
        self._workers.append(worker)
        worker.progress.connect(self._on_progress)
        worker.start(in_thread=can_thread(self.store))

    def _on_progress(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        self.progress_text.setText(text)

    # -- 生成数据包 --------------------------------------------------------------------------

    def ask_save_path(self) -> str:
        office = self.store.setting("office") or "本机"
        suggested = str(Path.home() / f"{self.store.setting('town') or ''}{office}数据包{SUFFIX}")
        path = file_dialogs.save_file_name(self, "保存数据包", suggested, FILTER, folder="packs")
        if path and not path.endswith(SUFFIX):
            path += SUFFIX
        return path

    def start_pack(self) -> None:
        typed = self.office.currentText().strip()
        if typed != (self.store.setting("office") or "") and not self.save_office():
            return
        ledgers = self.chosen_ledgers()
        if not ledgers:
            QMessageBox.warning(self, "生成数据包", "请至少选择一个台账。")
            return
        password = self.password.text()
        if password != self.password_again.text():
            QMessageBox.warning(self, "生成数据包", "两次输入的密码不一致，请重新输入。")
            self.password_again.clear()
            self.password_again.setFocus()
            return
        short = too_short(password, "数据包密码") if password else None
        if short:
            QMessageBox.warning(self, "生成数据包", short)
            self.password.setFocus()
            return
        personal = [catalog.get(k).name for k in ledgers if is_personal(k)]
        if not password and personal:
            text = f"数据包含有{'、'.join(personal)}（个人信息），请设置密码（输入两遍）。"
            QMessageBox.warning(self, "生成数据包", text)
            self.password.setFocus()
            return
        path = self.ask_save_path()
        if not path:
            return
        self._busy(True, "正在生成数据包…")
        worker = Worker(pack_in_thread, self.store, path, ledgers, password or None)
        worker.finished.connect(self._pack_done)
        worker.failed.connect(lambda message: self._failed("生成数据包", message))
        self._run(worker)

    def _pack_done(self, summary) -> None:
        if isinstance(summary, PackError):
            self._failed("生成数据包", str(summary))
            return
        self._busy(False)
        self.last_pack = summary.path
        self.pack_result.setText(summary.describe())
        self.status.emit(f"已生成数据包：{summary.path.name}")

    def _failed(self, title: str, message: str) -> None:
        self._busy(False)
        QMessageBox.warning(self, title, message)

    # -- 合并数据包 --------------------------------------------------------------------------

    def ask_open_path(self) -> str:
        path = file_dialogs.open_file_name(self, "选择数据包", "", f"{FILTER};;所有文件 (*)", folder="packs")
        return path

    def choose_pack(self) -> None:
        path = self.ask_open_path()
        if not path:
            return
        self.pack_path.setText(path)
        self._forget_preview()
        self.preview_button.setEnabled(True)
        self.merge_password.setFocus()
        self.start_preview()

    def _chosen_path(self) -> str | None:
        text = self.pack_path.text()
        return None if text == "尚未选择" else text

    def _forget_preview(self, *_args) -> None:
        self.preview = None
        self.merge_button.setEnabled(False)
        self.counts.clear()
        self.counts_model.set_counts({})
        self.counts_table.hide()
        self.conflict_model.set_conflicts([])
        self.conflicts.hide()
        self.conflict_label.hide()

    def start_preview(self) -> None:
        path = self._chosen_path()
        if path is None:
            return
        self._forget_preview()
        self.merge_result.clear()
        self._busy(True, "正在读取数据包…")
        worker = Worker(merge_in_thread, self.store, path, self.merge_password.text(), True)
        worker.finished.connect(self._preview_done)
        worker.failed.connect(self._preview_failed)
        self._run(worker)

    def _preview_failed(self, message: str) -> None:
        self._busy(False)
        if "设有密码" in message and not self.merge_password.text():
            self.counts.setText("这个数据包设有密码：请输入密码，再点“预览”。")
            self.merge_password.setFocus()
            return
        self.counts.setText(message)
        self.counts.setStyleSheet("font-size: 13pt; color: #b00;")

    def _preview_done(self, result) -> None:
        if isinstance(result, PackError):
            self._preview_failed(str(result))
            return
        self._busy(False)
        self.preview = result
        self.counts.setStyleSheet("font-size: 13pt;")
        made = (result.created_at or "").replace("T", " ")
        self.counts.setText(f"来自{result.town}{result.office}（生成于 {made}）\n{result.summary()}")
        self.counts_model.set_counts(result.counts)
        self.counts_table.setVisible(bool(result.counts))
        self.counts_table.resizeColumnsToContents()
        has_conflicts = bool(result.conflicts)
        self.conflict_model.set_conflicts(result.conflicts)
        self.conflicts.setVisible(has_conflicts)
        self.conflict_label.setVisible(has_conflicts)
        self.conflicts.resizeColumnsToContents()
        nothing = result.changes == 0 and not result.conflicts
        self.merge_button.setEnabled(not nothing)
        if nothing:
            self.merge_result.setText("没有需要合并的变化（这个数据包已经合并过）。")
        else:
            self.merge_button.setFocus()

    def start_merge(self) -> None:
        path = self._chosen_path()
        if path is None or self.preview is None:
            return
        self._busy(True, "正在合并…")
        password = self.merge_password.text()
        worker = Worker(lambda: merge_in_thread(self.store, path, password, False, worker.report_fraction))
        worker.finished.connect(self._merge_done)
        worker.failed.connect(lambda message: self._failed("合并数据包", message))
        self._run(worker)

    def _merge_done(self, result) -> None:
        if isinstance(result, PackError):
            self._failed("合并数据包", str(result))
            return
        self._busy(False)
        self.last_merge = result
        self.merge_button.setEnabled(False)
        self.preview = None
        text = f"已合并：{result.summary()}。"
        if result.conflicts:
            text += "冲突记录中未采用的一方的值已记入操作日志。"
        self.merge_result.setText(text)
        self.status.emit(f"已合并数据包 {result.file}：{result.summary()}")
        self.changed.emit("")
