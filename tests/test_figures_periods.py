"""Every figure of section 3 for any period (section 3b): "in Y" is in the period, "active at
year end" is active on the period's last day; a year is the same as before."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.core import periods
from app.core.figures.compute import compare, compute, rows_for
from app.core.figures.definitions import FIGURES
from app.core.ledgers import catalog
from tests.test_figures import ACTIVE, CASES, add, date_field, idcard

Q = periods.parse("2024Q2")
FIRST, LAST = "2024-04-01", "2024-06-30"
BEFORE, AFTER, MID = "2024-03-31", "2024-07-01", "2024-05-15"


@pytest.mark.parametrize("key", sorted(CASES))
def test_quarter_figure_counts_its_first_to_last_day_only(store, key):
    ledger, match, other, per_row = CASES[key]
    field = date_field(key)
    counted = [add(store, ledger, **(match | {field: day})) for day in (FIRST, LAST)]
    for day in (BEFORE, AFTER):
        add(store, ledger, **(match | {field: day}))
    add(store, ledger, deleted=True, **(match | {field: MID}))
    if other is not None:
        add(store, ledger, **(other | {field: MID}))
    assert compute(store, Q)[key] == 2 * per_row
    assert rows_for(store, Q, key) == [(ledger, counted)]
    assert compute(store, periods.parse("2024Q1"))[key] == per_row  # 31 March
    assert compute(store, periods.parse("2024-04"))[key] == per_row  # 1 April only
    assert compute(store, periods.between("2024-03-31", "2024-04-01"))[key] == 2 * per_row


@pytest.mark.parametrize("key", sorted(ACTIVE))
def test_active_on_the_periods_last_day(store, key):
    ledger, row = ACTIVE[key]
    lg = catalog.get(ledger)
    start, end = lg.start_field, lg.end_field

    def put(s, e=None):
        values = row | {start: s, end: e}
        if ledger == "key_persons":
            values["id_number"] = idcard()
            return add(store, ledger, **values)
        return store.save(ledger, values)

    counted = [put(LAST), put("2023-03-01", AFTER), put(FIRST)]
    put(AFTER)  # starts after the quarter
    ends_last = put("2023-03-01", LAST)  # ends on its last day: gone by then
    put("2023-03-01", MID)
    assert compute(store, Q)[key] == 3
    assert rows_for(store, Q, key) == [(ledger, counted)]
    assert compute(store, periods.parse("2024Q1"))[key] == 3  # on 31 March: AFTER-, LAST- and MID-ending
    may = rows_for(store, periods.parse("2024-05"), key)  # on 31 May: AFTER-ending, FIRST, LAST-ending
    assert may == [(ledger, sorted([counted[1], counted[2], ends_last]))]


def test_a_year_is_the_same_as_its_period(demo_store):
    assert compute(demo_store, 2024) == compute(demo_store, periods.parse("2024"))
    assert compare(demo_store, 2024)["previous"] == compute(demo_store, 2023)


def test_quarters_add_up_to_the_year_for_counts(demo_store):
    year = compute(demo_store, 2024)
    quarters = [compute(demo_store, periods.quarter(2024, q)) for q in range(1, 5)]
    for key, fig in FIGURES.items():
        if fig.kind in ("count", "sum") and fig.scope != "active":
            assert sum(q[key] for q in quarters) == year[key], key
        if fig.scope == "active":
            assert quarters[3][key] == year[key], key  # the fourth quarter ends on 31 December


def test_compare_is_the_same_period_a_year_before(demo_store):
    both = compare(demo_store, periods.parse("2024Q2"))
    assert both["current"] == compute(demo_store, periods.parse("2024Q2"))
    assert both["previous"] == compute(demo_store, periods.parse("2023Q2"))


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_figures_period_json(capsys, demo_store, db_path):
    code, out, _ = run(capsys, "--db", str(db_path), "figures", "--period", "2024Q2", "--json")
    assert code == 0
    assert json.loads(out) == compute(demo_store, periods.parse("2024Q2"))
    _, year_out, _ = run(capsys, "--db", str(db_path), "figures", "--year", "2024", "--json")
    _, period_out, _ = run(capsys, "--db", str(db_path), "figures", "--period", "2024", "--json")
    assert year_out == period_out
    assert json.loads(year_out)["enforcement.inspections"] == 114
    code, out, _ = run(capsys, "--db", str(db_path), "figures", "--from", "2024/4/1", "--to", "2024-06-30", "--json")
    assert json.loads(out) == compute(demo_store, periods.parse("2024Q2"))


def test_cli_figures_period_table_names_the_periods(capsys, demo_store, db_path):
    code, out, _ = run(capsys, "--db", str(db_path), "figures", "--period", "2024-03")
    assert code == 0
    assert out.splitlines()[0].split() == ["项目", "2024年3月", "2023年3月"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2024Q5"], "无法识别的统计时段"),
        (["--year", "2024", "--period", "2024Q1"], "只能指定一种"),
        ([], "指定统计时段"),
        (["--from", "2024-01-01"], "要一起使用"),
        (["--period", "2024", "--town", "白石镇"], "没有“白石镇”的数据"),
    ],
)
def test_cli_figures_period_errors(capsys, store, db_path, args, message):
    code, _out, err = run(capsys, "--db", str(db_path), "figures", *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
