"""The import's mapping step: each column and value the file uses that the program did not
recognise, with a choice for it — a field or 不导入 for a column, an option for a value — and
for each required column the sheet lacks, one value for all its rows (else they come in
待补充).  Value mappings remembered from earlier imports are listed too.

The choices become ``app.core.io.Mapping``s (one per ledger); the dialog checks the file
again with them and remembers the value mappings at once (even if the import is then
cancelled); columns and fills are remembered with a successful import.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.io.headers import norm_label

NOT_IMPORTED = "不导入"
KEEP_AS_ERROR = "（不改，标为待补充）"
NO_FILL = "（不填，标为待补充）"


class MappingPanel(QScrollArea):
    """Unrecognised columns and values of a preview, each with a combo box."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.column_combos: list[tuple[str, str, QComboBox]] = []  # ledger id, column, combo
        self.value_combos: list[tuple[str, str, str, QComboBox]] = []  # ledger id, key, value, combo
        self.fill_widgets: list[tuple[str, str, QWidget]] = []  # ledger id, key, combo or line edit
        self._body = QWidget()
        self._lay = QVBoxLayout(self._body)
        self.setWidget(self._body)

    def count(self) -> int:
        return len(self.column_combos) + len(self.value_combos) + len(self.fill_widgets)

    def show_for(self, preview, given: dict, choices: Callable[[str, str], tuple[str, ...]]) -> None:
        """List what ``preview`` did not recognise, and what ``given`` already maps."""
        self.column_combos.clear()
        self.value_combos.clear()
        self.fill_widgets.clear()
        body = QWidget()
        lay = QVBoxLayout(body)
        intro = QLabel(
            "下面是文件中程序没有认出的列和取值，以及表格里没有的必填列。请为每一列选择它对应的字段"
            "（或“不导入”），为每个取值选择对应的选项，缺少的列可以给所有行填同一个值，然后按"
            "“按此对应重新检查”。没有选的，记录照样导入，标为待补充，以后再补。取值的对应关系"
            "确认后即记住；列的对应和填充值在导入成功后记住，明年同样的表格可直接导入。"
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #555;")
        lay.addWidget(intro)
        ledgers = list({s.ledger.id: s.ledger for s in preview.sheets}.values())
        shown = 0
        for lg in ledgers:
            sheets = [s for s in preview.sheets if s.ledger.id == lg.id]
            mapping = sheets[0].mapping  # remembered, with this session's choices on top
            columns: dict[str, None] = {}
            values: dict[str, dict[str, int]] = {}
            in_file = {norm_label(c) for s in sheets for c in s.columns}
            for s in sheets:
                columns.update(dict.fromkeys(s.skipped_columns))
                for key, counter in s.unknown_values.items():
                    for text, n in counter.items():
                        values.setdefault(key, {})[text] = values.get(key, {}).get(text, 0) + n
            # columns mapped before (remembered or chosen now) that this file has: to revise
            columns.update(dict.fromkeys(c for c in mapping.columns if norm_label(c) in in_file))
            chosen_now = given.get(lg.id)
            if chosen_now is not None:
                for key, pairs in chosen_now.values.items():
                    for text in pairs:
                        values.setdefault(key, {}).setdefault(text, 0)
            for key, pairs in mapping.values.items():  # remembered from earlier imports: listed too
                if lg.has_field(key):
                    for text in pairs:
                        values.setdefault(key, {}).setdefault(text, 0)
            lacking = list(dict.fromkeys(k for s in sheets for k in getattr(s, "no_column", [])))
            if not columns and not values and not lacking:
                continue
            box = QGroupBox(lg.name)
            form = QFormLayout(box)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            for column in columns:
                combo = QComboBox()
                combo.addItem(NOT_IMPORTED, None)
                for f in lg.fields:
                    combo.addItem(f.label, f.key)
                if mapping.columns.get(column):
                    combo.setCurrentIndex(max(0, combo.findData(mapping.columns[column])))
                combo.setAccessibleName(f"列“{column}”对应的字段")
                combo.currentIndexChanged.connect(self.changed)
                form.addRow(QLabel(f"列“{column}”"), combo)
                self.column_combos.append((lg.id, column, combo))
            for key, texts in values.items():
                f = lg.field(key)
                for text, n in texts.items():
                    combo = QComboBox()
                    combo.addItem(KEEP_AS_ERROR, "")
                    for option in choices(lg.id, key):
                        combo.addItem(option, option)
                    chosen = mapping.values.get(key, {}).get(text)
                    if chosen:
                        combo.setCurrentIndex(max(0, combo.findData(chosen)))
                    combo.setAccessibleName(f"{f.label}“{text}”对应的选项")
                    combo.currentIndexChanged.connect(self.changed)
                    rows = f"（{n} 行）" if n else ""
                    form.addRow(QLabel(f"{f.label}“{text}”{rows}"), combo)
                    self.value_combos.append((lg.id, key, text, combo))
            for key in lacking:
                f = lg.field(key)
                current = mapping.fills.get(key, "")
                if f.kind == "choice":
                    widget: QWidget = QComboBox()
                    widget.addItem(NO_FILL, "")
                    for option in choices(lg.id, key):
                        widget.addItem(option, option)
                    widget.setCurrentIndex(max(0, widget.findText(current)) if current else 0)
                    widget.currentIndexChanged.connect(self.changed)
                else:
                    widget = QLineEdit(current)
                    widget.setPlaceholderText(NO_FILL)
                    widget.textChanged.connect(self.changed)
                widget.setAccessibleName(f"表格中没有“{f.label}”列：每行都填")
                form.addRow(QLabel(f"表格中没有“{f.label}”列，每行都填："), widget)
                self.fill_widgets.append((lg.id, key, widget))
            lay.addWidget(box)
            shown += 1
        if not shown:
            done = QLabel("文件中的列和取值都已认出，无需设置对应关系。")
            lay.addWidget(done)
        lay.addStretch(1)
        self.setWidget(body)
        self._body = body

    def mappings(self) -> dict:
        """The choices as ``Mapping``s by ledger id (a value left 不改 is not mapped)."""
        from app.core.io.mapping import Mapping

        out: dict[str, Mapping] = {}
        for lg_id, column, combo in self.column_combos:
            out.setdefault(lg_id, Mapping()).columns[column] = combo.currentData()
        for lg_id, key, text, combo in self.value_combos:
            option = combo.currentData()
            if option:
                out.setdefault(lg_id, Mapping()).values.setdefault(key, {})[text] = option
        for lg_id, key, widget in self.fill_widgets:  # "" forgets a remembered fill
            value = widget.currentData() if isinstance(widget, QComboBox) else widget.text().strip()
            out.setdefault(lg_id, Mapping()).fills[key] = value or ""
        return out

    def fill_for(self, label: str) -> QWidget:
        """The fill control of the missing column ``label``."""
        return next(w for lg_id, key, w in self.fill_widgets if w.accessibleName().endswith(f"“{label}”列：每行都填"))

    def combo_for_column(self, column: str) -> QComboBox:
        return next(c for _, col, c in self.column_combos if col == column)

    def combo_for_value(self, text: str) -> QComboBox:
        return next(c for _, _, t, c in self.value_combos if t == text)
