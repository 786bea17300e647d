"""First run on an empty database: the office's names, an offer to bring last year's Excel
ledgers in, and an offer of the demo data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store


class SetupDialog(QDialog):
    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("欢迎使用法治台账")
        lay = QVBoxLayout(self)
        intro = QLabel("第一次使用，请填写本单位名称。以后可在“设置”中修改。")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.county = QLineEdit()
        self.county.setPlaceholderText("如：丰都县")
        self.town = QLineEdit()
        self.town.setPlaceholderText("如：武平镇")
        form.addRow("县（区）名称：", self.county)
        form.addRow("乡镇（街道）名称：", self.town)
        lay.addLayout(form)
        self.issuer = QLabel()
        self.issuer.setStyleSheet("color: #666;")
        lay.addWidget(self.issuer)
        self.demo = QCheckBox(
            "填入演示数据（丰都县武平镇2024年的台账，便于先熟悉程序；乡镇（街道）名称将随之设为武平镇）"
        )
        self.excel = QCheckBox("导入已有的 Excel 台账（如去年的表格）")
        self.excel.setChecked(True)  # a new office nearly always has last year's workbooks
        excel_note = QLabel("可一次选多个文件。程序按表头认出每个工作表是哪本台账，先预览、再导入，不必重新录入。")
        excel_note.setWordWrap(True)
        excel_note.setStyleSheet("color: #666; margin-left: 22px;")
        lay.addWidget(self.excel)
        lay.addWidget(excel_note)
        lay.addWidget(self.demo)
        # the demo is another town's data: never mixed with the office's own ledgers
        self.demo.toggled.connect(lambda on: on and self.excel.setChecked(False))
        self.excel.toggled.connect(lambda on: on and self.demo.setChecked(False))
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("开始使用")
        buttons.button(QDialogButtonBox.Cancel).setText("以后再说")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.Ok)
        lay.addWidget(buttons)
        for edit in (self.county, self.town):
            edit.textChanged.connect(self._update)
        self.demo.toggled.connect(self._update)  # the demo names its own town
        self._update()

    def _update(self) -> None:
        county, town = self.county.text().strip(), self.town.text().strip()
        demo = self.demo.isChecked()
        self.ok_button.setEnabled(bool(county and town) or demo)
        self.issuer.setText(f"发文机关：{county}{town}人民政府" if county and town else "")

    @property
    def wants_excel(self) -> bool:
        """The clerk asked to bring Excel workbooks in after setup."""
        return self.excel.isChecked()

    def apply(self) -> dict[str, int] | None:
        """Save the names (and fill the demo data if asked); the demo's row counts, or None."""
        s = self.store
        with s.transaction():
            for key, edit in (("county", self.county), ("town", self.town)):
                if edit.text().strip():  # left empty with the demo: the demo names its town
                    s.set_setting(key, edit.text().strip())
            s.set_setting("setup_done", True)
        if self.demo.isChecked():
            from app.core.demo.generator import fill  # the demo's generator: only when asked for

            return fill(s, 2024)
        return None
