"""Fill an empty database with the demo data set (DESIGN.md section 5: ``demo``).

A realistic year for 丰都县武平镇 from which every number of the reference report comes out
through the figures, plus the year before (for 同比), rows of the following January and
February, and a few soft-deleted rows — none of which may change the demo year's figures.
Every row passes the ledger's validator before it is written.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.core.ledgers import catalog
from app.core.report.paragraphs import FACT_SECTION, fact_examples
from app.core.storage.store import Store

from . import declared, events, form_facts, pools, rosters
from .base import Gen
from .plan import CARRY_BEFORE, PLANS

Row = dict[str, Any]
SEED = 20240101


class DemoError(Exception):
    """The database is not empty: demo data would mix with the office's own."""


def ledger_rows(store: Store) -> int:
    """How many rows (deleted ones included) the ledgers hold."""
    return sum(store.conn.execute(f'SELECT COUNT(*) FROM "{lg.id}"').fetchone()[0] for lg in catalog.LEDGERS)


def _edges(g: Gen, officers: list[Row]) -> dict[str, list[Row]]:
    """Rows just outside the years that count, and rows that were deleted."""
    y, nxt = g.year, g.year + 1
    out: dict[str, list[Row]] = defaultdict(list)
    jan = g.date(nxt, 1, 6, 20)
    out["study_sessions"] += [
        {"date": jan, "form": "党委会", "audience": "领导班子", "topic": pools.STUDY_TOPICS[0], "participants": 9},
        {"date": g.date(y, 6), "form": "专题培训", "audience": "全体干部职工", "topic": "重复录入", "_deleted": True},
    ]
    out["meetings"].append(
        {"date": g.date(nxt, 1, 10, 25), "title": f"武平镇{nxt}年法治建设专题会议", "meeting_type": "法治建设专题会议",
         "chair": pools.LEADERS[0], "matters": 3}
    )  # fmt: skip
    out["enterprise_visits"] += [
        {"date": g.date(nxt, 1), "company": pools.COMPANIES[1], "officer": pools.LEADERS[1], "collected": 1,
         "resolved": 1, "requests": pools.REQUESTS[0][0], "handling": pools.REQUESTS[0][1]},
        {"date": g.date(y, 8), "company": pools.COMPANIES[2], "officer": pools.LEADERS[2], "collected": 3,
         "resolved": 3, "_deleted": True},
    ]  # fmt: skip
    out["publicity_events"].append(
        {"date": g.date(nxt, 1, 10, 25), "title": pools.PUBLICITY["企业"][0], "target": "企业",
         "place": pools.COMPANIES[3], "participants": 30, "materials": 40}
    )  # fmt: skip
    names = events.active_officers(officers, f"{nxt}-01-31")
    out["inspections"] += [
        {"date": g.date(nxt, 1, 2, 20), "target": "武平镇中心小学", "domain": "教育", "method": "综合查一次",
         "officers": "、".join(names[:3]), "outcome": "未发现问题"},
        {"date": f"{nxt}-01-02", "target": "鑫源超市", "domain": "食品安全", "method": "日常检查",
         "officers": "、".join(names[1:3]), "outcome": "未发现问题"},
        {"date": g.date(y, 9), "target": "武平中学", "domain": "文化旅游", "method": "日常检查",
         "officers": "、".join(names[:2]), "outcome": "未发现问题", "_deleted": True},
    ]  # fmt: skip
    out["penalties"].append(
        {"decided_on": g.date(nxt, 2, 10, 25), "decision_no": f"丰都武平罚决字〔{nxt}〕1号", "party": g.name(),
         "violation": "露天焚烧秸秆", "domain": "生态环境", "penalty": "警告", "legal_review": "是",
         "officers": "、".join(names[:2])}
    )  # fmt: skip
    for _ in range(CARRY_BEFORE):  # mediated in January of the year before
        date = g.date(y - 2, 12, 15, 30)
        out["disputes"].append(events.dispute_row(g, "群众申请", date, "调解成功", g.date(y - 1, 1, 4, 20)))
    out["disputes"] += [
        events.dispute_row(g, "自主排查", g.date(nxt, 1, 2, 10), "调解成功", g.date(nxt, 1, 15, 25)),
        events.dispute_row(g, "法院委派", f"{nxt}-01-02", "调解中", None),
        events.dispute_row(g, "群众申请", g.date(nxt, 1, 10, 20), "待调解", None),
        dict(events.dispute_row(g, "自主排查", g.date(y, 4), "调解成功", g.date(y, 5)), _deleted=True),
    ]
    out["consultations"] += [
        {"date": f"{nxt}-01-02", "channel": "电话", "category": "劳动", "matter": pools.CONSULT_TOPICS["劳动"][1]},
        {"date": g.date(nxt, 2), "channel": "来访", "category": "继承", "matter": pools.CONSULT_TOPICS["继承"][0]},
        {"date": g.date(y, 3), "channel": "来访", "category": "其他", "matter": "重复录入", "_deleted": True},
    ]
    out["legality_reviews"].append(
        {"date": g.date(nxt, 1, 5, 25), "matter": "村道硬化工程施工合同", "matter_type": "行政协议（合同）",
         "reviewer": pools.LAWYERS[0], "opinion": "合法"}
    )  # fmt: skip
    return out


def generate(year: int = 2024, seed: int = SEED) -> dict[str, list[Row]]:
    """The demo rows by ledger id, before validation, for every ledger of the catalog (one the
    plan does not know from its declaration alone: ``declared``).  A reference is the index of
    the row it points at among the referenced ledger's rows, under ``declared.ref_key`` (a
    走访's ``_person_id``); rows with ``_deleted`` are soft-deleted after insert."""
    g = Gen(year, seed)
    out: dict[str, list[Row]] = defaultdict(list)
    officers = rosters.officers(g)
    out["enforcement_officers"] = officers
    out["enforcement_matters"] = rosters.matters(g)
    persons = rosters.key_persons(g)
    out["key_persons"] = persons
    out["legal_literates"] = rosters.literates(g)
    for offset in (-1, 0):
        y, p = year + offset, PLANS[offset]
        out["study_sessions"] += events.study(g, y, p)
        out["meetings"] += events.meetings(g, y, p)
        docs, reviews = events.documents(g, y, p)
        out["normative_documents"] += docs
        out["legality_reviews"] += reviews
        visits, publicity = events.enterprise(g, y, p)
        out["enterprise_visits"] += visits
        out["publicity_events"] += publicity
        out["lawsuits"] += events.lawsuits(g, y, p)
        inspections, penalties = events.enforcement(g, y, p, officers)
        out["inspections"] += inspections
        out["penalties"] += penalties
        out["disputes"] += events.disputes(g, y, p)
        out["consultations"] += events.consultations(g, y, p)
    for ledger, rows in _edges(g, officers).items():
        out[ledger] += rows
    for ledger, rows in out.items():  # in date order, as a clerk would have entered them
        date = catalog.get(ledger).date_field
        rows.sort(key=lambda r, d=date: r.get(d) or "")
    out["visits"] = sorted(rosters.visits(g, persons), key=lambda r: r["date"])  # after: indexes persons
    form_facts.fill(out, seed)
    for lg in catalog.LEDGERS:
        if lg.id not in out:
            out[lg.id] = declared.rows(lg, year, seed, out)
    return dict(out)


def fill(store: Store, year: int = 2024, seed: int = SEED) -> dict[str, int]:
    """Validate and insert the demo data set into an empty database; rows inserted per ledger.

    Raises ``DemoError`` when the ledgers already hold rows.
    """
    if ledger_rows(store):
        raise DemoError("数据库中已有台账数据，演示数据只能填入空数据库。请用 --db 指定一个新的文件。")
    data = generate(year, seed)
    counts: dict[str, int] = {}
    with store.transaction():
        office = {"province": "重庆市", "county": "丰都县", "town": "武平镇", "villages": list(pools.VILLAGES)}
        for key, value in office.items():
            store.set_setting(key, value)
        # the county's 工作要点 the opening paragraph cites, and the report's 成文日期
        store.set_setting(f"report.{year}.basis_no", f"丰都府办发〔{year}〕15号")
        store.set_setting(f"report.{year}.date", f"{year + 1}-01-20")
        # what the demo office writes of itself (no ledger records it), from the year before on
        for name, words in fact_examples().items():
            store.set_report_text(year - 1, FACT_SECTION + name, words)
        ids_of: dict[str, list[int]] = {}
        for lg in catalog.LEDGERS:  # a ledger comes after the ledgers it refers to
            rows = [_linked(lg, r, ids_of) for r in data.get(lg.id, [])]
            check = store.validator(lg.id).check
            clean = [check(r) for r in rows]
            first = (store.conn.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{lg.id}"').fetchone()[0]) + 1
            store.insert_many(lg.id, clean, note=f"演示数据：{lg.name} {len(clean)} 行")
            ids = ids_of[lg.id] = list(range(first, first + len(clean)))
            deleted = [rid for rid, r in zip(ids, rows, strict=True) if r.get("_deleted")]
            if deleted:
                store.delete(lg.id, deleted)
            counts[lg.id] = len(clean)
    return counts


def _linked(lg: catalog.Ledger, row: Row, ids_of: dict[str, list[int]]) -> Row:
    """The row with each reference's index (``declared.ref_key``) turned into the id of the
    row it points at."""
    refs = {f.key: ids_of[f.ref][row[declared.ref_key(f)]] for f in lg.fields if f.ref and declared.ref_key(f) in row}
    return dict(row, **refs) if refs else row
