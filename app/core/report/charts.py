"""The report's six charts (matplotlib, Agg, PNG at 200 dpi), this year against last.

matplotlib is imported inside the functions only: the program starts without it.  Chart text
uses Microsoft YaHei or SimHei when installed, else the bundled Noto Sans SC (GBK subset).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DPI = 200
SIZE = (7.5, 4.2)  # inches: 150 mm wide in the report
MONTHS = [f"{m}月" for m in range(1, 13)]
COLOURS = ("#9fb7d6", "#c0392b")  # last year muted, this year red
STAGES = ("期初", "新增", "解除", "期末")
STAGE_KEYS = ("opening", "added", "released", "closing")
STAGE_COLOURS = ("#9fb7d6", "#e67e22", "#7f8c8d", "#c0392b")


@dataclass
class Chart:
    name: str  # file stem
    title: str
    png: bytes

    def save(self, folder: str | Path, index: int, db_path: str | Path | None = None) -> Path:
        """Write the PNG into ``folder``; never over the database ``db_path`` or its files."""
        from app.core.paths import check_output_path

        path = Path(folder) / f"{index:02d}_{self.name}.png"
        check_output_path(db_path, path)
        path.write_bytes(self.png)
        return path


def _margins(fig, *, left_chars: float = 0, legend_below: bool = False) -> None:
    """Fixed margins (tight_layout would measure every label twice: the slowest step)."""
    w, h = SIZE
    left = (0.55 + left_chars * 10 / 72) / w  # room for the y labels: 10 pt characters
    bottom = (0.95 if legend_below else 0.55) / h
    fig.subplots_adjust(left=left, right=1 - 0.2 / w, top=1 - 0.45 / h, bottom=bottom)


def _figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _style(ax, title: str) -> None:
    ax.set_title(title, fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="both", alpha=0.25)
    ax.set_axisbelow(True)
    for lim, set_lim, axis in ((ax.get_xlim, ax.set_xlim, ax.xaxis), (ax.get_ylim, ax.set_ylim, ax.yaxis)):
        if getattr(axis.get_major_locator(), "_integer", False) and lim()[1] < 1:
            set_lim(0, 1)  # nothing counted: a 0–1 axis in whole numbers, not a 0.02 scale


def _label_bars(ax, bars, horizontal: bool = False) -> None:
    values = [b.get_width() if horizontal else b.get_height() for b in bars]
    ax.bar_label(bars, labels=[str(int(v)) if v else "" for v in values], fontsize=7, padding=2)


def _pair_by_month(title: str, year: int, now: list[int], before: list[int], ylabel: str) -> bytes:
    fig = _figure()
    ax = fig.add_subplot()
    x = range(12)
    w = 0.4
    b1 = ax.bar([i - w / 2 for i in x], before, w, label=f"{year - 1}年", color=COLOURS[0])
    b2 = ax.bar([i + w / 2 for i in x], now, w, label=f"{year}年", color=COLOURS[1])
    _label_bars(ax, b1)
    _label_bars(ax, b2)
    ax.set_xticks(list(x), MONTHS)
    ax.set_ylabel(ylabel)
    ax.yaxis.get_major_locator().set_params(integer=True)
    _style(ax, title)
    ax.grid(axis="x", visible=False)
    ax.legend(frameon=False)
    _margins(fig, left_chars=1.5)
    return _png(fig)


def _pair_by_category(title: str, year: int, now: dict[str, int], before: dict[str, int], xlabel: str) -> bytes:
    """Horizontal bars per category (those with any count in either year), most first."""
    cats = [c for c in now if now.get(c) or before.get(c)] or list(now)[:1] or ["（无）"]
    cats.sort(key=lambda c: (now.get(c, 0), before.get(c, 0)))
    fig = _figure()
    ax = fig.add_subplot()
    y = range(len(cats))
    h = 0.4
    b1 = ax.barh([i - h / 2 for i in y], [before.get(c, 0) for c in cats], h, label=f"{year - 1}年", color=COLOURS[0])
    b2 = ax.barh([i + h / 2 for i in y], [now.get(c, 0) for c in cats], h, label=f"{year}年", color=COLOURS[1])
    _label_bars(ax, b1, horizontal=True)
    _label_bars(ax, b2, horizontal=True)
    ax.set_yticks(list(y), cats)
    ax.set_xlabel(xlabel)
    ax.xaxis.get_major_locator().set_params(integer=True)
    _style(ax, title)
    ax.grid(axis="y", visible=False)
    ax.legend(frameon=False, loc="lower right")
    _margins(fig, left_chars=max(len(c) for c in cats))
    return _png(fig)


def _key_persons(title: str, changes: dict[str, dict[str, int]]) -> bytes:
    cats = list(changes) or ["（无）"]
    fig = _figure()
    ax = fig.add_subplot()
    w = 0.2
    for k, (stage, key, colour) in enumerate(zip(STAGES, STAGE_KEYS, STAGE_COLOURS, strict=True)):
        xs = [i + (k - 1.5) * w for i in range(len(cats))]
        bars = ax.bar(xs, [changes.get(c, {}).get(key, 0) for c in cats], w, label=stage, color=colour)
        _label_bars(ax, bars)
    ax.set_xticks(list(range(len(cats))), cats)
    ax.set_ylabel("人数")
    ax.yaxis.get_major_locator().set_params(integer=True)
    _style(ax, title)
    ax.grid(axis="x", visible=False)
    ax.legend(frameon=False, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    _margins(fig, left_chars=1.5, legend_below=True)
    return _png(fig)


def chart_specs(year: int, now: dict[str, Any], before: dict[str, Any]) -> list[tuple[str, str, Callable[[], bytes]]]:
    """(name, caption, draw) for each chart, from ``breakdowns`` of ``year`` and ``year - 1``."""
    y, p = year, year - 1
    return [
        (
            "disputes_by_month",
            f"各月矛盾纠纷登记数（{y}年与{p}年对比）",
            lambda: _pair_by_month(
                "各月矛盾纠纷登记数", y, now["disputes.by_month"], before["disputes.by_month"], "件"
            ),
        ),
        (
            "disputes_by_type",
            f"矛盾纠纷类型分布（{y}年与{p}年对比）",
            lambda: _pair_by_category("矛盾纠纷类型分布", y, now["disputes.by_type"], before["disputes.by_type"], "件"),
        ),
        (
            "inspections_by_domain",
            f"各领域行政检查次数（{y}年与{p}年对比）",
            lambda: _pair_by_category(
                "各领域行政检查次数", y, now["inspections.by_domain"], before["inspections.by_domain"], "次"
            ),
        ),
        (
            "study_by_month",
            f"各月法治学习培训场次（{y}年与{p}年对比）",
            lambda: _pair_by_month("各月法治学习培训场次", y, now["study.by_month"], before["study.by_month"], "场次"),
        ),
        (
            "publicity_by_month",
            f"各月普法宣传活动场次（{y}年与{p}年对比）",
            lambda: _pair_by_month(
                "各月普法宣传活动场次", y, now["publicity.by_month"], before["publicity.by_month"], "场次"
            ),
        ),
        (
            "key_person_changes",
            f"{y}年重点人员变动情况（期初、新增、解除、期末）",
            lambda: _key_persons(f"{y}年重点人员变动情况", now["key_persons.changes"]),
        ),
    ]


# the breakdowns each chart shows (this year's; and last year's unless it is this year only)
CHART_INPUTS = {
    "disputes_by_month": ("disputes.by_month", True),
    "disputes_by_type": ("disputes.by_type", True),
    "inspections_by_domain": ("inspections.by_domain", True),
    "study_by_month": ("study.by_month", True),
    "publicity_by_month": ("publicity.by_month", True),
    "key_person_changes": ("key_persons.changes", False),
}


def _cache_key(name: str, caption: str, year: int, now: dict, before: dict, families: list[str]) -> str:
    from .chart_cache import chart_key

    key, both = CHART_INPUTS.get(name, (None, True))
    data = {"now": now.get(key), "before": before.get(key) if both else None} if key else {"now": now, "before": before}
    return chart_key({"name": name, "caption": caption, "year": year, "data": data, "font": families,
                      "dpi": DPI, "size": SIZE})  # fmt: skip


def render_charts(
    year: int,
    now: dict[str, Any],
    before: dict[str, Any],
    progress: Callable[[int, int], None] | None = None,
    cache=None,
) -> list[Chart]:
    """Draw the six charts; ``progress(done, total)`` after each.

    A chart whose numbers, caption and font are those of one drawn before comes from
    ``cache`` (a ``chart_cache.ChartCache``; the program's own by default; ``False`` draws
    everything): nothing is drawn when nothing changed.
    """
    from .chart_cache import default_cache
    from .fonts import chart_font_families

    if cache is None:
        cache = default_cache()
    families = chart_font_families()
    specs = chart_specs(year, now, before)
    out: list[Chart] = []
    rc = {
        "font.family": [*families, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "savefig.dpi": DPI,
        "figure.dpi": DPI,
    }
    for i, (name, caption, draw) in enumerate(specs, 1):
        key = _cache_key(name, caption, year, now, before, families) if cache else None
        png = cache.get(key) if cache else None
        if png is None:
            import matplotlib

            with matplotlib.rc_context(rc):
                png = draw()
            if cache:
                cache.put(key, png)
        out.append(Chart(name, caption, png))
        if progress:
            progress(i, len(specs))
    return out


def render_all(store, year: int, out_dir: str | Path) -> list[tuple[str, Path]]:
    """The six charts of ``year`` from the store, written as PNGs in ``out_dir``: [(caption, path)]."""
    from app.core import figures

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    charts = render_charts(year, figures.breakdowns(store, year), figures.breakdowns(store, year - 1))
    return [(c.title, c.save(folder, i, getattr(store, "path", None))) for i, c in enumerate(charts, 1)]
