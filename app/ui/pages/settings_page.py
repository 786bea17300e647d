"""设置: office names, 村（社区） list, 主送机关, font scheme, extra choices, backups, password.

Backups and the password come from ``app.core.safety.backup`` / ``app.core.safety.password``; each button
is there only when its module is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.ledgers import catalog
from app.core.safety import backup, encryption, password
from app.core.safety.backup_check import backup_summary
from app.core.storage import keys
from app.ui.dialogs.secret_prompt import ask_secret
from app.ui.widgets.file_dialogs import existing_directory, open_file_name, save_file_name
from app.ui.widgets.titles import page_title

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

FONT_SCHEMES = (
    ("gb2312", "公文标准字体（方正小标宋简体、仿宋_GB2312、楷体_GB2312）"),
    ("windows", "Windows 自带字体（仿宋、楷体、黑体、宋体）"),
)


def auto_scheme_text() -> str:
    """The 自动 choice, saying what this PC has and so what it picks."""
    from app.core.report.installed_fonts import has_gb2312_fonts

    if has_gb2312_fonts():
        return "按本机字体自动选择（本机已安装公文标准字体，使用公文标准字体）"
    return "按本机字体自动选择（本机未安装公文标准字体，使用 Windows 自带字体）"


def lines(text: str) -> list[str]:
    out: list[str] = []
    for line in text.replace("、", "\n").splitlines():
        line = line.strip()
        if line and line not in out:
            out.append(line)
    return out


class SettingsPage(QWidget):
    status = Signal(str)
    saved = Signal()
    restored = Signal(str)  # the database file was replaced from a backup (path of the backup)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.backup = backup  # the safety modules are part of the program, never optional
        self.password = password
        self.readonly = bool(getattr(store, "readonly", False))
        self._build()
        self.load()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        title = page_title("设置")
        outer.addWidget(title)
        body = QWidget()
        lay = QVBoxLayout(body)

        office = QGroupBox("单位")
        form = QFormLayout(office)
        self.county = QLineEdit()
        self.town = QLineEdit()
        self.issuer = QLineEdit()
        self.county.setPlaceholderText("如：丰都县")
        self.town.setPlaceholderText("如：武平镇")
        self.issuer.setPlaceholderText("留空则为：县（区）名称 + 乡镇（街道）名称 + 人民政府")
        form.addRow("县（区）名称：", self.county)
        form.addRow("乡镇（街道）名称：", self.town)  # the same words as the first-run setup
        form.addRow("发文机关全称：", self.issuer)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("印在报表的填报单位之后，如：023-70123456")
        form.addRow("联系电话：", self.phone)
        self.villages = QPlainTextEdit()
        self.villages.setPlaceholderText("每行一个村（社区），录入时可自动补全")
        self.villages.setFixedHeight(110)
        form.addRow("村（社区）：", self.villages)
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("如：丰都县人民政府；留空则报告不列主送机关")
        form.addRow("主送机关：", self.recipient)
        self.font_scheme = QComboBox()
        for key, text in (("auto", auto_scheme_text()), *FONT_SCHEMES):
            self.font_scheme.addItem(text, key)
        self.font_scheme.setToolTip(
            "没有安装方正小标宋简体、仿宋_GB2312、楷体_GB2312 的电脑，请用 Windows 自带字体；"
            "报告在其他电脑上打开时，Word 会以仿宋、楷体、宋体代替未安装的字体。"
        )
        form.addRow("报告字体：", self.font_scheme)
        lay.addWidget(office)

        choices = QGroupBox("选项列表（可在默认选项之外增加）")
        cl = QFormLayout(choices)
        self.choice_field = QComboBox()
        for lg in catalog.LEDGERS:
            for f in lg.fields:
                if f.kind == "choice":
                    self.choice_field.addItem(f"{lg.name} — {f.label}", f"{lg.id}.{f.key}")
        self.choice_defaults = QLabel()
        self.choice_defaults.setWordWrap(True)
        self.choice_defaults.setStyleSheet("color: #666;")
        self.choice_extra = QPlainTextEdit()
        self.choice_extra.setPlaceholderText("每行一个新增选项")
        self.choice_extra.setFixedHeight(80)
        self.choice_field.currentIndexChanged.connect(self._show_choice)
        self._extras: dict[tuple[str, str], list[str]] = {}
        self.choice_extra.textChanged.connect(self._keep_choice)
        cl.addRow("字段：", self.choice_field)
        cl.addRow("默认选项：", self.choice_defaults)
        cl.addRow("新增选项：", self.choice_extra)
        lay.addWidget(choices)

        save_row = QHBoxLayout()
        self.save_button = QPushButton("保存设置")
        self.save_button.setEnabled(not self.readonly)
        self.save_button.clicked.connect(self.save)
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        lay.addLayout(save_row)

        backups = QGroupBox("备份")
        bl = QFormLayout(backups)
        self.backup_dir = QLineEdit()
        self.backup_dir.setPlaceholderText("留空则为数据库所在文件夹下的 backups")
        pick = QPushButton("选择…")
        pick.clicked.connect(self._pick_backup_dir)
        row = QHBoxLayout()
        row.addWidget(self.backup_dir, 1)
        row.addWidget(pick)
        bl.addRow("备份文件夹：", row)
        self.backup_now = QPushButton("立即备份")
        self.backup_now.setToolTip("备份到上面的备份文件夹")
        self.backup_to = QPushButton("备份到…")
        self.backup_to.setToolTip("选择位置另存一份备份，如U盘")
        self.restore_button = QPushButton("从备份恢复…")
        self.backup_now.clicked.connect(lambda: self.make_backup())
        self.backup_to.clicked.connect(lambda: self.backup_elsewhere())
        self.restore_button.clicked.connect(lambda: self.restore_backup())
        brow = QHBoxLayout()
        brow.addWidget(self.backup_now)
        brow.addWidget(self.backup_to)
        brow.addWidget(self.restore_button)
        brow.addStretch(1)
        bl.addRow("", brow)
        hint = QLabel("程序关闭时每天自动备份一次。")
        hint.setStyleSheet("color: #666;")
        bl.addRow("", hint)
        has_backup = self.store.path is not None
        self.backup_now.setEnabled(has_backup)
        self.backup_to.setEnabled(has_backup)
        self.restore_button.setEnabled(has_backup and not self.readonly)
        lay.addWidget(backups)

        pw = QGroupBox("密码（数据加密保存）")
        pl = QHBoxLayout(pw)
        self.password_state = QLabel()
        self.set_password_button = QPushButton("设置密码…")
        self.clear_password_button = QPushButton("清除密码")
        self.set_password_button.clicked.connect(lambda: self.change_password())
        self.clear_password_button.clicked.connect(lambda: self.change_password(clear=True))
        pl.addWidget(self.password_state, 1)
        pl.addWidget(self.set_password_button)
        pl.addWidget(self.clear_password_button)
        lay.addWidget(pw)
        lay.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

    # -- values ---------------------------------------------------------------------------

    def load(self) -> None:
        s = self.store
        self.county.setText(s.setting("county") or "")
        self.town.setText(s.setting("town") or "")
        self.issuer.setText(s.setting("issuer") or "")
        self.phone.setText(s.setting("phone") or "")
        self.villages.setPlainText("\n".join(s.setting("villages") or []))
        self.recipient.setText(s.setting("report.recipient") or "")
        i = self.font_scheme.findData(s.setting("report.font_scheme") or "auto")
        self.font_scheme.setCurrentIndex(max(0, i))
        self.backup_dir.setText(s.setting("backup_dir") or "")
        self._extras = {}
        self._show_choice()
        self._show_password()

    def _show_choice(self, _i: int = 0) -> None:
        ledger_id, key = self.choice_field.currentData().split(".")
        f = catalog.get(ledger_id).field(key)
        self.choice_defaults.setText("、".join(f.choices))
        extra = self._extras.get((ledger_id, key))
        if extra is None:
            extra = list(self.store.setting(f"choices.{ledger_id}.{key}", []) or [])
        self.choice_extra.blockSignals(True)
        self.choice_extra.setPlainText("\n".join(extra))
        self.choice_extra.blockSignals(False)

    def _keep_choice(self) -> None:
        ledger_id, key = self.choice_field.currentData().split(".")
        self._extras[(ledger_id, key)] = lines(self.choice_extra.toPlainText())

    def _show_password(self) -> None:
        on = self.password.has_password(self.store)
        self.password_state.setText(
            "已设置密码：数据库文件及其备份加密保存，打开时需要输入。"
            if on
            else "未设置密码：数据库文件中的身份证号等信息以明文保存。"
        )
        self.set_password_button.setText("修改密码…" if on else "设置密码…")
        self.set_password_button.setEnabled(not self.readonly)
        self.clear_password_button.setEnabled(on and not self.readonly)

    def save(self) -> None:
        s = self.store
        values = {
            "county": self.county.text().strip(),
            "town": self.town.text().strip(),
            "issuer": self.issuer.text().strip(),
            "phone": self.phone.text().strip(),
            "villages": lines(self.villages.toPlainText()),
            "report.recipient": self.recipient.text().strip().rstrip("：:").strip(),
            "report.font_scheme": self.font_scheme.currentData(),
            "backup_dir": self.backup_dir.text().strip(),
        }
        if not values["county"] or not values["town"]:
            QMessageBox.warning(self, "设置", "请填写县（区）名称和乡镇（街道）名称。")
            return
        with s.transaction():
            for key, value in values.items():
                if s.setting(key) != value:
                    s.set_setting(key, value)
            for (ledger_id, key), extra in self._extras.items():
                defaults = catalog.get(ledger_id).field(key).choices
                extra = [c for c in extra if c not in defaults]
                if list(s.setting(f"choices.{ledger_id}.{key}", []) or []) != extra:
                    s.set_setting(f"choices.{ledger_id}.{key}", extra)
        self._extras = {}
        self.status.emit("设置已保存")
        self.saved.emit()

    # -- backups and password ---------------------------------------------------------------

    def _pick_backup_dir(self) -> None:
        folder = existing_directory(self, "选择备份文件夹", self.backup_dir.text() or str(Path.home()))
        if folder:
            self.backup_dir.setText(folder)

    def make_backup(self, dest: str | None = None) -> Path | None:
        if self.store.path is None:
            return None
        try:
            path = self.backup.make_backup(self.store.path, dest)
        except Exception as exc:
            QMessageBox.warning(self, "备份失败", str(exc))
            return None
        self.status.emit(f"已备份到 {path}")
        QMessageBox.information(self, "备份", f"已备份到：\n{path}")
        return path

    def backup_elsewhere(self) -> Path | None:
        """备份到…: a file the clerk picks (a USB drive, another folder)."""
        if self.backup is None or self.store.path is None:
            return None
        name = f"法治台账备份{dt.date.today():%Y%m%d}.db"
        start = str(Path(self.backup_dir.text() or Path.home()) / name)
        path = save_file_name(self, "备份到", start, "备份文件 (*.db)")
        if not path:
            return None
        if not path.lower().endswith(".db"):
            path += ".db"
        return self.make_backup(path)

    def restore_backup(self, path: str | None = None) -> bool:
        """Replace the data with a backup; the program restarts on the restored file."""
        if self.store.path is None:
            return False
        if path is None:
            folder = str(self.backup.backups_dir(self.store.path))
            path = open_file_name(self, "选择备份文件", folder, "备份文件 (*.db *.sqlite);;所有文件 (*)")
            if not path:
                return False
            about = self.describe_backup(path)
            if about is None:
                return False
            answer = QMessageBox.warning(
                self,
                "从备份恢复",
                f"用备份\n{path}\n{about}替换现有数据？\n现有数据会先自动备份一份。恢复后程序将重新打开数据库。",
                QMessageBox.Yes | QMessageBox.No,
                QMessageBox.No,
            )
            if answer != QMessageBox.Yes:
                return False
        self.restored.emit(path)
        return True

    def _unlock_backup(self, path: str) -> bool:
        """An encrypted backup made under another password: ask for it (or its recovery code)."""
        if not keys.is_encrypted(path) or keys.known_keys(path):
            return True

        def opens(text: str) -> bool:
            return encryption.opens(path, text)

        answer = ask_secret(self, "从备份恢复", "这个备份设有密码，请输入它的密码（或恢复码）：", opens, tries=1)
        if answer is None:
            QMessageBox.warning(self, "从备份恢复", "密码或恢复码不正确，没有恢复。")
        return bool(answer)

    def describe_backup(self, path: str) -> str | None:
        """One line on what a backup holds (checked first); None, with a message, if it is bad."""
        if not self._unlock_backup(path):
            return None
        try:
            self.backup.verify_backup(path)
        except Exception as exc:
            QMessageBox.warning(self, "从备份恢复", str(exc))
            return None
        info = backup_summary(path)
        last = (info.get("last_change") or "").replace("T", " ")[:16]
        return f"（共 {info['total']} 条记录" + (f"，最后修改于 {last}" if last else "") + "）\n"

    def change_password(self, clear: bool = False, text: str | None = None) -> bool:
        """Set, change or clear the password that encrypts the data file (not an opening
        password); a new encryption shows its recovery code once, to copy and print."""
        from app.ui.dialogs.password_dialog import NewPasswordDialog, RecoveryCodeDialog

        was_on = self.password.has_password(self.store)
        if clear:
            if text is None and not self._confirm_old():
                return False
            try:
                self.password.set_password(self.store, None)
            except Exception as exc:
                QMessageBox.warning(self, "清除密码", f"密码没有清除：{exc}")
                return False
        else:
            if text is None:
                if not self._confirm_old():
                    return False
                dlg = NewPasswordDialog(self, change=was_on)
                if not dlg.exec():
                    return False
                text = dlg.password()
            try:
                code = self.password.set_password(self.store, text)
            except Exception as exc:  # too short (the core's rule), the file in use, a full disk…
                QMessageBox.warning(self, "设置密码", f"密码没有设置：{exc}")
                return False
            if code:  # the file was just encrypted: the recovery code, shown this once
                left = encryption.copies_left_message(self.store.path) if self.store.path else None
                RecoveryCodeDialog(code, self, issuer=self.store.issuer, note=left or "").exec()
        self._show_password()
        if clear:
            self.status.emit("密码已清除，数据文件不再加密")
        else:
            self.status.emit("密码已修改" if was_on else "密码已设置，数据文件已加密")
        return True

    def _confirm_old(self) -> bool:
        if not self.password.has_password(self.store):
            return True
        old, ok = QInputDialog.getText(self, "密码", "请输入现在的密码（或恢复码）：", QLineEdit.Password)
        if not ok:
            return False
        if not self.password.check_password(self.store, old):
            QMessageBox.warning(self, "密码", "密码或恢复码不正确。")
            return False
        return True
