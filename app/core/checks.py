"""Data-quality checks before a report (DESIGN.md section 4).

Each check looks at the rows of year Y and returns at most one ``Finding`` naming every row
it concerns, so the clerk can open and fix them.  ``error`` = the data breaks a rule (the
report would be wrong); ``warning`` = the report would be weak or a claim in it doubtful.
Rows that break entry rules can only come from outside the program (raw SQL, old files), but
the checks must still catch them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from app.core.figures.definitions import figures_using
from app.core.ledgers import catalog
from app.core.ledgers.privacy import mask_ids_in_text
from app.core.ledgers.validation import mask_idcard, parse_idcard, split_names
from app.core.report.checks import REPORT_CHECKS, Finding
from app.core.storage.common import year_bounds
from app.core.storage.store import Store

OPEN_STATES = ("待调解", "调解中")
OPEN_DAYS = 30


def as_of(year: int, today: dt.date | None = None) -> dt.date:
    """The day a year is judged on: 31 Dec, or today while the year is still running."""
    today = today or dt.date.today()
    return min(dt.date(year, 12, 31), today)


def _finding(code, title, severity, ledger, hits: list[tuple[int, str]]) -> list[Finding]:
    if not hits:
        return []
    return [Finding(code, title, severity, ledger, [rid for rid, _ in hits], "\n".join(line for _, line in hits))]


def _dispute_line(registered: str, source: str | None, parties: str | None, summary: str | None) -> str:
    """A dispute as a finding names it: 登记日期, 来源, 当事人, the start of its 概况; a part
    the row lacks (a 待补充 row imported without it) drops with its punctuation."""
    line = f"{registered} {f'{source}：' if source else ''}{parties or '（未填当事人）'}"
    return f"{line}，{summary[:30]}" if summary else line


def disputes_open(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    day = as_of(year, today).isoformat()
    sql = (
        "SELECT id, registered_on, source, parties, summary, status,"
        " CAST(julianday(:day) - julianday(registered_on) AS INTEGER) FROM disputes"
        " WHERE +deleted_at IS NULL AND status IN ('待调解', '调解中')"
        " AND julianday(:day) - julianday(registered_on) > :days ORDER BY registered_on, id"
    )
    hits = [
        (rid, f"{_dispute_line(reg, src, parties, summary)}（{status}，已{days}天）")
        for rid, reg, src, parties, summary, status, days in store.conn.execute(sql, {"day": day, "days": OPEN_DAYS})
    ]
    return _finding("disputes_open", f"矛盾纠纷超过{OPEN_DAYS}天未结案", "warning", "disputes", hits)


def dispute_dates_disagree(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    """A dispute whose 状态 and 结案日期 disagree: closed without a 结案日期, a 结案日期 on an open
    case, or a 结案日期 before its 登记日期.  The returns still add up (DESIGN.md section 3b:
    such a row stays 未结 until both say closed, and one closed "before" it was registered is
    办结 when registered), but the clerk should put it right.  Rows that bear on Y: registered
    by its end, and registered in it, open, or closed in it or later."""
    lo, hi = year_bounds(year)
    closed = ", ".join(f"'{s}'" for s in catalog.CLOSED_DISPUTE_STATES)
    sql = (
        "SELECT id, registered_on, parties, summary, status, closed_on FROM disputes"
        " WHERE deleted_at IS NULL AND registered_on <= :hi"
        " AND (registered_on >= :lo OR IFNULL(closed_on, '') = '' OR closed_on >= :lo)"
        f" AND ((IFNULL(status, '') IN ({closed})) <> (IFNULL(closed_on, '') <> '')"
        "      OR (IFNULL(closed_on, '') <> '' AND closed_on < registered_on))"
        " ORDER BY registered_on, id"
    )
    hits = []
    for rid, reg, parties, summary, status, closed_on in store.conn.execute(sql, {"lo": lo, "hi": hi}):
        if not closed_on:
            why = f"状态为{status}，但未填结案日期（报表中计为未结）"
        elif status not in catalog.CLOSED_DISPUTE_STATES:
            why = f"已填结案日期 {closed_on}，但状态为{status or '空'}（报表中计为未结）"
        else:
            why = f"结案日期 {closed_on} 早于登记日期（报表中按登记日期计为办结）"
        hits.append((rid, f"{_dispute_line(reg, None, parties, summary)}：{why}"))
    return _finding("dispute_dates_disagree", "矛盾纠纷的状态与结案日期不一致", "error", "disputes", hits)


def _year_rows(store: Store, ledger_id: str, year: int, cols: str, where: str = "1") -> list[tuple]:
    lg = catalog.get(ledger_id)
    lo, hi = year_bounds(year)
    date = lg.date_field
    sql = (
        f'SELECT id, "{date}", {cols} FROM "{lg.id}" WHERE +deleted_at IS NULL AND "{date}" BETWEEN ? AND ?'
        f' AND ({where}) ORDER BY "{date}", id'
    )
    return store.conn.execute(sql, (lo, hi)).fetchall()


def _on_duty(store: Store) -> dict[str, list[tuple[str, str | None]]]:
    """name -> the (持证日期, 离岗日期) spans of the 执法人员名册."""
    spans: dict[str, list[tuple[str, str | None]]] = {}
    sql = "SELECT name, certified_on, left_on FROM enforcement_officers WHERE deleted_at IS NULL"
    for name, start, end in store.conn.execute(sql):
        spans.setdefault(name, []).append((start or "", end or None))
    return spans


def inspection_officers(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    """Fewer than 2 officers (error); names missing from the roster or not on duty that day."""
    roster = _on_duty(store)
    few, unknown = [], []
    for rid, date, target, officers in _year_rows(store, "inspections", year, "target, officers"):
        names = split_names(officers or "")
        if len(names) < 2:
            few.append((rid, f"{date} {target}：执法人员仅{len(names)}名（{'、'.join(names) or '未填'}）"))
        missing = [n for n in names if n not in roster]
        off_duty = [
            n for n in names if n in roster and not any(s <= date and (e is None or e > date) for s, e in roster[n])
        ]
        problems = [f"{'、'.join(missing)} 不在执法人员名册中"] if missing else []
        problems += [f"{'、'.join(off_duty)} 当日未持证在岗"] if off_duty else []
        if problems:
            unknown.append((rid, f"{date} {target}：{'；'.join(problems)}"))
    return _finding("inspection_officers", "行政检查执法人员少于2名", "error", "inspections", few) + _finding(
        "inspection_unknown_officer", "行政检查的执法人员不在名册中或当日不在岗", "warning", "inspections", unknown
    )


def penalties_unreviewed(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    rows = _year_rows(store, "penalties", year, "decision_no, party", "legal_review IS NOT '是'")
    hits = [(rid, f"{date} {no}（{party}）：未经法制审核") for rid, date, no, party in rows]
    return _finding("penalties_unreviewed", "行政处罚未经法制审核", "warning", "penalties", hits)


def _months(year: int, day: dt.date) -> list[tuple[int, str, str]]:
    """(month, first day, last day) of each month of ``year`` up to ``day``'s month."""
    out = []
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        if first > day:
            break
        last = dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        out.append((m, first.isoformat(), last.isoformat()))
    return out


def visits_missing(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    """社区矫正对象 and 安置帮教对象 on the roster in a month of Y without a visit that month."""
    lo, hi = year_bounds(year)
    day = as_of(year, today)
    sql = (
        "SELECT p.id, p.name, p.category, p.listed_on, p.released_on,"
        " (SELECT group_concat(DISTINCT CAST(substr(v.date, 6, 2) AS INTEGER)) FROM visits v"
        "   WHERE v.person_id = p.id AND v.deleted_at IS NULL AND v.date BETWEEN :lo AND :hi)"
        " FROM key_persons p WHERE p.deleted_at IS NULL AND p.category IN ('社区矫正对象', '安置帮教对象')"
        " AND p.listed_on <= :hi AND (p.released_on IS NULL OR p.released_on = '' OR p.released_on >= :lo)"
        " ORDER BY p.id"
    )
    hits = []
    for rid, name, category, listed, released, visited in store.conn.execute(sql, {"lo": lo, "hi": hi}):
        seen = {int(m) for m in (visited or "").split(",") if m}
        gaps = [
            m
            for m, first, last in _months(year, day)
            if listed <= last and (not released or released >= first) and m not in seen
        ]
        if gaps:
            hits.append((rid, f"{name}（{category}）：{'、'.join(f'{m}月' for m in gaps)}无走访记录"))
    return _finding("visits_missing", "重点人员有月份未走访", "warning", "key_persons", hits)


def idcards_invalid(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    """Invalid ID numbers (身份证号), or missing where a ``required_when`` rule of the ledger
    asks for one, in every ledger with an "idcard" field: a roster's rows on it during Y
    (a 重点人员), another ledger's rows dated in Y.  One finding per ledger and field."""
    out: list[Finding] = []
    for lg in catalog.LEDGERS:
        for f in lg.fields:
            if f.kind == "idcard":
                out += _idcards_invalid(store, lg, f, year)
    return out


def _idcards_invalid(store: Store, lg: catalog.Ledger, f: catalog.Field, year: int) -> list[Finding]:
    lo, hi = year_bounds(year)
    rules = [r for r in lg.rules if r.kind == "required_when" and r.fields[0] == f.key]
    shown = list(dict.fromkeys(r.fields[1] for r in rules))  # what makes it required: 类别
    cols = ", ".join(f'"{k}"' for k in (lg.title_field or "id", *shown, f.key))
    if lg.start_field:
        where = f' AND "{lg.start_field}" <= :hi'
        if lg.end_field:
            where += f' AND ("{lg.end_field}" IS NULL OR "{lg.end_field}" = \'\' OR "{lg.end_field}" >= :lo)'
    elif lg.date_field:
        where = f' AND "{lg.date_field}" BETWEEN :lo AND :hi'
    else:
        where = ""
    sql = f'SELECT id, {cols} FROM "{lg.id}" WHERE deleted_at IS NULL{where} ORDER BY id'
    hits = []
    for rid, title, *values in store.conn.execute(sql, {"lo": lo, "hi": hi}):
        number, row = values[-1], dict(zip(shown, values[:-1], strict=True))
        extra = "，".join(str(v) for v in row.values() if v not in (None, ""))
        who = f"{title}（{extra}）" if extra else str(title)
        if not number:
            if any(row[r.fields[1]] in r.when for r in rules):
                hits.append((rid, f"{who}：未填写{f.label}"))
            continue
        try:
            parse_idcard(number)
        except ValueError as exc:
            hits.append((rid, f"{who}：{f.label} {mask_idcard(str(number))} 有误，{exc}"))
    return _finding("idcards_invalid", f"{f.label}无效", "error", lg.id, hits)


def documents_not_filed(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    rows = _year_rows(store, "normative_documents", year, "doc_no, title", "filed IS NOT '是'")
    hits = [(rid, f"{date} {no}《{title}》：未备案") for rid, date, no, title in rows]
    found = _finding("documents_not_filed", "规范性文件未备案", "warning", "normative_documents", hits)
    rows = _year_rows(
        store,
        "normative_documents",
        year,
        "doc_no, title, review",
        "review NOT IN ('合法', '修改后合法') OR review IS NULL",
    )
    hits = [(rid, f"{date} {no}《{title}》：合法性审查为{review or '空'}") for rid, date, no, title, review in rows]
    return found + _finding(
        "documents_not_lawful", "规范性文件未经合法性审查或审查不合法", "warning", "normative_documents", hits
    )


def incomplete_rows(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    """待补充 rows of the year (or with no date at all), one finding per ledger: what each
    lacks, with the text its cell held, and the figures they may leave short."""

    lo, hi = year_bounds(year)
    out: list[Finding] = []
    for lg in catalog.LEDGERS:
        date = lg.date_field
        title = lg.title_field or date
        sql = (
            f'SELECT id, "{date}", "{title}", incomplete FROM "{lg.id}" WHERE +deleted_at IS NULL'
            f' AND incomplete IS NOT NULL AND ("{date}" BETWEEN ? AND ? OR "{date}" IS NULL) ORDER BY "{date}", id'
        )
        hits: list[tuple[int, str]] = []
        lacking: set[str] = set()
        for rid, day, name, raw in store.conn.execute(sql, (lo, hi)):
            try:
                fields = json.loads(raw)
            except ValueError:
                fields = {}
            lacking |= set(fields)
            parts = [
                lg.field(k).label + (f"（原文“{mask_ids_in_text(str(v))}”）" if v else "")
                for k, v in fields.items()
                if lg.has_field(k)
            ]
            hits.append((rid, f"{day or '（无日期）'} {str(name or '')[:30]}：缺{'、'.join(parts)}"))
        if not hits:
            continue
        short = figures_using(lg.id, lacking)
        what = f"，可能少算：{'、'.join(f.label for f in short)}" if short else ""
        title = f"{lg.name}有待补充的记录（缺少必填项或取值未认出{what}）"
        out += _finding("incomplete", title, "warning", lg.id, hits)
    return out


CHECKS: tuple[Callable[..., list[Finding]], ...] = (
    disputes_open,
    dispute_dates_disagree,
    inspection_officers,
    penalties_unreviewed,
    visits_missing,
    idcards_invalid,
    documents_not_filed,
    incomplete_rows,
)


def run(store: Store, year: int, today: dt.date | None = None) -> list[Finding]:
    """Every finding for ``year``, errors first (the report's own checks last)."""
    found = [f for check in (*CHECKS, *REPORT_CHECKS) for f in check(store, year, today)]
    return sorted(found, key=lambda f: f.severity != "error")
