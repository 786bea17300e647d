"""One call from the store to the finished report: figures -> text -> charts -> .docx."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.core.figures.breakdowns import report_breakdowns
from app.core.figures.compute import compute
from app.core.paths import check_output_path
from app.core.report import text
from app.core.report.charts import render_charts
from app.core.report.fonts import scheme
from app.core.storage.store import Store

Progress = Callable[[str, float], None]

# stage -> (start, end) of the progress bar
_STAGES = {"figures": (0.0, 0.1), "text": (0.1, 0.15), "charts": (0.15, 0.8), "docx": (0.8, 1.0)}
STAGE_LABELS = {
    "figures": "计算统计数字",
    "text": "生成报告文字",
    "charts": "绘制图表",
    "docx": "写入 Word 文件",
    "done": "完成",
}


class ReportRefused(ValueError):
    """The report cannot be written yet (the office is not named); the message is for the clerk."""


def refusal(store: Store) -> str | None:
    """Why a report of this store cannot be written, in Chinese; None when it can."""
    missing = [label for key, label in (("town", "单位名称"), ("county", "所在区县")) if not store.setting(key)]
    if missing:
        return (
            f"还没有设置{'和'.join(missing)}，报告的标题和落款无法填写。"
            "请先在 设置 中填写（命令行：settings county=某某县 town=某某镇）。"
        )
    return None


def appendix_title(year: int) -> str:
    """The 附件's title: what its charts show."""
    return f"{year}年法治政府建设主要工作数据图"


def build_report(
    store: Store,
    year: int,
    out_path: str | Path,
    charts_dir: str | Path | None = None,
    progress: Progress | None = None,
    *,
    with_charts: bool = True,
) -> Path:
    """Write the year's report to ``out_path`` (.docx); the charts also as PNGs in ``charts_dir``.

    ``with_charts=False`` leaves the charts out: no picture and no 附件 (``report --no-charts``,
    the 附带图表 tick box).  ``progress(stage, fraction)`` is called as it goes (stages: figures, text, charts, docx,
    done; labels in ``STAGE_LABELS``).  The file is written beside its target and moved into
    place, so a failure never leaves half a report.  ``ReportRefused`` while the office is not
    named (the title and signature would name nobody).
    """

    def tell(stage: str, within: float = 0.0) -> None:
        if progress:
            lo, hi = _STAGES.get(stage, (1.0, 1.0))
            progress(stage, lo + (hi - lo) * within)

    out_path = Path(out_path)
    check_output_path(getattr(store, "path", None), out_path)
    why = refusal(store)
    if why:
        raise ReportRefused(why)
    tell("figures")
    now = compute(store, year)
    tell("text")
    report = text.render_store(store, year, figures=now)  # the year before only if the text asks

    charts = []
    if with_charts:
        tell("charts")
        charts = render_charts(
            year,
            report_breakdowns(store, year),
            report_breakdowns(store, year - 1),
            progress=lambda done, total: tell("charts", done / total),
        )
        if charts_dir is not None:
            folder = Path(charts_dir)
            folder.mkdir(parents=True, exist_ok=True)
            for i, chart in enumerate(charts, 1):
                chart.save(folder, i, getattr(store, "path", None))

    tell("docx")
    from .docx_writer import ChartImage, write_docx

    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".docx", dir=out_path.parent)
    os.close(fd)
    try:
        write_docx(
            report,
            tmp,
            scheme(store.setting("report.font_scheme")),
            charts=[ChartImage(c.title, c.png, c.alt) for c in charts],
            appendix_title=appendix_title(year),
            issuer=next((b.text for b in report.blocks if b.kind == "signature"), store.issuer),
            recipient=store.setting("report.recipient") or "",
        )
        os.chmod(tmp, 0o644)  # mkstemp makes it private
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    tell("done", 1.0)
    return out_path
