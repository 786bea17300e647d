"""Render the report template into a structured document: blocks with plain text and spans.

Each number a figure printed keeps a :class:`Span` (offsets in the block's plain text, the
figure key and year), so the GUI can mark numbers and link them to the rows behind them.
The office's reworded paragraphs (report text ``para:<id>``) and its own texts for
三、存在的不足 / 四、工作计划 / 五、其他 are templates over the same names.

Report texts of a year (``store.report_text(year, key)``) read here:
``shortcomings`` / ``plan`` / ``other`` (one paragraph a line; the first two default to the
reference's), ``para:<id>`` (a reworded paragraph; ids in ``paragraph_sources()``), ``date``
(成文日期, ISO; default today) and ``basis_no`` (the 文号 of the county's 工作要点, printed in
brackets after its title in the opening paragraph when set).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import TemplateError

from app.core.paths import resource

from .template import MARK_CLOSE, MARK_OPEN, MARK_SEP, MARKS, Figures, LazyFigures, environment

DEFAULT_TEMPLATE = "report_default.md.j2"
SECTIONS = ("shortcomings", "plan", "other")  # report_texts sections for 三、四、五
SECTION_DEFAULTS = {"shortcomings": "report_shortcomings.txt.j2", "plan": "report_plan.txt.j2"}
PARA_PREFIX = "para:"

# the numerals of （一）… headings
_LEAD = re.compile(r"^（[一二三四五六七八九十]+）[^。！？]*[。！？]?")
_MARKED = re.compile(f"{MARK_OPEN}([^{MARK_SEP}]*){MARK_SEP}([^{MARK_CLOSE}]*){MARK_CLOSE}")


@dataclass
class Span:
    """Characters ``start:end`` of a block's text were printed from figure ``key`` of ``year``."""

    start: int
    end: int
    key: str
    year: int


@dataclass
class Block:
    """One line of the report.

    kind: title | heading1 | heading2 | paragraph | signature | date.
    ``lead`` is the length of a （一）… heading sentence that opens a paragraph (set in 楷体).
    """

    kind: str
    text: str
    id: str | None = None
    spans: list[Span] = field(default_factory=list)
    lead: int = 0


@dataclass
class ReportDocument:
    year: int
    blocks: list[Block]
    warnings: list[str] = field(default_factory=list)

    def plain_text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def paragraph(self, para_id: str) -> Block | None:
        return next((b for b in self.blocks if b.id == para_id), None)


# -- the context -----------------------------------------------------------------------------


def office_words(county: str, town: str) -> dict[str, str]:
    """How the report names the office's own level: 我镇 / 我乡 / 我街道, 县委 / 区委 …"""
    if town.endswith("街道"):
        unit, head, party = "街道", "街道办事处主任", "党工委"
    else:
        unit = town[-1:] or "镇"
        head, party = f"{unit}长", "党委"
    return {"unit": unit, "we": f"我{unit}", "head": head, "party": party, "cu": county[-1:] or "县"}


def context(
    figures: dict[str, Any],
    *,
    year: int,
    previous: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    county: str = "丰都县",
    town: str = "武平镇",
    issuer: str | None = None,
    report_date: dt.date | str | None = None,
    basis_no: str | None = None,
) -> dict[str, Any]:
    """The names a report template sees (see the comment at the top of the default template).

    ``previous`` is the year before's figures, or a function computing them when first used.
    """
    prefix = f"{year - 1}:"
    before = LazyFigures(previous, prefix) if callable(previous) else Figures(previous or {}, prefix)
    ctx: dict[str, Any] = dict(Figures(figures).groups())
    ctx.update(
        year=year,
        next_year=year + 1,
        county=county,
        town=town,
        issuer=issuer or f"{county}{town}人民政府",
        report_date=report_date or dt.date.today(),
        basis_no=basis_no or "",
        previous=before,
        **office_words(county, town),
    )
    return ctx


# -- rendering ---------------------------------------------------------------------------------


def section_default(section: str) -> str:
    """The default text of 三、存在的不足 / 四、工作计划 (empty for 五)."""
    name = SECTION_DEFAULTS.get(section)
    return resource("templates", name).read_text(encoding="utf-8") if name else ""


@lru_cache(maxsize=4)
def paragraph_sources(template_name: str = DEFAULT_TEMPLATE) -> dict[str, str]:
    """Each rewordable paragraph's default source (block name -> template text), for editing."""
    src = resource("templates", template_name).read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"\{% block (\w+) %\}(.*?)\{% endblock %\}", src, re.S):
        out[m.group(1)] = "".join(line.strip() for line in m.group(2).splitlines())
    return out


def _literal(text: str) -> str:
    return "{% raw %}" + text.replace("{% endraw %}", "") + "{% endraw %}"


def _checked(source: str, ctx: dict[str, Any], what: str, warnings: list[str]) -> str:
    """``source`` if it renders over ``ctx``; else the same text taken literally, with a warning."""
    try:
        environment().from_string(source).render(ctx)
        return source
    except TemplateError as exc:
        warnings.append(f"{what}中的模板写法有误，已按原文输出：{exc}")
        return _literal(source)


def render(
    ctx: dict[str, Any],
    *,
    texts: dict[str, str] | None = None,
    template_name: str = DEFAULT_TEMPLATE,
) -> ReportDocument:
    """Render the template over ``ctx`` with the office's ``texts`` (report_texts of the year)."""
    texts = texts or {}
    warnings: list[str] = []
    env = environment()
    known = paragraph_sources(template_name)
    overrides = {}
    for key, text in texts.items():
        if not key.startswith(PARA_PREFIX) or not text.strip():
            continue
        name = key[len(PARA_PREFIX) :]
        if name not in known:
            warnings.append(f"报告中没有段落“{name}”，其改写内容未使用。")
            continue
        one_line = "".join(line.strip() for line in text.splitlines())
        overrides[name] = _checked(one_line, ctx, f"改写的段落“{name}”", warnings)

    def section(name: str) -> list[str]:
        source = texts.get(name)
        if source is None or not source.strip():
            source = section_default(name)
        source = _checked(source, ctx, f"“{name}”部分", warnings) if source.strip() else ""
        rendered = env.from_string(source).render(ctx) if source else ""
        return [line.strip() for line in rendered.splitlines() if line.strip()]

    full = dict(ctx, section=section)
    if overrides:
        child = (
            "{% extends "
            + repr(template_name)
            + " %}"
            + "".join(f"{{% block {name} %}}{src}{{% endblock %}}" for name, src in overrides.items())
        )
        tmpl = env.from_string(child)
    else:
        tmpl = env.get_template(template_name)
    rendered = tmpl.render(full)
    return ReportDocument(year=ctx["year"], blocks=parse(rendered, ctx["year"]), warnings=warnings)


def parse(rendered: str, year: int) -> list[Block]:
    """The rendered template's lines (see the template's grammar) as blocks."""
    blocks: list[Block] = []
    current: Block | None = None
    raw: dict[int, str] = {}
    for line in rendered.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("## "):
            current = Block("heading1", line[3:].strip())
        elif line.startswith("# "):
            current = Block("title", line[2:].strip())
        elif line.startswith("@"):
            para_id, _, rest = line[1:].partition(" ")
            current = Block("paragraph", rest.strip(), id=para_id)
        elif line.startswith("!signature"):
            current = Block("signature", line[len("!signature") :].strip())
        elif line.startswith("!date"):
            current = Block("date", line[len("!date") :].strip())
        elif current is not None and current.kind == "paragraph":
            raw[id(current)] += line
            continue
        else:
            current = Block("paragraph", line)
        blocks.append(current)
        raw[id(current)] = current.text
    for b in blocks:
        b.text, b.spans = unmark(raw[id(b)], year)
        if b.kind == "paragraph":
            m = _LEAD.match(b.text)
            if m and m.end() == len(b.text):
                b.kind = "heading2"
            elif m:
                b.lead = m.end()
    return [b for b in blocks if b.text]


def unmark(text: str, year: int) -> tuple[str, list[Span]]:
    """Strip the figure markers: plain text and the spans they delimited."""
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    length = 0
    for m in _MARKED.finditer(text):
        chunk = text[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        key, shown = m.group(1), m.group(2)
        span_year = year
        if ":" in key:
            y, _, key = key.partition(":")
            span_year = int(y)
        spans.append(Span(length, length + len(shown), key, span_year))
        out.append(shown)
        length += len(shown)
        pos = m.end()
    out.append(text[pos:])
    plain = "".join(out)
    for ch in MARKS:  # stray markers (a clerk's pasted text) never reach the document
        plain = plain.replace(ch, "")
    return plain, spans


def render_store(store, year: int, figures: dict[str, Any] | None = None, previous: dict[str, Any] | None = None):
    """The report of ``year`` over the store's figures, settings and texts."""
    from app.core import figures as figs

    texts = store.report_texts(year)
    warnings = []
    report_date = texts.get("date") or None
    if report_date:
        try:
            dt.date.fromisoformat(report_date[:10])
        except ValueError:
            warnings.append(f"成文日期“{report_date}”无法识别，已使用今天的日期。")
            report_date = None
    ctx = context(
        figures if figures is not None else figs.compute(store, year),
        year=year,
        previous=previous if previous is not None else (lambda: figs.compute(store, year - 1)),
        county=store.setting("county") or "",
        town=store.setting("town") or "",
        issuer=store.issuer,
        report_date=report_date,
        basis_no=texts.get("basis_no") or None,
    )
    doc = render(ctx, texts=texts)
    doc.warnings[:0] = warnings
    return doc
