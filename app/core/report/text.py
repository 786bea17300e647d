"""Render the report template into a structured document: blocks with plain text and spans.

Each number a figure printed keeps a :class:`Span` (offsets in the block's plain text, the
figure key and year), so the GUI can mark numbers and link them to the rows behind them.
Every paragraph of 一 and 二 is the office's own wording or the default one
(:mod:`app.core.report.paragraphs`, in the token language of :mod:`app.core.report.tokens`,
never run as template code); 三、存在的不足 / 四、工作计划 / 五、其他 are the office's texts
(one paragraph a line, rendered in the sandbox; the first two default to the reference's).

What a report of a year reads from the store: the settings ``county``, ``town``, ``issuer``,
``province``, ``city``; per year ``report.Y.basis_title`` / ``report.Y.basis_no`` (the county's
工作要点 and its 文号) and ``report.Y.date`` (成文日期, ISO; default today); the report texts
of the year (``shortcomings`` / ``plan`` / ``other``) and the paragraphs' wording.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateError

from app.core.figures.compute import compute
from app.core.figures.definitions import FIGURES
from app.core.ledgers import catalog
from app.core.paths import resource
from app.core.report.coverage import ledger_rows
from app.core.storage.store import Store

from . import calendar, paragraphs, tokens
from .template import (
    MARK_CLOSE,
    MARK_OPEN,
    MARK_SEP,
    MARKS,
    Figures,
    LazyFigures,
    environment,
    f_approx,
    f_cnlist,
    f_rate,
)

DEFAULT_TEMPLATE = "report_default.md.j2"
SECTIONS = ("shortcomings", "plan", "other")  # report_texts sections for 三、四、五
SECTION_DEFAULTS = {"shortcomings": "report_shortcomings.txt.j2", "plan": "report_plan.txt.j2"}
PHRASES_TEMPLATE = "report_phrases.j2"

_NUMERALS = "〇一二三四五六七八九十"
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
class Omission:
    """Words of paragraph ``para_id`` left out of the report, and why (a figure of 0 …)."""

    para_id: str
    text: str
    why: str


@dataclass
class ReportDocument:
    year: int
    blocks: list[Block]
    warnings: list[str] = field(default_factory=list)
    omitted: list[Omission] = field(default_factory=list)

    def plain_text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def paragraph(self, para_id: str) -> Block | None:
        return next((b for b in self.blocks if b.id == para_id), None)


# -- the context -----------------------------------------------------------------------------

# what the report prints where the office has not been named (the check blocks the report then)
UNNAMED_TOWN = "【请在设置中填写单位名称】"
UNNAMED_COUNTY = "【请在设置中填写所在区县】"
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")


def office_words(county: str, town: str) -> dict[str, str]:
    """How the report names the office's own level: 我镇 / 我乡 / 我街道, 县委 / 区委 …"""
    if town.endswith("街道"):
        unit, head, party = "街道", "街道办事处主任", "党工委"
    else:
        unit = town[-1:] if town[-1:] in ("镇", "乡") else "镇"
        head, party = f"{unit}长", "党委"
    cu = county[-1:] if county[-1:] in ("县", "区", "市", "旗") else "县"
    return {"unit": unit, "we": f"我{unit}", "head": head, "party": party, "cu": cu}


def province_short(province: str) -> str:
    """重庆市 -> 重庆, 四川省 -> 四川, 广西壮族自治区 -> 广西."""
    for suffix in _PROVINCE_SUFFIXES:
        if province.endswith(suffix) and len(province) > len(suffix):
            return province[: -len(suffix)]
    return province


def context(
    figures: dict[str, Any],
    *,
    year: int,
    previous: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    county: str = "",
    town: str = "",
    province: str = "",
    city: str = "",
    issuer: str | None = None,
    report_date: dt.date | str | None = None,
    basis_title: str | None = None,
    basis_no: str | None = None,
    ledger_rows: dict[str, int] | None = None,
    facts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The names a report sees (the words of ``tokens.WORDS``, the figures, ``previous``).

    ``previous`` is the year before's figures, or a function computing them when first used.
    ``ledger_rows`` (ledger id -> rows in the year) decides the 〔?ledger〕 conditions; None
    treats every ledger as holding rows.  ``facts``: the office's words for 〔o.name〕 (none:
    those sentences are left out).  An unnamed office prints a visible placeholder.
    """
    prefix = f"{year - 1}:"
    before = LazyFigures(previous, prefix) if callable(previous) else Figures(previous or {}, prefix)
    words = office_words(county, town)
    town_shown = town or UNNAMED_TOWN
    county_shown = county or UNNAMED_COUNTY
    short = province_short(province)
    ctx: dict[str, Any] = dict(Figures(figures).groups())
    ctx.update(
        year=year,
        next_year=year + 1,
        county=county_shown,
        town=town_shown,
        province=province,
        province_short=short,
        city=city,
        visit=f"视察{short}" if short else "",
        issuer=issuer or (f"{county}{town}人民政府" if town else UNNAMED_TOWN),
        report_date=report_date or dt.date.today(),
        basis_title=basis_title or f"{year}年全{words['cu']}法治政府建设工作要点",
        basis_no=f"（{basis_no}）" if basis_no else "",
        previous=before,
        ledger_rows=ledger_rows,
        facts=dict(facts or {}),
        pufa=calendar.pufa(year),
        pufa_next=calendar.pufa(year + 1),
        party_meetings=calendar.party_meetings(year),
        **words,
    )
    return ctx


# -- rendering ---------------------------------------------------------------------------------


def section_default(section: str, year: int | None = None) -> str:
    """The default text of 三、存在的不足 / 四、工作计划 (empty for 五); with ``year``, its
    words of the calendar filled in for that year's report (what the editor shows the clerk)."""
    name = SECTION_DEFAULTS.get(section)
    source = resource("templates", name).read_text(encoding="utf-8") if name else ""
    if year is None or not source:
        return source
    words = {
        "year": year,
        "next_year": year + 1,
        "pufa": calendar.pufa(year),
        "pufa_next": calendar.pufa(year + 1),
        "party_meetings": calendar.party_meetings(year),
    }
    return environment().from_string(source).render(words)


def paragraph_sources() -> dict[str, str]:
    """Each rewordable paragraph's default wording (id -> token text), in report order."""
    return paragraphs.defaults()


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


def _resolver(ctx: dict[str, Any]):
    """``token -> (printed text, counts as 0, label)`` over ``ctx`` for :func:`tokens.render`."""
    labels = {key: f.label for key, f in FIGURES.items()}
    phrases = []

    def phrase(name: str) -> str:
        if not phrases:
            phrases.append(environment().get_template(PHRASES_TEMPLATE).make_module(ctx))
        return str(getattr(phrases[0], f"p_{name}")()).strip()

    def resolve(token: tokens.Token) -> tuple[str, bool, str]:
        if token.kind == "word":
            value = str(ctx.get(token.key) or "")
            return value, not value, tokens.WORDS[token.key]
        if token.kind == "phrase":
            text = phrase(token.key)
            return text, not text, tokens.PHRASES[token.key]
        if token.kind == "guard":
            if token.key in labels:
                return "", False, labels[token.key]
            name = catalog.get(token.key).name
            return "", False, f"{name}本年度{'有' if token.negate else '无'}记录"
        if token.kind == "fact":
            value = expand_words(str((ctx.get("facts") or {}).get(token.key) or ""), ctx)
            return value, not value.strip(), tokens.FACTS[token.key]
        key = token.key
        root: Any = ctx
        label = ""
        if key.startswith("previous."):
            key, root, label = key[len("previous.") :], ctx["previous"], "（上年）"
        group, _, name = key.partition(".")
        num = getattr(root[group] if isinstance(root, dict) else getattr(root, group), name)
        fmt = {"approx": f_approx, "rate": f_rate, "list": f_cnlist}.get(token.fmt, str)
        value = num.value
        return fmt(num), not value, f"{labels.get(key, key)}{label}"

    return resolve


def expand_words(text: str, ctx: dict[str, Any]) -> str:
    """The words tokens (〔unit〕, 〔year〕 …) of an office's fact replaced by their values;
    any other token is left as the text it is."""

    def word(m: re.Match) -> str:
        name = m.group(1)
        return str(ctx.get(name) or "") if name in tokens.WORDS else m.group(0)

    return tokens.TOKEN.sub(word, text)


def render_paragraph(ctx: dict[str, Any], source: str, resolve=None) -> tokens.Rendered:
    """One paragraph's token text over ``ctx`` (marked text, and what was left out);
    ``resolve`` from ``_resolver(ctx)`` when rendering many (the phrases are compiled once)."""
    rows = ctx.get("ledger_rows")

    def has_rows(ledger: str) -> bool | None:
        return None if rows is None else bool(rows.get(ledger))

    return tokens.render(source, paragraphs.parse, resolve or _resolver(ctx), has_rows)


def render(
    ctx: dict[str, Any],
    *,
    texts: dict[str, str] | None = None,
    template_name: str = DEFAULT_TEMPLATE,
) -> ReportDocument:
    """Render the report over ``ctx``; ``texts``: the office's sections and paragraph wordings."""
    texts = texts or {}
    warnings: list[str] = []
    omitted: list[Omission] = []
    env = environment()
    defaults = paragraphs.defaults()
    resolve = _resolver(ctx)

    def paragraph(para_id: str) -> str:
        source = texts.get(para_id) or defaults[para_id]
        if source == paragraphs.DEFAULT_MARK:
            source = defaults[para_id]
        try:
            done = render_paragraph(ctx, source, resolve)
        except ValueError as exc:
            warnings.append(f"改写的“{paragraphs.label(para_id)}”有误（{exc}），已使用默认文字。")
            done = render_paragraph(ctx, defaults[para_id], resolve)
        omitted.extend(Omission(para_id, unmark(text, ctx["year"])[0], why) for text, why in done.omitted)
        out, empty = _drop_empty_items("".join(done.text.splitlines()))
        omitted.extend(Omission(para_id, item, "其下各句均未写入，这一项未写入") for item in empty)
        lead = _LEAD.match(unmark(out, ctx["year"])[0])
        if lead and lead.end() == len(unmark(out, ctx["year"])[0]):  # nothing left under its heading
            omitted.append(Omission(para_id, lead.group(0), "其下各句均未写入，整段未写入"))
            return ""
        return out

    def section(name: str) -> list[str]:
        source = texts.get(name)
        if source is None or not source.strip():
            source = section_default(name)
        source = _checked(source, ctx, f"“{name}”部分", warnings) if source.strip() else ""
        rendered = env.from_string(source).render(ctx) if source else ""
        return [line.strip() for line in rendered.splitlines() if line.strip()]

    rendered = env.get_template(template_name).render(dict(ctx, section=section, paragraph=paragraph))
    blocks = parse(rendered, ctx["year"])
    return ReportDocument(year=ctx["year"], blocks=blocks, warnings=warnings, omitted=omitted)


# an item's heading: 一是优化政务服务。 (one short sentence, no clause of its own)
_ITEM = re.compile(f"(?:(?<=[。；）])|^)([{_NUMERALS[1:]}])是([^。！？，；{MARK_OPEN}]{{1,30}}。)")


def _drop_empty_items(text: str) -> tuple[str, list[str]]:
    """``text`` without its enumerated items (一是……。) that nothing follows before the next
    item or the end (their sentences were all left out), the rest numbered again; and the
    items dropped."""
    items = list(_ITEM.finditer(text))
    if not items:
        return _renumber_items(text), []
    out: list[str] = []
    dropped: list[str] = []
    pos = 0
    number = 0
    for i, m in enumerate(items):
        nxt = items[i + 1].start() if i + 1 < len(items) else len(text)
        out.append(text[pos : m.start()])
        if m.end() == nxt or not text[m.end() : nxt].strip():
            dropped.append(m.group(0))
        else:
            number += 1
            out.append(f"{_NUMERALS[number]}是{m.group(2)}" if number < 11 else m.group(0))
        pos = m.end()
    out.append(text[pos:])
    return _renumber_items("".join(out)), dropped


_ITEM_START = re.compile(f"(?:(?<=[。；）])|^)[{_NUMERALS[1:]}]是")


def _renumber_items(text: str) -> str:
    """一是、二是 … in order again, after an item's sentences were all left out; a lone item
    loses its 一是 (a list of one is no list: 一是 with no 二是 reads as text cut short)."""
    starts = list(_ITEM_START.finditer(text))
    if len(starts) == 1:
        return text[: starts[0].start()] + text[starts[0].end() :]
    count = iter(range(1, 11))
    return _ITEM_START.sub(lambda m: f"{_NUMERALS[next(count, 10)]}是", text)


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
    own_ids = set(paragraphs.defaults())
    number = 0
    for b in blocks:
        b.text, b.spans = unmark(raw[id(b)], year)
        if b.kind == "heading1":
            number = 0
        elif b.id in own_ids and b.text:  # a paragraph left out: the next ones move up
            number += 1
            if _LEAD.match(b.text) and number < 11:
                b.text = f"（{_NUMERALS[number]}）{b.text[b.text.index('）') + 1 :]}"
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


def report_setting(store: Store, year: int, name: str) -> str:
    """``report.Y.name`` from settings (date, basis_title, basis_no); older databases kept
    ``date`` and ``basis_no`` as report texts of the year."""
    value = store.setting(f"report.{year}.{name}")
    if not value and name in ("date", "basis_no"):
        value = store.report_text(year, name)
    return str(value or "").strip()


def store_context(
    store: Store, year: int, figures: dict[str, Any] | None = None, previous: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The context of ``year``'s report over the store's figures and settings, and warnings."""
    warnings = []
    report_date = report_setting(store, year, "date") or None
    if report_date:
        try:
            dt.date.fromisoformat(report_date[:10])
        except ValueError:
            warnings.append(f"成文日期“{report_date}”无法识别，已使用今天的日期。")
            report_date = None
    ctx = context(
        figures if figures is not None else compute(store, year),
        year=year,
        previous=previous if previous is not None else (lambda: compute(store, year - 1)),
        county=store.setting("county") or "",
        town=store.setting("town") or "",
        province=store.setting("province") or "",
        city=store.setting("city") or "",
        issuer=store.setting("issuer") or None,
        report_date=report_date,
        basis_title=report_setting(store, year, "basis_title") or None,
        basis_no=report_setting(store, year, "basis_no") or None,
        ledger_rows=ledger_rows(store, year),
        facts=paragraphs.own_facts(store, year),
    )
    return ctx, warnings


def render_store(
    store: Store, year: int, figures: dict[str, Any] | None = None, previous: dict[str, Any] | None = None
):
    """The report of ``year`` over the store's figures, settings and texts."""
    ctx, warnings = store_context(store, year, figures, previous)
    texts = store.report_texts(year)
    texts.update(paragraphs.own_texts(store, year))
    doc = render(ctx, texts=texts)
    doc.warnings[:0] = warnings
    return doc


def token_display(ctx: dict[str, Any], token: tokens.Token) -> str:
    """How the paragraph editor shows a token: its label and what it prints this year."""
    if token.kind == "guard":
        if token.key in FIGURES:
            return f"{FIGURES[token.key].label}{'为0' if token.negate else '不为0'}时才写"
        name = catalog.get(token.key).name
        return f"{name}{'无' if token.negate else '有'}记录时才写"
    text, zero, label = _resolver(ctx)(token)
    if token.kind == "fact":
        return f"本单位情况“{label}”：{text}" if not zero else f"本单位情况“{label}”：未填写，本句省略"
    shown = unmark(text, ctx["year"])[0] if text else ""
    if token.kind == "word":
        return shown or f"{label}：未设置"
    if zero:
        return f"{label}：0，本句省略" if token.kind == "figure" else f"{label}：（无）"
    return f"{label}：{shown}"
