"""Demo rows of the dated ledgers, one year at a time, to the totals of ``plan.PLANS``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from . import pools
from .base import Gen

Row = dict[str, Any]


def study(g: Gen, y: int, p: dict) -> list[Row]:
    rows: list[Row] = []
    topics = list(pools.STUDY_TOPICS)
    g.rng.shuffle(topics)
    kinds = [("专题培训", "全体干部职工")] * p["all_staff_trainings"] + list(p["other_study"])
    dates = g.dates(y, len(kinds) + 1, months=range(2, 13))
    online_at = g.rng.randrange(len(dates))
    for i, date in enumerate(dates):
        if i == online_at:
            trainees, passed = p["online"]
            rows.append(
                {"date": date, "form": "线上培训", "audience": "行政执法人员", "topic": f"{y}年度行政执法人员线上培训",
                 "participants": trainees, "passed": passed, "speaker": "重庆市行政执法人员网络培训平台"}
            )  # fmt: skip
            continue
        form, audience = kinds.pop(g.rng.randrange(len(kinds)))
        size = {"领导班子": 9, "全体干部职工": g.rng.randint(48, 66), "党员干部": g.rng.randint(25, 40)}
        rows.append(
            {"date": date, "form": form, "audience": audience, "topic": topics[i % len(topics)],
             "participants": size.get(audience, g.rng.randint(20, 30)), "passed": None,
             "speaker": g.rng.choice((*pools.LAWYERS, *pools.LEADERS[:2]))}
        )  # fmt: skip
    for date, topic in zip(
        g.dates(y, p["literate_trainings"], months=(3, 5, 8, 11)), pools.LITERATE_TOPICS, strict=False
    ):
        rows.append(
            {"date": date, "form": "专题培训", "audience": "法律明白人", "topic": topic,
             "participants": g.rng.randint(30, 37), "speaker": g.rng.choice(pools.LAWYERS)}
        )  # fmt: skip
    return rows


def meetings(g: Gen, y: int, p: dict) -> list[Row]:
    rows = []
    law = p["law_meetings"]
    dates = g.dates(y, len(law), months=(1, 3, 5, 7, 9, 11, 12))
    for date, matters, topic in zip(dates, law, pools.MEETING_TOPICS, strict=False):
        rows.append(
            {"date": date, "title": f"武平镇{y}年法治建设专题会议（{topic}）", "meeting_type": "法治建设专题会议",
             "chair": pools.LEADERS[0], "matters": matters, "decisions": f"{topic}，议定事项{matters}项"}
        )  # fmt: skip
    for kind, n in p["other_meetings"].items():
        for date in g.dates(y, n):
            chair = pools.LEADERS[kind == "政府常务会议"]
            rows.append(
                {"date": date, "title": f"镇{kind}", "meeting_type": kind, "chair": chair,
                 "matters": g.rng.randint(2, 6)}
            )  # fmt: skip
    return rows


def documents(g: Gen, y: int, p: dict) -> tuple[list[Row], list[Row]]:
    docs, reviews = [], []
    titles = list(pools.DOCS)
    g.rng.shuffle(titles)
    dates = g.dates(y, len(p["docs"]), months=range(2, 12))
    for i, ((review, filed), date) in enumerate(zip(p["docs"], dates, strict=True)):
        docs.append(
            {"doc_no": f"武平府发〔{y}〕{3 + i * 7}号", "title": titles[i], "issued_on": date, "review": review,
             "filed": filed, "filed_on": g.plus(date, g.rng.randint(5, 14)) if filed == "是" else None}
        )  # fmt: skip
        reviews.append(
            {"date": g.plus(date, -g.rng.randint(3, 10)), "matter": titles[i], "matter_type": "规范性文件",
             "reviewer": pools.LAWYERS[0], "opinion": review}
        )  # fmt: skip
    for kind, n in p["reviews"].items():
        for date in g.dates(y, n):
            reviews.append(
                {"date": date, "matter": g.rng.choice(pools.REVIEW_MATTERS[kind]), "matter_type": kind,
                 "reviewer": pools.LAWYERS[0], "opinion": g.pick({"合法": 8, "修改后合法": 2})}
            )  # fmt: skip
    return docs, reviews


def enterprise(g: Gen, y: int, p: dict) -> tuple[list[Row], list[Row]]:
    visits = []
    dates = g.dates(y, p["enterprise_visits"])
    asks = sorted(g.rng.sample(range(len(dates)), p["enterprise_resolved"] * 4 // 5))
    resolved = dict(zip(asks, g.partition(p["enterprise_resolved"], len(asks), lo=1), strict=True))
    specialist = {c: pools.LEADERS[i % len(pools.LEADERS)] for i, c in enumerate(pools.COMPANIES)}
    for i, date in enumerate(dates):
        company = pools.COMPANIES[(i * 7) % len(pools.COMPANIES)]
        row = {"date": date, "company": company, "officer": specialist[company], "collected": 0, "resolved": 0,
               "requests": "无", "handling": "上门了解生产经营情况，宣传惠企政策"}  # fmt: skip
        if i in resolved:
            n = resolved[i]
            ask, done = g.rng.choice(pools.REQUESTS)
            row.update(collected=n + (g.rng.random() < 0.15), resolved=n, requests=ask, handling=done)
        visits.append(row)
    events = []
    materials = g.partition(p["enterprise_materials"], p["enterprise_events"], lo=8)
    for date, n in zip(g.dates(y, p["enterprise_events"], months=range(2, 13)), materials, strict=True):
        events.append(
            {"date": date, "title": g.rng.choice(pools.PUBLICITY["企业"]), "target": "企业",
             "place": g.rng.choice(pools.COMPANIES), "content": "宣讲与企业生产经营相关的法律法规，解答法律问题",
             "participants": g.rng.randint(15, 60), "materials": n}
        )  # fmt: skip
    for target, n in p["other_publicity"].items():
        for date in g.dates(y, n, workday=target != "集市"):
            events.append(
                {"date": date, "title": g.rng.choice(pools.PUBLICITY[target]), "target": target,
                 "place": g.village() if target in ("村（社区）", "集市") else None,
                 "participants": g.rng.randint(40, 300), "materials": 0 if target == "线上" else g.rng.randint(50, 300)}
            )  # fmt: skip
    return visits, events


def lawsuits(g: Gen, y: int, p: dict) -> list[Row]:
    return [
        {
            "date": g.date(y, g.rng.randint(3, 10)),
            "case_type": kind,
            "cause": cause,
            "applicant": g.name(),
            "result": res,
        }
        for kind, cause, res in p["lawsuits"]
    ]


def active_officers(officers: list[Row], date: str) -> list[str]:
    return [o["name"] for o in officers if o["certified_on"] <= date and (o["left_on"] is None or o["left_on"] > date)]


def enforcement(g: Gen, y: int, p: dict, officers: list[Row]) -> tuple[list[Row], list[Row]]:
    """Inspections (every active officer takes part, in turns) and penalties."""
    plan = [(d, "日常检查") for d, n in p["inspections"].items() for _ in range(n)]
    for domain in p["joint"]:  # 综合查一次 replaces one ordinary inspection of its 领域
        plan[plan.index((domain, "日常检查"))] = (domain, "综合查一次")
    g.rng.shuffle(plan)
    turns: dict[str, int] = defaultdict(int)
    rows = []
    for (domain, method), date in zip(plan, g.dates(y, len(plan)), strict=True):
        if method != "综合查一次":
            method = g.pick({"日常检查": 60, "专项检查": 25, "双随机一公开": 10, "投诉举报核查": 5})
        active = sorted(active_officers(officers, date), key=lambda n: (turns[n], g.rng.random()))
        team = active[: 3 if method == "综合查一次" else 2]
        for name in team:
            turns[name] += 1
        outcome = g.pick({"未发现问题": 70, "责令整改": 30})
        row = {"date": date, "target": g.rng.choice(pools.INSPECTION_TARGETS[domain]), "domain": domain,
               "method": method, "officers": "、".join(team), "outcome": outcome,
               "findings": "未发现问题" if outcome == "未发现问题" else g.rng.choice(pools.FINDINGS)}  # fmt: skip
        if outcome == "责令整改":
            row.update(fix_by=g.plus(date, 15), fixed_on=g.plus(date, g.rng.randint(3, 15)))
        rows.append(row)
    penalties = []
    dates = g.dates(y, len(p["penalties"]), months=range(3, 12))
    for i, (domain, date) in enumerate(zip(p["penalties"], dates, strict=True)):
        violation, kind, amount = pools.PENALTY_CASES[domain]
        penalties.append(
            {"decided_on": date, "decision_no": f"丰都武平罚决字〔{y}〕{i + 1}号", "party": g.name(),
             "violation": violation, "domain": domain, "penalty": kind, "amount": amount, "legal_review": "是",
             "officers": "、".join(g.rng.sample(active_officers(officers, date), 2))}
        )  # fmt: skip
    return rows, penalties


def dispute_row(g: Gen, source: str, date: str, status: str, closed: str | None) -> Row:
    dtype = g.pick(pools.COURT_WEIGHTS if source == "法院委派" else pools.DISPUTE_WEIGHTS)
    a, b = g.name(unique=False), g.name(unique=False)
    ok = status == "调解成功"
    amount = None
    if dtype in ("合同", "损害赔偿", "劳动争议", "道路交通事故", "生产经营") or source == "法院委派":
        amount = g.rng.randint(20, 800) * 100
    return {
        "registered_on": date, "source": source, "dispute_type": dtype, "village": g.village(), "parties": f"{a}、{b}",
        "summary": g.rng.choice(pools.DISPUTE_SUMMARIES[dtype]).format(a=a, b=b), "status": status, "closed_on": closed,
        "mediator": g.rng.choice(pools.JUSTICE_STAFF), "agreement": (g.pick({"书面": 7, "口头": 3}) if ok else "无"),
        "amount": amount, "follow_up": "已回访，协议履行到位" if ok else None,
    }  # fmt: skip


def disputes(g: Gen, y: int, p: dict) -> list[Row]:
    rows = []
    sources = [s for s, n in p["disputes"].items() for _ in range(n)]
    g.rng.shuffle(sources)
    for _ in range(p["carry_next"]):  # registered late December, mediated in January
        date = g.date(y, 12, 18, 31, workday=False)
        rows.append(dispute_row(g, sources.pop(), date, "调解成功", g.date(y + 1, 1, 5, 25)))
    for i in range(p["open"]):  # one realistic warning: still 调解中 after 40 days
        date = g.date(y, 11, 18, 21) if i == 0 else g.date(y, 12, 10, 20)
        rows.append(dispute_row(g, sources.pop(), date, "调解中" if i == 0 else "待调解", None))
    states = ["终止"] * p["terminated"] + ["调解不成"] * p["failed"]
    states += ["调解成功"] * (len(sources) - len(states))
    g.rng.shuffle(states)
    for source, status in zip(sources, states, strict=True):
        date = g.date(y, g.rng.randint(1, 12), workday=False)
        closed = min(g.plus(date, g.rng.randint(1, 25)), f"{y}-12-31")
        rows.append(dispute_row(g, source, date, status, closed))
    for _ in range(p["court"]):
        date = g.date(y, g.rng.randint(1, 12))
        status = g.pick({"调解成功": 85, "调解不成": 15})
        rows.append(dispute_row(g, "法院委派", date, status, g.plus(date, g.rng.randint(5, 40))))
    return rows


def consultations(g: Gen, y: int, p: dict) -> list[Row]:
    rows = []
    dates = [*g.dates(y, p["consultations"] - 1, workday=False), f"{y}-12-31"]  # the last day counts
    for date in dates:
        cat = g.pick(pools.CONSULT_WEIGHTS)
        rows.append(
            {"date": date, "person": g.name(unique=False), "village": g.village(),
             "channel": g.pick({"来访": 50, "电话": 30, "网络": 12, "上门": 8}), "category": cat,
             "matter": g.rng.choice(pools.CONSULT_TOPICS[cat]),
             "answered_by": g.rng.choice((*pools.JUSTICE_STAFF, *pools.LAWYERS))}
        )  # fmt: skip
    return rows
