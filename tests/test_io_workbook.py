"""Import as clerks keep ledgers in Excel: column aliases and header normalisation, title
rows, 序号, 合计 and blank rows, one sheet per quarter, a notes sheet, a whole workbook of
several ledgers, units, value aliases, remembered mappings, duplicates."""

import pytest

from app.core.io.headers import IGNORED, column_names, label_forms, match_header
from app.core.io.importer import import_file, preview_import
from app.core.io.mapping import Mapping, remembered
from app.core.ledgers import catalog
from app.core.ledgers.validation import parse_decimal, parse_int
from tests.fixtures.clerk_book import STUDY_HEAD, STUDY_Q1, clerk_workbook
from tests.fixtures.sheets import write_csv, write_xlsx

ALIASES = [(lg.id, f.key, alias) for lg in catalog.LEDGERS for f in lg.fields for alias in f.aliases]


def _lines(result):
    return [str(e) for e in result.errors]


# -- aliases and normalisation -----------------------------------------------------------


@pytest.mark.parametrize(("ledger_id", "key", "alias"), ALIASES)
def test_each_alias_names_its_field(ledger_id, key, alias):
    lg = catalog.get(ledger_id)
    m = match_header(lg, 1, [alias], column_names(lg))
    assert [(f.key, i) for f, i in m.present] == [(key, 0)]


def test_no_alias_names_two_fields_or_hides_a_label():
    for lg in catalog.LEDGERS:
        owner: dict[str, str] = {}
        for f in lg.fields:
            for form in label_forms(f.label):
                owner[form] = f.key
        for f in lg.fields:
            for alias in f.aliases:
                for form in label_forms(alias):
                    assert owner.setdefault(form, f.key) == f.key, (lg.id, alias)
                    assert form.lower() not in IGNORED


def test_the_issues_aliases_are_declared():
    expected = {
        ("study_sessions", "date"): ["时间", "学习时间", "培训时间", "活动时间"],
        ("inspections", "date"): ["检查日期", "检查时间"],
        ("visits", "date"): ["走访时间"],
        ("consultations", "date"): ["咨询时间"],
        ("study_sessions", "topic"): ["学习内容", "培训内容", "培训主题"],
        ("study_sessions", "participants"): ["参学人数", "参训人数", "参会人数"],
        ("study_sessions", "audience"): ["参学对象", "参训对象"],
        ("study_sessions", "form"): ["学习形式", "培训形式"],
        ("disputes", "registered_on"): ["受理日期", "受理时间", "登记时间"],
        ("disputes", "dispute_type"): ["纠纷类别"],
        ("disputes", "status"): ["调处状态", "调解状态", "调处结果", "调解结果"],
        ("inspections", "domain"): ["执法领域"],
        ("key_persons", "id_number"): ["身份证号码", "公民身份号码"],
        ("key_persons", "category"): ["人员类别"],
        ("key_persons", "listed_on"): ["列管时间", "纳入管理日期"],
        ("disputes", "village"): ["所在村", "所在村（社区）", "村居", "村（居）"],
        ("penalties", "party"): ["当事人姓名"],
    }
    for (ledger_id, key), names in expected.items():
        assert set(names) <= set(catalog.get(ledger_id).field(key).aliases), (ledger_id, key)


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        (" 参学 人数 *", "participants"),
        ("参学人数（人）", "participants"),
        ("参学人数(人)", "participants"),
        ("参学人数\n（人）", "participants"),
        ("＊学习内容", "topic"),
        ("学习\u3000时间", "date"),
        ("participants", "participants"),
    ],
)
def test_header_cells_are_normalised(cell, key):
    lg = catalog.get("study_sessions")
    m = match_header(lg, 1, [cell], column_names(lg))
    assert [f.key for f, _ in m.present] == [key]


def test_a_unit_in_brackets_is_ignored_but_other_brackets_are_part_of_the_label():
    lg = catalog.get("disputes")
    names = column_names(lg)
    for cell in ("涉及金额", "涉及金额(元)", "涉及金额【元】", "涉案金额（元）"):
        assert [f.key for f, _ in match_header(lg, 1, [cell], names).present] == ["amount"], cell
    assert [f.key for f, _ in match_header(lg, 1, ["村(社区)"], names).present] == ["village"]
    assert match_header(lg, 1, ["村"], names).skipped == [(0, "村")]


def test_a_column_headed_in_wan_yuan_is_multiplied(store, tmp_path):
    head = ["登记日期", "来源", "纠纷类型", "纠纷概况", "状态", "涉及金额（万元）"]
    rows = [
        ["2024-01-02", "其他", "邻里", "a", "调解中", "1.2"],
        ["2024-01-03", "其他", "邻里", "b", "调解中", 3],
        ["2024-01-04", "其他", "邻里", "c", "调解中", "0.5万元"],
        ["2024-01-05", "其他", "邻里", "d", "调解中", ""],
    ]
    assert import_file(store, "disputes", write_xlsx(tmp_path / "a.xlsx", [head, *rows])).written
    assert [r["amount"] for r in store.rows("disputes")] == [12000.0, 30000.0, 5000.0, None]


@pytest.mark.parametrize("cell", ["序号", "编号", "No.", "NO", "no"])
def test_number_columns_are_ignored_not_warned(store, tmp_path, cell):
    path = write_csv(
        tmp_path / "a.csv", [[cell, "日期", "形式", "对象", "主题"], ["1", "2024-01-02", "其他", "其他", "x"]]
    )
    result = import_file(store, "study_sessions", path)
    assert result.written and result.count == 1 and result.warnings() == []


def test_an_unknown_column_is_skipped_and_named_even_when_rows_fail(store, tmp_path):
    head = ["日期", "形式", "对象", "主题", "联系人", "审核"]
    path = write_csv(tmp_path / "a.csv", [head, ["2024-01-02", "其他", "其他", "x", "y", "z"]])
    result = import_file(store, "study_sessions", path)
    assert result.written and store.count("study_sessions") == 1
    assert result.warnings() == ["这些列认不出是学法培训台账的哪一项，没有导入：“联系人”、“审核”"]
    path = write_csv(tmp_path / "b.csv", [head, ["2024-13-02", "其他", "其他", "x", "y", "z"]])
    result = import_file(store, "study_sessions", path)
    assert not result.written and _lines(result) == ["第2行 日期：“2024-13-02”不是有效日期"]
    assert "联系人" in result.warnings()[0]


# -- the clerk's workbook ---------------------------------------------------------------------


def test_a_clerks_quarterly_workbook_imports_every_quarter(store, tmp_path):
    path = clerk_workbook(tmp_path / "学法.xlsx")
    result = import_file(store, "学法培训台账", path)
    assert result.ok and result.written and result.count == 5, _lines(result)
    assert [s.sheet for s in result.sheets] == ["一季度", "二季度"]
    assert result.skipped_sheets == [("填表说明", "没有学法培训台账的表头")]
    assert "工作表“填表说明”没有导入（没有学法培训台账的表头）" in result.warnings()
    rows = store.rows("study_sessions")
    assert [(r["date"], r["form"], r["participants"]) for r in rows] == [
        ("2024-01-12", "理论学习中心组", 12),
        ("2024-02-20", "干部职工会", 35),
        ("2024-03-08", "专题讲座", 40),
        ("2024-04-11", "党委会", 11),
        ("2024-05-16", "线上培训", 28),
    ]
    notes = [e["note"] for e in store.audit_entries() if e["action"] == "import"]
    assert sorted(notes) == ["从 学法.xlsx（一季度）导入 3 行", "从 学法.xlsx（二季度）导入 2 行"]


def test_a_bad_row_in_one_quarter_writes_no_quarter_and_names_its_sheet(store, tmp_path):
    bad = [
        [1, "2024-04-31", "党委会", "领导班子", "x", "11人", "", ""],
        [2, "2024-05-01", "茶话会", "领导班子", "y", "", "", ""],
    ]
    path = clerk_workbook(tmp_path / "学法.xlsx", study_q2=bad)
    result = import_file(store, "study_sessions", path)
    assert not result.written and store.count("study_sessions") == 0
    assert _lines(result) == ["工作表“二季度”第4行 日期：“2024-04-31”不是有效日期"]  # 茶话会: 待补充


def test_sheet_picks_one_sheet(store, tmp_path):
    path = clerk_workbook(tmp_path / "学法.xlsx")
    result = import_file(store, "study_sessions", path, sheet="二季度")
    assert result.count == 2 and [s.sheet for s in result.sheets] == ["二季度"]
    from app.core.io.readers import ReadError

    with pytest.raises(ReadError, match="没有名为“三季度”的工作表"):
        import_file(store, "study_sessions", path, sheet="三季度")


def test_a_whole_workbook_of_several_ledgers_in_one_transaction(store, tmp_path):
    path = clerk_workbook(tmp_path / "台账.xlsx", disputes=True)
    result = import_file(store, None, path)
    assert result.written and result.ok, _lines(result)
    assert result.plan_lines() == [
        "一季度 → 学法培训台账（第3行为表头，3 行）",
        "二季度 → 学法培训台账（第3行为表头，2 行）",
        "矛盾纠纷 → 矛盾纠纷台账（第3行为表头，3 行）",
    ]
    assert store.count("study_sessions") == 5 and store.count("disputes") == 3
    d = store.rows("disputes")
    assert [(r["status"], r["agreement"], r["amount"], r["dispute_type"], r["village"]) for r in d] == [
        ("调解成功", "书面", 12000.0, "邻里", "双龙村"),
        ("调解成功", "口头", None, "婚姻家庭", "金竹村"),
        ("调解中", None, 3000.0, "合同", "双龙村"),
    ]


def test_a_whole_workbook_with_one_bad_sheet_writes_nothing(store, tmp_path):
    bad = [[1, "2024-04-11", "党委会", "领导班子", "x", "很多人", "", ""]]
    path = clerk_workbook(tmp_path / "台账.xlsx", disputes=True, study_q2=bad)
    result = import_file(store, None, path)
    assert not result.written and _lines(result) == ["工作表“二季度”第4行 参加人数：应为整数，收到“很多人”"]
    assert store.count("study_sessions") == store.count("disputes") == 0


def test_an_unrecognised_file_without_a_ledger_says_so(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["甲", "乙"], ["1", "2"]])
    result = import_file(store, None, path)
    assert not result.written and "认不出" in _lines(result)[0] and "import 学法培训台账" in _lines(result)[0]


def test_the_sheet_name_breaks_a_tie(store, tmp_path):
    from app.core.io.plan import name_hint

    assert name_hint("2024学法培训一季度", catalog.get("study_sessions"))
    assert not name_hint("一季度", catalog.get("study_sessions"))


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("35人", 35), ("200份", 200), ("3次", 3), ("12万", 120000),
                                             ("1.2万", 12000), ("1,200", 1200), ("８人次", 8),
                                             ("5 场", 5)])  # fmt: skip
def test_integers_with_a_unit(text, value):
    assert parse_int(text) == value


@pytest.mark.parametrize(("text", "value"), [("1.2万元", 12000.0), ("12万", 120000.0), ("300元", 300.0),
                                             ("￥1,200.5", 1200.5), ("0.35万元", 3500.0)])  # fmt: skip
def test_amounts_with_a_unit(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["1.5人", "人", "万", "三二人", "12万万", "好几人"])
def test_what_is_not_a_number_stays_an_error(text):
    with pytest.raises(ValueError, match="应为整数"):
        parse_int(text)


@pytest.mark.parametrize(
    ("ledger_id", "key", "written", "option"),
    [
        ("disputes", "status", "成功", "调解成功"),
        ("disputes", "status", "已调解", "调解成功"),
        ("disputes", "agreement", "书面协议", "书面"),
        ("study_sessions", "form", "中心组学习", "理论学习中心组"),
        ("penalties", "legal_review", "√", "是"),
        ("penalties", "legal_review", "有", "是"),
        ("penalties", "legal_review", "×", "否"),
        ("normative_documents", "filed", "已备案", "是"),
        ("normative_documents", "filed", "未备案", "否"),
        ("disputes", "dispute_type", "邻里纠纷", "邻里"),
    ],
)
def test_value_aliases(store, ledger_id, key, written, option):
    plan = dict((f.key, conv) for f, conv in store.validator(ledger_id).plan)
    assert plan[key](written) == option


def test_an_unknown_value_makes_the_row_incomplete_and_is_listed(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["日期", "形式", "对象", "主题"], ["2024-01-02", "夜校", "其他", "x"],
                                          ["2024-01-03", "夜校", "其他", "y"]])  # fmt: skip
    result = preview_import(store, "study_sessions", path)
    assert result.ok and result.incomplete == 2 and [r["form"] for r in result.rows] == [None, None]
    assert result.sheets[0].unknown_values == {"form": {"夜校": 2}}


# -- mappings ---------------------------------------------------------------------------------


def test_a_mapping_is_used_and_remembered_for_next_years_file(store, tmp_path):
    head = ["日期", "方式", "对象", "主题", "心得体会"]
    path = write_csv(tmp_path / "2024.csv", [head, ["2024-01-02", "夜校", "其他", "x", "好"]])
    assert import_file(store, "study_sessions", path, dry_run=True).incomplete == 1  # no 形式 column
    mapping = Mapping({"方式": "form", "心得体会": None}, {"form": {"夜校": "其他"}})
    result = import_file(store, "study_sessions", path, mappings={"study_sessions": mapping})
    assert result.written and result.warnings() == []
    assert store.rows("study_sessions")[0]["form"] == "其他"
    assert remembered(store, "study_sessions").to_json() == mapping.to_json()
    path = write_csv(tmp_path / "2025.csv", [head, ["2025-01-02", "夜校", "其他", "z", "好"]])
    result = import_file(store, "study_sessions", path)  # untouched: the mapping is remembered
    assert result.written and result.count == 1 and result.warnings() == []


def test_a_failed_import_remembers_nothing(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["日期", "方式", "对象", "主题"], ["2024-13-02", "其他", "其他", "x"]])
    result = import_file(store, "study_sessions", path, mappings={"study_sessions": Mapping({"方式": "form"})})
    assert not result.written and not remembered(store, "study_sessions")


# -- duplicates -----------------------------------------------------------------------------------


def test_the_same_workbook_twice_doubles_nothing(store, tmp_path):
    path = clerk_workbook(tmp_path / "台账.xlsx", disputes=True)
    assert import_file(store, None, path).written
    audit = len(store.audit_entries(limit=1000))
    again = import_file(store, None, path)
    assert again.ok and not again.written and again.count == 0 and again.duplicates == 8
    assert store.count("study_sessions") == 5 and store.count("disputes") == 3
    assert len(store.audit_entries(limit=1000)) == audit
    preview = preview_import(store, "study_sessions", path)
    assert preview.duplicates == 5 and preview.rows == []
    forced = import_file(store, "study_sessions", path, keep_duplicates=True)
    assert forced.count == 5 and store.count("study_sessions") == 10


def test_only_the_new_rows_of_a_longer_file_are_added(store, tmp_path):
    head = STUDY_HEAD
    write_xlsx(tmp_path / "a.xlsx", [head, *STUDY_Q1[:2]])
    import_file(store, "study_sessions", tmp_path / "a.xlsx")
    write_xlsx(tmp_path / "b.xlsx", [head, *STUDY_Q1])
    result = import_file(store, "study_sessions", tmp_path / "b.xlsx")
    assert (result.count, result.duplicates) == (1, 2) and store.count("study_sessions") == 3


def test_a_row_twice_in_the_file_against_one_live_copy_adds_one(store, tmp_path):
    row = ["2024-01-02", "其他", "其他", "x"]
    head = ["日期", "形式", "对象", "主题"]
    import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", [head, row]))
    result = import_file(store, "study_sessions", write_csv(tmp_path / "b.csv", [head, row, row]))
    assert (result.count, result.duplicates) == (1, 1) and store.count("study_sessions") == 2


def test_a_deleted_row_is_not_a_duplicate(store, tmp_path):
    head, row = ["日期", "形式", "对象", "主题"], ["2024-01-02", "其他", "其他", "x"]
    import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", [head, row]))
    store.delete("study_sessions", store.rows("study_sessions")[0]["id"])
    assert import_file(store, "study_sessions", tmp_path / "a.csv").count == 1


def test_the_window_takes_error_descriptions_from_core_not_from_the_command_line():
    from pathlib import Path

    ui = Path(__file__).parent.parent / "app" / "ui"
    offenders = [p.name for p in ui.rglob("*.py") if "app.cli" in p.read_text(encoding="utf-8")]
    assert offenders == []
    from app.core.error_text import describe_error

    assert describe_error(KeyError("没有名为“x”的台账")) == "没有名为“x”的台账"
    assert describe_error(RuntimeError("boom")) == "RuntimeError: boom"
