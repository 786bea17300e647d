"""Checks of the report itself (a part of ``checks.run``) and the ``Finding`` every check
returns: who the office is, which ledgers are empty in the year, and which sentences the
report leaves out because nobody recorded the work they would claim (a figure of 0, a
ledger with no rows: DESIGN.md section 3).

An unnamed office is an ``error``: the report's title and signature would name nobody (the
text shows 【请在设置中填写单位名称】 and ``build_report`` refuses).  The rest are warnings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Literal

from app.core.figures.definitions import FIGURES
from app.core.ledgers import catalog
from app.core.ledgers.privacy import mask_ids_in_text
from app.core.report import paragraphs
from app.core.report.coverage import ledger_rows
from app.core.report.text import render_store
from app.core.storage.store import Store

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    code: str
    title: str
    severity: Severity
    ledger: str  # "" for a finding about the settings or the report text
    row_ids: list[int] = field(default_factory=list)
    detail: str = ""  # one line per row

    def __post_init__(self) -> None:  # a finding quotes cells: never a whole 身份证号
        object.__setattr__(self, "detail", mask_ids_in_text(self.detail))

    @property
    def count(self) -> int:
        return len(self.row_ids)

    def as_dict(self) -> dict:
        return asdict(self)


EXCERPT = 24  # characters of a left-out sentence shown in a finding


def office_unnamed(store: Store, year: int, today: dt.date | None = None) -> list:

    found = []
    if not str(store.setting("town") or "").strip():
        found.append(
            Finding(
                "office_unnamed",
                "未设置单位名称（乡镇、街道）",
                "error",
                "",
                detail="报告标题、正文和落款都要写单位名称，现在会显示【请在设置中填写单位名称】。"
                "请在 设置 中填写单位名称（命令行：settings town=某某镇）。",
            )
        )
    if not str(store.setting("county") or "").strip():
        found.append(
            Finding(
                "county_unnamed",
                "未设置所在区县",
                "error",
                "",
                detail="报告标题和落款要写所在区县，正文要写“在县委、县政府的坚强领导下”。"
                "请在 设置 中填写所在区县（命令行：settings county=某某县）。",
            )
        )
    return found


def ledgers_empty(store: Store, year: int, today: dt.date | None = None) -> list:
    """One warning per ledger with no rows in the year."""

    found = []
    for ledger_id, n in ledger_rows(store, year).items():
        if n:
            continue
        name = catalog.get(ledger_id).name
        found.append(
            Finding(
                "ledger_empty",
                f"{name}{year}年没有记录",
                "warning",
                ledger_id,
                detail="如本年度做过这项工作，请补录；报告中依据这本台账的句子未写入（见下面“未写入”的一项）。",
            )
        )
    return found


def report_omissions(store: Store, year: int, today: dt.date | None = None) -> list:
    """The report's sentences left out for a 0 or an empty ledger, one line each."""
    doc = render_store(store, year)
    lines = []
    for o in doc.omitted:
        text = o.text if len(o.text) <= EXCERPT else o.text[:EXCERPT] + "……"
        why = o.why if o.why.endswith(("记录", "填写", "写入")) else f"{o.why}为0"
        lines.append(f"{paragraphs.label(o.para_id)}：未写入“{text}”（{why}）")
    for w in doc.warnings:
        lines.append(w)
    if not lines:
        return []
    title = "报告中有句子因数字为0或台账无记录未写入"
    return [Finding("report_omitted", title, "warning", "", detail="\n".join(lines))]


def literal_numbers(store: Store, year: int, today: dt.date | None = None) -> list:
    """A wording written in an earlier year and inherited by ``year`` with a number typed in as
    text (带头讲法治课2次): it was true of the year it was written, maybe not of this one."""

    lines = [
        f"{name}：{written}年写的文字中有“{'”“'.join(numbers)}”，沿用到{year}年，请核对或改用台账中的数字。"
        for name, written, numbers in paragraphs.inherited_literals(store, year)
    ]
    if not lines:
        return []
    title = "报告中沿用往年的文字里有直接写入的数字"
    return [Finding("report_literal_number", title, "warning", "", detail="\n".join(lines))]


def ledgers_unreported(store: Store, year: int, today: dt.date | None = None) -> list:
    """Ledgers with rows in the year whose work the report does not state (no number of theirs
    in the text): an office's own wording, saved before the sentence existed, may leave it out."""
    doc = render_store(store, year)
    shown = {FIGURES[s.key].ledger for b in doc.blocks for s in b.spans if s.key in FIGURES}
    if "走访" in doc.plain_text():  # 每月开展定期走访 states the visits without a number
        shown.add("visits")
    missing = [lg for lg, n in ledger_rows(store, year).items() if n and lg not in shown]
    return [
        Finding(
            "ledger_unreported",
            f"{catalog.get(lg).name}{year}年有记录，报告中没有写到",
            "warning",
            lg,
            detail="报告中没有这本台账的数字：所在段落可能是本单位以前改写的文字。"
            "请在 年度报告 中点段末的［改写］，恢复默认文字或加入这本台账的数字。",
        )
        for lg in missing
    ]


REPORT_CHECKS = (office_unnamed, ledgers_empty, report_omissions, literal_numbers, ledgers_unreported)
