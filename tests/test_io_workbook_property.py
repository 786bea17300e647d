"""Property: any mix of what clerks' workbooks hold — title rows, 序号, an unknown column,
aliases for the labels, units, value aliases, blank and 合计 rows, several sheets, a notes
sheet, duplicates of live rows, garbage in cells — is imported all or nothing: either every
good row goes in (duplicates left out), or nothing is written and every error points at a
row that was spoiled, by its sheet and the row number the spreadsheet shows."""

import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.io.importer import import_file
from app.core.ledgers import catalog
from app.core.storage.store import Store

LG = catalog.get("study_sessions")
_SPOIL = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["2024-13-01", "茶话会", "很多", "-5", "1.5人", "某某对象", "2024/2/30"]),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
)


def _good_row(rng: random.Random, i: int) -> list:
    """A valid row in the labels' order, written as a clerk might."""
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(360))
    date = rng.choice(
        [day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日", day]
    )
    form = rng.choice(["党委会", "中心组学习", "专题培训", "线上学习", "其他"])
    audience = rng.choice(["领导班子", "全体干部职工", "党员", "其他"])
    n = rng.randrange(1, 80)
    participants = rng.choice([n, f"{n}人", str(n), ""])
    passed = rng.choice(["", 0]) if participants == "" else rng.choice(["", min(n, rng.randrange(0, 80))])
    return [date, form, audience, f"第{i}次学习", participants, passed, rng.choice(["", "张三"]), ""]


HEAD_CHOICES = [
    ["日期", "学习时间", "培训时间", "时间"],
    ["形式", "学习形式", "培训形式"],
    ["对象", "参学对象", "参训对象"],
    ["主题", "学习内容", "培训主题"],
    ["参加人数", "参学人数", "参会人数（人）", "参加人数(人)"],
    ["考试合格人数", "合格人数"],
    ["主讲人", "授课人"],
    ["备注", "备 注"],
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10**6),
    sheets=st.integers(1, 3),
    titles=st.integers(0, 2),
    serial=st.booleans(),
    unknown=st.booleans(),
    notes=st.booleans(),
    live=st.integers(0, 3),
    spoil=st.lists(_SPOIL, max_size=4),
)
def test_any_clerk_workbook_is_all_or_nothing(
    tmp_path_factory, seed, sheets, titles, serial, unknown, notes, live, spoil
):
    from openpyxl import Workbook

    rng = random.Random(seed)
    store = Store.memory()
    try:
        wb = Workbook()
        wb.remove(wb.active)
        if notes:
            wb.create_sheet("填表说明").append(["每季度一张表"])
        good: list[tuple[str, int, list]] = []  # (sheet, row number, row) of every data row
        spoiled: set[tuple[str, int]] = set()
        for s in range(sheets):
            name = f"{s + 1}季度"
            ws = wb.create_sheet(name)
            for t in range(titles):
                ws.append([f"武平镇学法培训台账{t}"])
            head = [rng.choice(c) for c in HEAD_CHOICES]
            lead = ["序号"] if serial else []
            tail = ["联系人"] if unknown else []
            ws.append([*lead, *head, *tail])
            for i in range(rng.randrange(1, 6)):
                kind = rng.random()
                if kind < 0.15:
                    ws.append([])
                    continue
                row = _good_row(rng, i + 10 * s)
                ws.append([*([i + 1] if serial else []), *row, *(["某人"] if unknown else [])])
                good.append((name, ws.max_row, row))
            if rng.random() < 0.5:
                ws.append(["合计", *([""] * (len(head) - 1))] if not serial else ["合计"])
        for value in spoil:
            if not good:
                break
            name, row_no, _ = rng.choice(good)
            col = rng.randrange(len(HEAD_CHOICES)) + (1 if serial else 0) + 1
            wb[name].cell(row_no, col, value)
            spoiled.add((name, row_no))
        path = tmp_path_factory.mktemp("book") / "台账.xlsx"
        wb.save(path)
        # some rows are already in the ledger (a file imported before)
        clean = [r for r in good if (r[0], r[1]) not in spoiled]
        for _, _, row in clean[:live]:
            raw = dict(zip(LG.keys, row, strict=True))
            store.save(LG.id, raw)
        before = (store.count(LG.id), len(store.audit_entries(limit=10**6)))

        result = import_file(store, LG.id, path)

        after = (store.count(LG.id), len(store.audit_entries(limit=10**6)))
        several = len(wb.sheetnames) > 1
        if result.errors:
            assert not result.written and after == before
            for e in result.errors:
                assert (e.sheet if several else wb.sheetnames[-1], e.row) in spoiled, (str(e), spoiled)
        else:
            assert result.duplicates == min(live, len(clean))
            assert after[0] == before[0] + result.count
            if not spoiled:
                assert result.count == len(good) - result.duplicates
            warnings = result.warnings()
            assert any("“联系人”" in w for w in warnings) == unknown
            assert any("填表说明" in w for w in warnings) == notes
    finally:
        store.close()
