"""年度报告: the checks' findings, the office's own texts for 三/四/五 and the year's report
settings (工作要点, 文号, 成文日期, 省/市), a preview of the report with every number a link to
the rows behind it and a 改写 link after each paragraph of 一/二 (the paragraph editor), and
one button that writes the .docx off the GUI thread and then offers to open it or its folder."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.ui.pages.dashboard import run_checks
from app.ui.pages.figure_helpers import (
    SEVERITY_COLOR,
    SEVERITY_TEXT,
    finding_attr,
    first_rows,
    muted_label,
    suggest_year,
    year_bar,
)
from app.ui.pages.report_info import ReportInfoBox
from app.ui.widgets import file_dialogs
from app.ui.workers import CHART_LOCK, Worker, can_thread, thread_store

if TYPE_CHECKING:  # annotations only: the store module loads with the database
    from app.core.storage.store import Store

SECTION_TITLES = {
    "shortcomings": "三、存在的不足和原因",
    "plan": "四、{next}年工作计划",
    "other": "五、其他需要报告的情况",
}

_BLOCK_STYLE = {
    "title": "text-align:center; font-size:18pt; font-weight:bold; margin:12px 0;",
    "heading1": "font-weight:bold; font-size:13pt; margin-top:10px;",
    "heading2": "font-weight:bold; margin-top:6px;",
    "paragraph": "text-indent:28px; line-height:160%;",
    "signature": "text-align:right; margin-top:18px;",
    "date": "text-align:right;",
}


def load_report(store: Store, year: int) -> dict[str, Any]:
    """The report text of ``year`` as blocks, and the checks' findings (worker thread)."""
    from app.core.report.text import render_store

    with thread_store(store) as s:
        return {"year": year, "document": render_store(s, year), "findings": run_checks(s, year)}


CHARTS_SETTING = "report.with_charts"  # the office's choice: 附带图表 ("1") or not ("0")


def charts_wanted(store: Store) -> bool:
    """Whether this office's reports carry the charts (附件); yes until it says otherwise."""
    return str(store.setting(CHARTS_SETTING) or "1") != "0"


def make_report(store: Store, year: int, out_path: str, progress=None, with_charts: bool = True) -> str:
    """Write the .docx (worker thread); ``progress(stage, fraction)``; ``with_charts=False``:
    no picture and no 附件."""
    from app.core.report.build import STAGE_LABELS, build_report

    def tell(stage: str, fraction: float) -> None:
        if progress:
            progress(f"正在{STAGE_LABELS.get(stage, stage)}…" if stage != "done" else "完成", fraction)

    with CHART_LOCK, thread_store(store) as s:  # the report draws its charts too
        path = build_report(s, year, Path(out_path), progress=tell, with_charts=with_charts)
    return str(path)


EDIT_LINK = "［改写］"


def blocks_html(document, editable: frozenset[str] | set[str] = frozenset()) -> str:
    """The report as HTML; each number printed from a figure is ``<a href="fig:YEAR:KEY">``;
    a paragraph whose id is in ``editable`` ends with a 改写 link ``<a href="edit:ID">``."""
    parts = ["<html><body style='font-size:11pt;'>"]
    for block in document.blocks:
        text = block.text
        out, pos = [], 0
        for span in sorted(block.spans, key=lambda s: s.start):
            if span.start < pos:
                continue
            out.append(html.escape(text[pos : span.start]))
            out.append(
                f'<a href="fig:{span.year}:{html.escape(span.key)}" style="color:#1a5276; '
                f'background:#fdebd0; text-decoration:none;" title="{html.escape(span.key)}">'
                f"{html.escape(text[span.start : span.end])}</a>"
            )
            pos = span.end
        out.append(html.escape(text[pos:]))
        body = "".join(out)
        if block.lead and block.kind == "paragraph":
            cut = _html_offset(text, block, block.lead)
            body = f"<b>{body[:cut]}</b>{body[cut:]}" if cut is not None else body
        if block.id in editable:
            body += (
                f' <a href="edit:{html.escape(block.id)}" style="color:#2e86c1; font-size:9pt;'
                f' text-decoration:none;" title="改写这一段">{EDIT_LINK}</a>'
            )
        style = _BLOCK_STYLE.get(block.kind, "")
        parts.append(f"<p style='{style}'>{body}</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _html_offset(text: str, block, lead: int) -> int | None:
    """Where the （一） lead sentence ends in the HTML, when no link crosses it."""
    if any(s.start < lead < s.end for s in block.spans) or any(s.start < lead for s in block.spans):
        return None
    return len(html.escape(text[:lead]))


def default_report_path(issuer: str, year: int) -> Path:
    """``Documents/{issuer}{Y}年法治政府建设情况报告.docx`` (the data folder if no Documents)."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(docs) if docs and Path(docs).is_dir() else None
    if folder is None:
        from app.core.paths import data_dir

        folder = data_dir()
    return folder / f"{issuer}{year}年法治政府建设情况报告.docx"


class ReportPage(QWidget):
    """年度报告.  ``open_rows(ledger_id, row_ids)`` asks the main window to show those rows."""

    open_rows = Signal(str, list)
    loaded = Signal()
    report_written = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self._workers: list[Worker] = []
        self._build_worker: Worker | None = None
        self.document = None
        self.last_report: Path | None = None
        self._texts_year: int | None = None
        self._generation = 0  # only the newest refresh is shown
        self._build()
        self.year_combo.set_year(suggest_year(store))
        self.year_combo.currentIndexChanged.connect(lambda _i: self._year_changed())
        self._year_changed()

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        bar, self.year_combo = year_bar("年度报告", self.store)
        self.refresh_button = QPushButton("刷新预览")
        self.refresh_button.clicked.connect(self.refresh)
        self.generate_button = QPushButton("生成报告…")
        self.generate_button.setStyleSheet("font-weight: bold; padding: 4px 16px;")
        self.generate_button.clicked.connect(self.generate)
        self.charts_box = QCheckBox("附带图表")
        self.charts_box.setToolTip("勾选时，报告末尾附上数据图表（附件）；不勾选则报告中没有图片和附件。按单位记住。")
        self.charts_box.setChecked(charts_wanted(self.store))
        self.charts_box.toggled.connect(self._charts_toggled)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.status_label = muted_label()
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.status_label)
        bar.addWidget(self.progress)
        bar.addWidget(self.charts_box)
        bar.addWidget(self.generate_button)
        outer.addLayout(bar)

        # the offer after a report is written: open it, or its folder
        self.done_bar = QFrame()
        self.done_bar.setStyleSheet("QFrame { background: #e9f7ef; border: 1px solid #a9dfbf; border-radius: 4px; }")
        done_lay = QHBoxLayout(self.done_bar)
        done_lay.setContentsMargins(8, 4, 8, 4)
        self.done_label = QLabel("")
        self.done_label.setStyleSheet("border: none;")
        self.open_file_button = QPushButton("打开报告")
        self.open_folder_button = QPushButton("打开所在文件夹")
        self.open_file_button.clicked.connect(self.open_report)
        self.open_folder_button.clicked.connect(self.open_report_folder)
        done_lay.addWidget(self.done_label, 1)
        done_lay.addWidget(self.open_file_button)
        done_lay.addWidget(self.open_folder_button)
        self.done_bar.hide()
        outer.addWidget(self.done_bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QTabWidget()
        # findings
        self.findings_list = QListWidget()
        self.findings_list.setWordWrap(True)
        self.findings_list.itemClicked.connect(self._open_finding)
        self.findings_list.itemActivated.connect(self._open_finding)
        left.addTab(self.findings_list, "检查结果")
        # free texts
        texts = QWidget()
        texts_lay = QVBoxLayout(texts)
        hint = QLabel("以下内容按年度保存。可以直接写文字，也可以用 {{ 数字名称 }} 引用统计数字。留空则使用默认内容。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        texts_lay.addWidget(hint)
        self.year_box = ReportInfoBox(self.store)
        self.year_edits = self.year_box.edits
        texts_lay.addWidget(self.year_box)
        self.section_edits: dict[str, QPlainTextEdit] = {}
        self.section_boxes: dict[str, QGroupBox] = {}
        for section in ("shortcomings", "plan", "other"):
            box = QGroupBox(SECTION_TITLES[section])
            lay = QVBoxLayout(box)
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            lay.addWidget(edit)
            texts_lay.addWidget(box, 1)
            self.section_edits[section] = edit
            self.section_boxes[section] = box
        self.fact_edits = self._build_facts(texts_lay)
        row = QHBoxLayout()
        self.save_texts_button = QPushButton("保存并刷新预览")
        self.save_texts_button.clicked.connect(self.save_texts)
        self.reset_texts_button = QPushButton("恢复默认内容")
        self.reset_texts_button.clicked.connect(self.reset_texts)
        row.addStretch(1)
        row.addWidget(self.reset_texts_button)
        row.addWidget(self.save_texts_button)
        texts_lay.addLayout(row)
        scroll = QScrollArea()  # 本单位情况 makes the tab taller than a laptop's screen
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(texts)
        left.addTab(scroll, "自行填写的部分")
        self.left_tabs = left
        split.addWidget(left)

        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        cap = QLabel("报告预览（带底色的数字来自台账，点击可查看对应记录；点段末的［改写］可改写这一段）")
        cap.setWordWrap(True)
        cap.setStyleSheet("color: #666;")
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.setOpenExternalLinks(False)
        self.preview.anchorClicked.connect(self._open_anchor)
        self.warnings_label = QLabel("")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet("color: #b9770e;")
        self.warnings_label.hide()
        right_lay.addWidget(cap)
        right_lay.addWidget(self.preview, 1)
        right_lay.addWidget(self.warnings_label)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        outer.addWidget(split, 1)

    def _build_facts(self, layout: QVBoxLayout) -> dict[str, QPlainTextEdit]:
        """本单位情况: what no ledger records (a team, a routine), in the office's own words;
        a sentence resting on one is left out of the report while it is empty."""
        from app.core.report import paragraphs, tokens

        box = QGroupBox("本单位情况（台账记录不到的做法，沿用到以后各年；留空则报告中不写）")
        lay = QVBoxLayout(box)
        edits: dict[str, QPlainTextEdit] = {}
        examples = paragraphs.fact_examples()
        for name, label in tokens.FACTS.items():
            lay.addWidget(QLabel(label))
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(56)
            edit.setPlaceholderText(f"例：{examples.get(name, '')}")
            lay.addWidget(edit)
            edits[name] = edit
        layout.addWidget(box)
        return edits

    def _charts_toggled(self, checked: bool) -> None:
        if not getattr(self.store, "readonly", False):  # read-only: this session's choice only
            self.store.set_setting(CHARTS_SETTING, "1" if checked else "0")

    # -- year and texts -----------------------------------------------------------------

    def year(self) -> int:
        return self.year_combo.year()

    def set_year(self, year: int) -> None:
        if year != self.year():
            self.year_combo.set_year(year)
        else:
            self._year_changed()

    def _year_changed(self) -> None:
        if self._texts_year is not None and self._texts_year != self.year():
            self._store_texts(self._texts_year)  # keep what was typed for the year left
        year = self.year()
        self.section_boxes["plan"].setTitle(SECTION_TITLES["plan"].format(next=year + 1))
        self._load_texts(year)
        self.refresh()

    def _load_texts(self, year: int) -> None:
        from app.core.report.text import section_default

        saved = self.store.report_texts(year)
        for section, edit in self.section_edits.items():
            edit.setPlainText(saved.get(section) or section_default(section, year))
        from app.core.report import paragraphs

        facts = paragraphs.own_facts(self.store, year)
        for name, edit in self.fact_edits.items():
            edit.setPlainText(facts.get(name, ""))
        self.year_box.load(year)
        self._texts_year = year

    def _store_texts(self, year: int) -> int:
        """Save the three sections of ``year``; a text equal to the default is not stored."""
        from app.core.report.text import section_default

        saved = self.store.report_texts(year)
        changed = 0
        for section, edit in self.section_edits.items():
            text = edit.toPlainText().strip()
            value = None if not text or text == section_default(section, year).strip() else text
            if (saved.get(section) or None) != value:
                self.store.set_report_text(year, section, value)
                changed += 1
        from app.core.report import paragraphs

        facts = paragraphs.own_facts(self.store, year)
        for name, edit in self.fact_edits.items():
            if getattr(self.store, "readonly", False):
                break
            if paragraphs.clean(edit.toPlainText()) != facts.get(name, ""):
                paragraphs.save_fact(self.store, year, name, edit.toPlainText())
                changed += 1
        saved_info, problem = self.year_box.save(year)
        if problem:
            self.status_label.setText(problem)
        return changed + saved_info

    def save_texts(self) -> None:
        n = self._store_texts(self.year())
        self.status_label.setText("已保存" if n else "内容没有变化")
        self.refresh()

    def reset_texts(self) -> None:
        from app.core.report.text import section_default

        for section, edit in self.section_edits.items():
            edit.setPlainText(section_default(section, self.year()))

    # -- preview and findings -----------------------------------------------------------

    def refresh(self) -> None:
        year = self.year()
        self.status_label.setText(f"正在生成{year}年报告预览…")
        self._generation += 1
        worker = Worker(load_report, self.store, year)
        worker.finished.connect(lambda data, g=self._generation: self._show(data, g))
        worker.failed.connect(lambda msg: self.status_label.setText(f"预览失败：{msg}"))
        self._run(worker)

    def _run(self, worker: Worker) -> None:
        self._workers = [w for w in self._workers if w.is_running()]
        self._workers.append(worker)
        worker.start(in_thread=can_thread(self.store))

    def _show(self, data: dict[str, Any], generation: int) -> None:
        if generation != self._generation:
            return  # a newer refresh is on its way
        self.document = data["document"]
        bar = self.preview.verticalScrollBar().value()
        from app.core.report.paragraphs import ids

        self.preview.setHtml(blocks_html(self.document, frozenset(ids())))
        self.preview.verticalScrollBar().setValue(bar)
        warnings = list(getattr(self.document, "warnings", []) or [])
        self.warnings_label.setText("\n".join(warnings))
        self.warnings_label.setVisible(bool(warnings))
        self._fill_findings(data["findings"])
        n = len(data["findings"])
        self.left_tabs.setTabText(0, f"检查结果（{n}）")
        self.status_label.setText(f"{data['year']}年报告预览已更新")
        self.loaded.emit()

    def _fill_findings(self, findings: list) -> None:
        self.findings_list.clear()
        if not findings:
            item = QListWidgetItem("检查通过：没有发现会使报告出错或薄弱的问题。")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.findings_list.addItem(item)
            return
        from PySide6.QtGui import QColor

        for f in findings:
            severity = finding_attr(f, "severity", "warning")
            ids = list(finding_attr(f, "row_ids", []) or [])
            detail = finding_attr(f, "detail", "") or ""
            text = f"【{SEVERITY_TEXT.get(severity, severity)}】{finding_attr(f, 'title', '')}"
            if ids:
                text += f"（{len(ids)}条）"
            if detail:
                text += f"\n{detail}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, (finding_attr(f, "ledger"), ids))
            item.setForeground(QColor(SEVERITY_COLOR.get(severity, "#333")))
            self.findings_list.addItem(item)

    def _open_finding(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if data and data[0]:
            self.open_rows.emit(str(data[0]), list(data[1]))

    def _open_anchor(self, url: QUrl) -> None:
        link = url.toString()
        if link.startswith("edit:"):
            self.edit_paragraph(link[len("edit:") :])
        else:
            self.open_figure(link)

    def edit_paragraph(self, para_id: str):
        """Open the 改写 dialog for ``para_id`` of this year (window-modal; the preview refreshes
        when it is saved).  Returns the dialog."""
        from app.ui.dialogs.paragraph_dialog import ParagraphDialog

        self._store_texts(self.year())  # the 工作要点 typed on the left shows in the editor
        dialog = ParagraphDialog(self.store, self.year(), para_id, self)
        dialog.saved.connect(lambda _pid: (self.status_label.setText("段落已改写"), self.refresh()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.paragraph_dialog = dialog
        dialog.open()
        return dialog

    def open_figure(self, link: str) -> None:
        """``fig:YEAR:KEY`` → ``open_rows`` with the rows behind that figure."""
        if not link.startswith("fig:"):
            return
        _, year, key = link.split(":", 2)
        from app.core.figures.compute import rows_for

        target = first_rows(rows_for(self.store, int(year), key))
        if target:
            self.open_rows.emit(target[0], target[1])

    # -- the report file ----------------------------------------------------------------

    def generate(self) -> None:
        """Ask where to save, then write the .docx in a worker with a progress bar."""
        if self._build_worker is not None and self._build_worker.is_running():
            return
        self._store_texts(self.year())
        year = self.year()
        suggested = str(default_report_path(self.store.issuer, year))
        path = file_dialogs.save_file_name(self, "保存年度报告", suggested, "Word 文档 (*.docx)", folder="report")
        if not path:
            return
        if not path.lower().endswith(".docx"):
            path += ".docx"
        self.done_bar.hide()
        self.progress.setValue(0)
        self.progress.show()
        self.generate_button.setEnabled(False)
        self.status_label.setText("正在生成报告…")
        store = self.store
        with_charts = self.charts_box.isChecked()
        worker = Worker(lambda: make_report(store, year, path, worker.report_fraction, with_charts))
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_written)
        worker.failed.connect(self._on_failed)
        self._build_worker = worker
        worker.start(in_thread=can_thread(self.store))

    def _on_progress(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        if text:
            self.status_label.setText(text)

    def _on_written(self, path: str) -> None:
        self.progress.hide()
        self.generate_button.setEnabled(True)
        self.last_report = Path(path)
        self.status_label.setText("报告已生成")
        self.done_label.setText(f"报告已生成：{path}")
        self.done_bar.show()
        self.report_written.emit(path)

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.generate_button.setEnabled(True)
        self.status_label.setText("报告生成失败")
        QMessageBox.warning(self, "生成报告失败", f"报告没有生成：{message}")

    def open_report(self) -> None:
        if self.last_report:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_report)))

    def open_report_folder(self) -> None:
        if self.last_report:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_report.parent)))

    def closeEvent(self, event) -> None:
        if self._texts_year is not None:
            self._store_texts(self._texts_year)
        for w in [*self._workers, self._build_worker]:
            if w is not None:
                w.wait(30000)
        super().closeEvent(event)
