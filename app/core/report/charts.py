"""The report's charts (matplotlib, Agg, PNG at 200 dpi): each draws exactly the figures its
sentence states (split by month, type or 领域 from the same definition, so the bars add up to
the text's number), compares with last year only when last year has data, and is left out when
it has nothing to show.  No chart breaks 重点人群 down into 吸毒人员 / 严重精神障碍患者.

matplotlib is imported inside the functions only: the program starts without it.  Chart text
uses Microsoft YaHei or SimHei when installed, else the bundled Noto Sans SC (GBK subset).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.figures.breakdowns import report_breakdowns
from app.core.paths import check_output_path
from app.core.report import chart_cache, fonts
from app.core.storage.store import Store

DPI = 200
SIZE = (7.5, 4.2)  # inches: 150 mm wide in the report
MONTHS = [f"{m}月" for m in range(1, 13)]
COLOURS = ("#9fb7d6", "#c0392b")  # last year muted, this year red
PERSON_KEYS = ("added", "released", "active")
PERSON_STAGES = ("新增", "解除", "年末在册")
PERSON_WORDS = dict(zip(PERSON_KEYS, PERSON_STAGES, strict=True))
STAGE_COLOURS = ("#9fb7d6", "#e67e22", "#7f8c8d", "#c0392b")


@dataclass
class Chart:
    name: str  # file stem
    title: str
    png: bytes
    alt: str = ""  # the picture's description in the .docx: its numbers and total
    figure: str | None = None  # the figure its bars add up to
    total: int = 0

    def save(self, folder: str | Path, index: int, db_path: str | Path | None = None) -> Path:
        """Write the PNG into ``folder``; never over the database ``db_path`` or its files."""

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


def _pair_by_month(title: str, year: int, now: list[int], before: list[int] | None, ylabel: str) -> bytes:
    """Bars per month; last year's beside them when ``before`` is given."""
    fig = _figure()
    ax = fig.add_subplot()
    x = range(12)
    w = 0.4 if before is not None else 0.6
    if before is not None:
        b1 = ax.bar([i - w / 2 for i in x], before, w, label=f"{year - 1}年", color=COLOURS[0])
        _label_bars(ax, b1)
    b2 = ax.bar([i + w / 2 if before is not None else i for i in x], now, w, label=f"{year}年", color=COLOURS[1])
    _label_bars(ax, b2)
    ax.set_xticks(list(x), MONTHS)
    ax.set_ylabel(ylabel)
    ax.yaxis.get_major_locator().set_params(integer=True)
    _style(ax, title)
    ax.grid(axis="x", visible=False)
    if before is not None:
        ax.legend(frameon=False)
    _margins(fig, left_chars=1.5)
    return _png(fig)


def _categories(now: dict[str, int], before: dict[str, int] | None) -> list[str]:
    """The categories a chart shows: those with a count (in either year), most first."""
    before = before or {}
    cats = [c for c in now if now.get(c) or before.get(c)] or list(now)[:1] or ["（无）"]
    cats.sort(key=lambda c: (now.get(c, 0), before.get(c, 0)))
    return cats


def _pair_by_category(title: str, year: int, now: dict[str, int], before: dict[str, int] | None, xlabel: str) -> bytes:
    """Horizontal bars per category (those with any count), most first; last year's beside
    them when ``before`` is given."""
    cats = _categories(now, before)
    fig = _figure()
    ax = fig.add_subplot()
    y = range(len(cats))
    h = 0.4 if before is not None else 0.6
    if before is not None:
        b1 = ax.barh([i - h / 2 for i in y], [before.get(c, 0) for c in cats], h, label=f"{year - 1}年",
                     color=COLOURS[0])  # fmt: skip
        _label_bars(ax, b1, horizontal=True)
    ys = [i + h / 2 if before is not None else i for i in y]
    b2 = ax.barh(ys, [now.get(c, 0) for c in cats], h, label=f"{year}年", color=COLOURS[1])
    _label_bars(ax, b2, horizontal=True)
    ax.set_yticks(list(y), cats)
    ax.set_xlabel(xlabel)
    ax.xaxis.get_major_locator().set_params(integer=True)
    _style(ax, title)
    ax.grid(axis="y", visible=False)
    if before is not None:
        ax.legend(frameon=False, loc="lower right")
    _margins(fig, left_chars=max(len(c) for c in cats))
    return _png(fig)


def _key_persons(title: str, figures: dict[str, dict[str, int]]) -> bytes:
    """Per 类别 the bars of the figures the text states of it (新增 / 解除 / 年末在册): a
    figure the text does not state of a 类别 has no bar (not a bar of 0)."""
    cats = list(figures) or ["（无）"]
    fig = _figure()
    ax = fig.add_subplot()
    w = 0.25
    for k, (key, stage, colour) in enumerate(zip(PERSON_KEYS, PERSON_STAGES, STAGE_COLOURS[1:], strict=True)):
        idx = [i for i, c in enumerate(cats) if key in figures.get(c, {})]
        if not idx:
            continue
        xs = [i + (k - 1) * w for i in idx]
        bars = ax.bar(xs, [figures[cats[i]][key] for i in idx], w, label=stage, color=colour)
        _label_bars(ax, bars)
    ax.set_xticks(list(range(len(cats))), cats)
    ax.set_ylabel("人数")
    ax.yaxis.get_major_locator().set_params(integer=True)
    _style(ax, title)
    ax.grid(axis="x", visible=False)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    _margins(fig, left_chars=1.5, legend_below=True)
    return _png(fig)


@dataclass
class ChartSpec:
    """One chart of the report: the figure its bars add up to (``figure``, None for the 重点人群
    chart, which shows several), the numbers, and what it is called."""

    name: str
    title: str  # what it shows, with the year (and 与上年对比 when it compares)
    figure: str | None
    unit: str
    labels: list[str]
    now: list[int]
    before: list[int] | None  # last year's, only when last year has any
    draw: Callable[[], bytes]

    @property
    def total(self) -> int:
        return sum(self.now)

    def alt(self, year: int) -> str:
        """The picture's description: every number it shows and the total."""

        def listing(values: list[int]) -> str:
            shown = [f"{lab}{v}{self.unit}" for lab, v in zip(self.labels, values, strict=True)]
            return "、".join(shown) + f"，合计{sum(values)}{self.unit}"

        if self.figure is None:
            return f"{self.title}：{'；'.join(self.labels)}。"
        text = f"{self.title}：{year}年{listing(self.now)}"
        if self.before is not None:
            text += f"；{year - 1}年{listing(self.before)}"
        return text + "。"


def _compared(before: list[int]) -> list[int] | None:
    return before if any(before) else None


def chart_specs(year: int, now: dict[str, Any], before: dict[str, Any]) -> list[ChartSpec]:
    """The report's charts from ``report_breakdowns`` of ``year`` and ``year - 1``; a chart with
    nothing to show is left out, and one compares with last year only when last year has data."""
    y = year
    specs: list[ChartSpec] = []

    def titled(what: str, note: str, compare: bool) -> str:
        notes = [n for n in (note, f"与{y - 1}年对比" if compare else "") if n]
        return f"{y}年{what}" + (f"（{'，'.join(notes)}）" if notes else "")

    def by_month(name: str, key: str, figure: str, what: str, unit: str, note: str = "") -> None:
        values = list(now[key])
        if not any(values):
            return
        prev = _compared(list(before.get(key) or [0] * 12))
        title = titled(f"各月{what}", note, prev is not None)
        specs.append(ChartSpec(name, title, figure, unit, MONTHS, values, prev,
                               lambda: _pair_by_month(title, y, values, prev, unit)))  # fmt: skip

    def by_category(name: str, key: str, figure: str, what: str, unit: str, note: str = "") -> None:
        cur = dict(now[key])
        if not any(cur.values()):
            return
        old = dict(before.get(key) or {})
        compare = any(old.values())
        cats = [c for c in cur if cur[c] or (compare and old.get(c))]
        prev = [old.get(c, 0) for c in cats] if compare else None
        title = titled(what, note, compare)
        specs.append(ChartSpec(name, title, figure, unit, cats, [cur[c] for c in cats], prev,
                               lambda: _pair_by_category(title, y, cur, old if compare else None, unit)))  # fmt: skip

    by_month("disputes_by_month", "disputes.screened_by_month", "disputes.screened", "自主排查矛盾纠纷件数", "件")
    by_category("disputes_by_type", "disputes.mediated_by_type", "disputes.mediated", "人民调解案件类型分布", "件")
    by_category("inspections_by_domain", "enforcement.inspections_by_domain", "enforcement.inspections",
                "各领域行政检查次数", "次", "不含综合查一次")  # fmt: skip
    by_month("study_by_month", "study.sessions_by_month", "study.sessions", "法治学习教育次数", "次")
    by_month("publicity_by_month", "publicity.events_by_month", "publicity.events", "普法宣传活动场次", "场次")

    persons = {c: dict(v) for c, v in (now.get("key_persons.published") or {}).items() if any(v.values())}
    if persons:
        title = f"{y}年社区矫正对象和安置帮教对象情况"
        labels = [
            f"{c}" + "、".join(f"{PERSON_WORDS[k]}{n}名" for k, n in v.items() if k in PERSON_WORDS)
            for c, v in persons.items()
        ]
        values = [n for v in persons.values() for n in v.values()]
        specs.append(ChartSpec("key_person_changes", title, None, "名", labels, values, None,
                               lambda: _key_persons(title, persons)))  # fmt: skip
    return specs


def _cache_key(spec: ChartSpec, families: list[str]) -> str:
    return chart_cache.chart_key({"name": spec.name, "caption": spec.title, "labels": spec.labels, "now": spec.now,
                      "before": spec.before, "font": families, "dpi": DPI, "size": SIZE})  # fmt: skip


def render_charts(
    year: int,
    now: dict[str, Any],
    before: dict[str, Any],
    progress: Callable[[int, int], None] | None = None,
    cache=None,
) -> list[Chart]:
    """Draw the report's charts (``chart_specs``: the empty ones left out) from
    ``figures.report_breakdowns`` of ``year`` and ``year - 1``; ``progress(done, total)`` after
    each.

    A chart whose numbers, caption and font are those of one drawn before comes from
    ``cache`` (a ``chart_cache.ChartCache``; the program's own by default; ``False`` draws
    everything): nothing is drawn when nothing changed.
    """
    if cache is None:
        cache = chart_cache.default_cache()
    families = fonts.chart_font_families()  # looked up when called: tests replace it
    specs = chart_specs(year, now, before)
    out: list[Chart] = []
    rc = {
        "font.family": [*families, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "savefig.dpi": DPI,
        "figure.dpi": DPI,
    }
    for i, spec in enumerate(specs, 1):
        key = _cache_key(spec, families) if cache else None
        png = cache.get(key) if cache else None
        if png is None:
            import matplotlib

            with matplotlib.rc_context(rc):
                png = spec.draw()
            if cache:
                cache.put(key, png)
        out.append(Chart(spec.name, spec.title, png, spec.alt(year), spec.figure, spec.total))
        if progress:
            progress(i, len(specs))
    return out


def render_all(store: Store, year: int, out_dir: str | Path) -> list[tuple[str, Path]]:
    """The report's charts of ``year`` from the store, written as PNGs in ``out_dir``: [(caption, path)]."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    charts = render_charts(year, report_breakdowns(store, year), report_breakdowns(store, year - 1))
    return [(c.title, c.save(folder, i, getattr(store, "path", None))) for i, c in enumerate(charts, 1)]
