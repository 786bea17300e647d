"""The token language of the report's paragraphs: the office's own words with live numbers.

A paragraph is plain text with tokens in 〔〕 whose name is ASCII (a 文号 such as 〔2024〕 or any
Chinese in 〔〕 stays text).  Nothing in a paragraph is ever run as template code: a token is
looked up by name, and only these names exist:

- ``〔year〕``, ``〔we〕``, ``〔town〕`` … words from settings (:data:`WORDS`);
- ``〔study.sessions〕`` a figure, exact; ``|approx`` (10余), ``|rate`` (100%), ``|list``
  (a、b、c); ``〔previous.study.sessions〕`` the year before's;
- ``〔p.docs〕`` a phrase: a sentence of ``report_phrases.j2`` whose words change with a figure;
- ``〔?disputes〕`` / ``〔!disputes〕`` a condition: its sentence (when it opens one) or else
  its clause is written only when that ledger has rows in the year (``?``) or has none (``!``);
  ``〔?publicity.enterprise_events〕`` the same on a figure: written only when it is not 0;
- ``〔o.gov_open〕`` the office's own words for a fact of the office no ledger records (a
  team it set up, a routine it keeps): written as if typed in its place, left out (and named
  by the checks) while the office has not written it.  Only words tokens work inside it.

A figure of 0 changes the sentence (DESIGN.md section 3), so the words around a number go with
it: a *clause* (up to ，；。！？) holding a figure that is 0 (or a phrase that prints nothing)
is left out; when every figure of a sentence is 0 the sentence is left out from its first
figure on (``…处理…诉前调解0件，社会矛盾得到有效化解。`` goes whole); a kept clause before a
dropped end takes the sentence's 。.  What was left out is returned, so the checks can name it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

TOKEN = re.compile(r"〔([?!]?[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*(?:\|[a-z]+)?)〕")
FACT_PREFIX = "o."
SEPARATORS = "，；。！？"
ENDS = "。！？"
FORMATS = ("approx", "rate", "list")
QUIET = "\x00"  # the reason of a clause left out as intended, not worth naming

# words from settings a paragraph may use, with the label the editor shows
WORDS = {
    "year": "年度",
    "next_year": "下一年度",
    "province": "省（市）",
    "province_short": "省（市）简称",
    "city": "市（州）",
    "county": "区县",
    "town": "单位名称",
    "issuer": "发文机关",
    "unit": "镇/乡/街道",
    "we": "我镇",
    "head": "镇长",
    "party": "党委",
    "cu": "县/区",
    "visit": "视察本省（市）",
    "basis_title": "工作要点标题",
    "basis_no": "工作要点文号",
    "pufa": "五年普法规划（八五）",
    "party_meetings": "党的全国代表大会和全会",
}

# the office's own words for facts no ledger records (empty for a new office)
FACTS = {
    "enterprise_service": "企业服务机制",
    "gov_open": "政务公开工作",
    "enforcement_reform": "行政执法体制改革专班",
    "enforcement_standard": "行政执法规范化建设",
    "visitors": "重点人群走访力量",
    "duty_tasks": "法治责任保障工作",
}

PHRASES = {
    "study_forms": "法治学习的形式",
    "docs": "规范性文件备案情况",
    "lawsuits": "行政复议诉讼情况",
    "inspections": "行政检查次数",
    "officer_exam": "执法人员学习考试情况",
    "corrections": "社区矫正对象情况",
    "resettlement": "安置帮教对象在册情况",
    "reoffended": "重点人群重新犯罪情况",
    "enterprise_rhythm": "企业走访频次",
    "screening_rhythm": "矛盾纠纷排查频次",
    "publicity_targets": "普法宣传对象",
    "visits": "重点人员走访情况",
    "other_key_persons": "其他重点人员在册情况",
}
# phrases that write words from the ledgers but no number (the forms the year's 学法 used): a
# rewording may leave them out, as it may leave out any wording of its own
WORD_PHRASES = frozenset({"study_forms", "screening_rhythm"})


@dataclass(frozen=True)
class Token:
    """One parsed token: ``kind`` is word | figure | phrase | guard | fact."""

    name: str  # as written between 〔〕
    kind: str
    key: str  # word name, figure key (with ``previous.``), phrase name, ledger id or figure key, fact
    fmt: str = ""  # figure: approx | rate | list | ""
    negate: bool = False  # guard: 〔!ledger〕

    @property
    def is_number(self) -> bool:
        """Figures and phrases carry numbers: the clerk may not drop or change them (a phrase
        of words only, ``WORD_PHRASES``, carries none)."""
        return self.kind == "figure" or (self.kind == "phrase" and self.key not in WORD_PHRASES)


def parse_token(name: str, figure_keys, ledger_ids) -> Token:
    """The token ``name`` (without 〔〕); ``ValueError`` in Chinese when it names nothing."""
    if name[0] in "?!":
        ledger = name[1:]
        if ledger not in ledger_ids and ledger not in figure_keys:
            raise ValueError(f"〔{name}〕：没有台账或数字“{ledger}”")
        return Token(name, "guard", ledger, negate=name[0] == "!")
    base, _, fmt = name.partition("|")
    if fmt and fmt not in FORMATS:
        raise ValueError(f"〔{name}〕：数字的写法只能是 {'、'.join(FORMATS)}")
    if base.startswith(FACT_PREFIX):
        if base[len(FACT_PREFIX) :] not in FACTS or fmt:
            raise ValueError(f"〔{name}〕：没有这项本单位情况")
        return Token(name, "fact", base[len(FACT_PREFIX) :])
    if base.startswith("p."):
        if base[2:] not in PHRASES or fmt:
            raise ValueError(f"〔{name}〕：没有这个语句")
        return Token(name, "phrase", base[2:])
    figure = base[len("previous.") :] if base.startswith("previous.") else base
    if figure in figure_keys:
        return Token(name, "figure", base, fmt)
    if base in WORDS and not fmt:
        return Token(name, "word", base)
    raise ValueError(f"〔{name}〕：没有这个数字或词语")


def split(source: str) -> list[str | Token | tuple[str]]:
    """``source`` as text pieces (str) and token names (1-tuples), in order."""
    out: list = []
    pos = 0
    for m in TOKEN.finditer(source):
        if m.start() > pos:
            out.append(source[pos : m.start()])
        out.append((m.group(1),))
        pos = m.end()
    if pos < len(source):
        out.append(source[pos:])
    return out


def tokens_of(source: str, figure_keys, ledger_ids) -> list[Token]:
    """Every token of ``source``; ``ValueError`` for the first that names nothing."""
    return [parse_token(p[0], figure_keys, ledger_ids) for p in split(source) if isinstance(p, tuple)]


# -- rendering ----------------------------------------------------------------------------------


@dataclass
class Clause:
    text: str = ""
    sep: str = ""
    figures: int = 0  # figures and phrases in it
    zero: list[str] = field(default_factory=list)  # labels of its figures that were 0
    guarded: str = ""  # the failed condition's reason, when a condition dropped it

    def content(self) -> str:
        return self.text.strip()


@dataclass
class Rendered:
    text: str  # with the figure markers of template.mark
    omitted: list[tuple[str, str]]  # (the left-out words, why)


Resolve = Callable[[Token], tuple[str, bool, str]]  # token -> (text, is zero, label)


def render(
    source: str, parse: Callable[[str], Token], resolve: Resolve, has_rows: Callable[[str], bool | None]
) -> Rendered:
    """Render a paragraph's ``source``.

    ``parse(name)`` gives a name's :class:`Token` (a name that names nothing raises);
    ``resolve(token)`` its printed text, whether it counts as 0, and its label;
    ``has_rows(ledger)`` whether the ledger has rows in the year (None: unknown = yes); a
    guard on a figure asks ``resolve`` whether it is 0.
    """
    sentences: list[list[Clause]] = [[]]
    clause = Clause()
    guard = ""
    unwritten: list[tuple[str, str]] = []

    def close(sep: str) -> None:
        nonlocal clause, guard
        clause.sep = sep
        if guard and not clause.guarded:
            clause.guarded = guard
        sentences[-1].append(clause)
        clause = Clause()
        if sep in ENDS:
            sentences.append([])
            guard = ""

    for piece in split(source):
        if isinstance(piece, tuple):
            token = parse(piece[0])
            if token.kind == "fact":
                text, empty, label = resolve(token)
                if empty:
                    unwritten.append((f"〔{label}〕", f"{label}：本单位未填写"))
                for ch in text:  # the office's words, as if typed here
                    if ch in SEPARATORS:
                        close(ch)
                    else:
                        clause.text += ch
                continue
            if token.kind == "guard":
                if "." in token.key:  # a figure: present when not 0
                    rows = not resolve(Token(token.key, "figure", token.key))[1]
                else:
                    rows = has_rows(token.key)
                present = True if rows is None else rows
                if present == token.negate:
                    # a 〔!ledger〕 sentence ("…没有记录") dropped for rows found is no omission
                    why = ("" if token.negate else resolve(token)[2]) or QUIET
                    if not sentences[-1] and not clause.text.strip() and not clause.figures:
                        guard = guard or why  # at a sentence's start: the whole sentence
                    else:
                        clause.guarded = clause.guarded or why  # inside one: its clause
                continue
            text, zero, label = resolve(token)
            if token.is_number:
                clause.figures += 1
                if zero:
                    clause.zero.append(label)
            elif token.kind == "phrase" and zero:  # words the ledgers do not bear out: the clause goes
                clause.guarded = clause.guarded or label
            clause.text += text
            continue
        for ch in piece:
            if ch in SEPARATORS:
                close(ch)
            else:
                clause.text += ch
    if clause.text or clause.figures:
        close("")

    out: list[str] = []
    omitted: list[tuple[str, str]] = []
    for sentence in sentences:
        if not sentence:
            continue
        numbered = [i for i, c in enumerate(sentence) if c.figures]
        cut = numbered[0] if numbered and all(sentence[i].zero for i in numbered) else len(sentence)
        kept: list[Clause] = []
        for i, c in enumerate(sentence):
            if c.guarded or c.zero or i >= cut or not c.content():
                if c.content() and c.guarded != QUIET:
                    why = c.guarded or "、".join(c.zero) or "、".join(z for s in sentence for z in s.zero)
                    omitted.append((c.text + c.sep, why))
                continue
            kept.append(c)
        if not kept:
            continue
        end = sentence[-1].sep
        for c in kept[:-1]:
            out.append(c.text + c.sep)
        last = kept[-1]
        sep = end if last is not sentence[-1] and last.sep in "，；" and end in ENDS else last.sep
        out.append(last.text + sep)
    return Rendered("".join(out), unwritten + _merge(omitted))


def _merge(omitted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Consecutive left-out clauses with the same reason as one."""
    merged: list[tuple[str, str]] = []
    for text, why in omitted:
        if merged and merged[-1][1] == why:
            merged[-1] = (merged[-1][0] + text, why)
        else:
            merged.append((text, why))
    return merged
