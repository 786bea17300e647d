"""The report's rewordable paragraphs: their default wording, the office's own, and saving it.

Every paragraph of the report (开头, 一（一）…（五）, 二（一）…（三）) has a default wording in
``resources/templates/report_paragraphs.txt`` written in the token language of
:mod:`app.core.report.tokens`.  The office may reword any of them per year; the wording is
kept in ``report_texts`` (year, section = the paragraph id, text).  A year without its own
wording takes the latest earlier year's, so next year starts from this year's words.  A year
that went back to the default while an earlier year has its own wording stores
:data:`DEFAULT_MARK`.

Saving refuses a wording that lost one of the paragraph's numbers (a figure or phrase of the
default, in any of its formats) or names a token that does not exist; the reason is one
Chinese sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.core.figures.definitions import KEYS
from app.core.ledgers import catalog
from app.core.paths import resource
from app.core.storage.store import Store

from . import tokens
from .template import MARKS

PARAGRAPHS_FILE = "report_paragraphs.txt"
DEFAULT_MARK = "〔default〕"
OPENING_LABEL = "开头段"


def _sections(file_name: str) -> dict[str, str]:
    """A template file of ``@id`` sections (lines joined; blank and ``#`` lines skipped) ->
    id -> text, in file order."""
    out: dict[str, str] = {}
    current = None
    for line in resource("templates", file_name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            current = line[1:].strip()
            out[current] = ""
        elif current is not None:
            out[current] += line
    return out


@lru_cache(maxsize=1)
def defaults() -> dict[str, str]:
    """Paragraph id -> its default wording (token language), in report order."""
    return _sections(PARAGRAPHS_FILE)


def ids() -> list[str]:
    return list(defaults())


def label(para_id: str) -> str:
    """What the window calls a paragraph: 开头段, or its （一）… heading sentence."""
    if para_id == "opening":
        return OPENING_LABEL
    text = defaults()[para_id]
    head = text.split("。", 1)[0]
    part = "二、" if para_id.startswith("duty_") else "一、"
    return f"{part}{head}"


def figure_keys() -> frozenset[str]:
    return frozenset(KEYS)


def ledger_ids() -> frozenset[str]:
    return frozenset(lg.id for lg in catalog.LEDGERS)


def parse(name: str) -> tokens.Token:
    return tokens.parse_token(name, figure_keys(), ledger_ids())


def required(para_id: str) -> list[tokens.Token]:
    """The paragraph's numbers: the figure and phrase tokens of its default wording."""
    found = tokens.tokens_of(defaults()[para_id], figure_keys(), ledger_ids())
    seen: dict[tuple[str, str], tokens.Token] = {}
    for t in found:
        if t.is_number:
            seen.setdefault((t.kind, t.key), t)
    return list(seen.values())


def clean(text: str) -> str:
    """One line, no stray markers, no spaces a line break left at the joins."""
    for ch in MARKS:
        text = text.replace(ch, "")
    return "".join(line.strip() for line in text.splitlines()).strip()


def validate(para_id: str, text: str, describe=None) -> str:
    """``text`` cleaned, or ``ValueError`` saying in Chinese why it cannot be saved.

    ``describe(token)`` names a token for the message (default: its name).
    """
    if para_id not in defaults():
        raise ValueError(f"报告中没有段落“{para_id}”")
    text = clean(text)
    if not text:
        raise ValueError("段落不能为空；如要恢复原来的文字，请点“恢复默认”。")
    have = {(t.kind, t.key) for t in tokens.tokens_of(text, figure_keys(), ledger_ids())}
    missing = [t for t in required(para_id) if (t.kind, t.key) not in have]
    if missing:
        named = "、".join(f"〔{describe(t) if describe else t.name}〕" for t in missing)
        raise ValueError(f"改写后缺少数字{named}。报告里的数字都来自台账，不能删除；数字为0时，所在的句子会自动省略。")
    return text


def own_text(store: Store, year: int, para_id: str) -> tuple[str, int] | None:
    """The office's wording used in ``year`` and the year it was written, or None (default)."""
    row = store.conn.execute(
        "SELECT text, year FROM report_texts WHERE section = ? AND year <= ? ORDER BY year DESC LIMIT 1",
        (para_id, year),
    ).fetchone()
    if row is None or row[0] == DEFAULT_MARK:
        return None
    return row[0], row[1]


def own_texts(store: Store, year: int) -> dict[str, str]:
    """Paragraph id -> the office's wording in force in ``year`` (own or inherited)."""
    out = {}
    for para_id in defaults():
        found = own_text(store, year, para_id)
        if found:
            out[para_id] = found[0]
    return out


def source(store: Store, year: int, para_id: str) -> str:
    found = own_text(store, year, para_id)
    return found[0] if found else defaults()[para_id]


def save(store: Store, year: int, para_id: str, text: str, describe=None) -> str:
    """Store ``text`` as the paragraph's wording from ``year`` on; returns what was stored.

    A text equal to the default stores nothing (or :data:`DEFAULT_MARK` when an earlier year's
    own wording would otherwise come back).
    """
    text = validate(para_id, text, describe)
    if text == defaults()[para_id]:
        return reset(store, year, para_id)
    store.set_report_text(year, para_id, text)
    return text


def reset(store: Store, year: int, para_id: str) -> str:
    """Back to the default wording in ``year`` (later years that inherit follow)."""
    if para_id not in defaults():
        raise ValueError(f"报告中没有段落“{para_id}”")
    store.set_report_text(year, para_id, None)
    if own_text(store, year, para_id) is not None:  # an earlier year's wording would show through
        store.set_report_text(year, para_id, DEFAULT_MARK)
    return ""


# -- the office's facts (〔o.name〕): words for what no ledger records ---------------------------

FACT_SECTION = "fact."
FACTS_FILE = "report_facts.txt"


def fact_ids() -> list[str]:
    """``fact.gov_open`` …: the section names the office's facts are kept under."""
    return [FACT_SECTION + name for name in tokens.FACTS]


@lru_cache(maxsize=1)
def fact_examples() -> dict[str, str]:
    """An example wording of each fact (the 2024 武平镇 report's): offered to the clerk, and what
    the demo office writes.  A new office's report has none of them until it writes its own."""
    return _sections(FACTS_FILE)


def own_facts(store: Store, year: int) -> dict[str, str]:
    """Fact name -> the office's words in force in ``year`` (its own or an earlier year's)."""
    out = {}
    for name in tokens.FACTS:
        found = own_text(store, year, FACT_SECTION + name)
        if found:
            out[name] = found[0]
    return out


def save_fact(store: Store, year: int, name: str, text: str | None) -> str:
    """The office's words for fact ``name`` from ``year`` on; empty leaves it out from then on."""
    if name not in tokens.FACTS:
        raise ValueError(f"没有这项本单位情况“{name}”")
    text = clean(text or "")
    section = FACT_SECTION + name
    if text:
        store.set_report_text(year, section, text)
        return text
    store.set_report_text(year, section, None)
    if own_text(store, year, section) is not None:  # an earlier year's words would show through
        store.set_report_text(year, section, DEFAULT_MARK)
    return ""


# a number typed as text (not a token): 2次, 15.5%, 2024年
LITERAL_NUMBER = re.compile(r"\d+(?:\.\d+)?[%％]?")


def literal_numbers(text: str, allowed: str = "") -> list[str]:
    """Numbers typed into ``text`` outside its tokens (with the character after each, so
    ``2次`` reads as said) that ``allowed`` (the default wording) does not also contain."""
    plain = tokens.TOKEN.sub("", text)
    known = set(LITERAL_NUMBER.findall(tokens.TOKEN.sub("", allowed)))
    found = []
    for m in LITERAL_NUMBER.finditer(plain):
        if m.group(0) in known:
            continue
        found.append(plain[m.start() : m.end() + 1])
    return found


def inherited_literals(store: Store, year: int) -> list[tuple[str, int, list[str]]]:
    """(paragraph or fact label, the year it was written, its typed numbers) for each wording
    ``year`` inherits from an earlier year that has a number typed as text: true of the year it
    was written, maybe not of this one."""
    out = []
    items = [(pid, label(pid), defaults()[pid]) for pid in defaults()]
    items += [(FACT_SECTION + n, tokens.FACTS[n], fact_examples().get(n, "")) for n in tokens.FACTS]
    for section, name, default in items:
        found = own_text(store, year, section)
        if not found or found[1] >= year:
            continue
        numbers = literal_numbers(found[0], default)
        if numbers:
            out.append((name, found[1], numbers))
    return out
