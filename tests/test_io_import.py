"""Import: headers, all or nothing, every bad row reported, messy clerk spreadsheets, every
file format and encoding, references, progress and cancellation, the preview API."""

import datetime as dt
import json

import pytest

from app.core.io.importer import commit_import, import_file, preview_import
from app.core.io.readers import ReadError, detect_encoding
from app.core.io.scan import ImportCancelled
from app.core.ledgers.validation import id_check_char
from tests.fixtures.samples import fill_people, person_name
from tests.fixtures.sheets import write_csv, write_ods, write_xls, write_xlsx
from tests.test_validation import RULE_CASES, _valid

HEAD = ["日期", "形式", "对象", "主题", "参加人数", "考试合格人数"]
GOOD = [
    ["2024-03-05", "党委会", "领导班子", "宪法学习", "20", "18"],
    ["2024-04-10", "专题培训", "全体干部职工", "民法典", "35", ""],
]


def _lines(result):
    return [str(e) for e in result.errors]


def test_a_clean_csv_imports_with_one_audit_entry(store, tmp_path):
    path = write_csv(tmp_path / "学法.csv", [HEAD, *GOOD])
    result = import_file(store, "study_sessions", path)
    assert result.ok and result.written and result.count == 2
    rows = store.rows("study_sessions")
    assert [(r["date"], r["topic"], r["participants"], r["passed"]) for r in rows] == [
        ("2024-03-05", "宪法学习", 20, 18),
        ("2024-04-10", "民法典", 35, None),
    ]
    (entry,) = store.audit_entries()
    assert entry["action"] == "import" and entry["ledger"] == "study_sessions"
    assert entry["note"] == "从 学法.csv 导入 2 行" and json.loads(entry["new"]) == {"rows": 2}


def test_ledger_by_name_columns_in_any_order_and_optional_ones_left_out(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["主题", "日期", "对象", "形式"], ["宪法", "2024-01-02", "其他", "其他"]])
    assert import_file(store, "学法培训台账", path).count == 1
    (row,) = store.rows("study_sessions")
    assert (row["topic"], row["date"], row["participants"], row["speaker"]) == ("宪法", "2024-01-02", None, None)


def test_header_marks_from_the_template_and_field_keys_are_accepted(store, tmp_path):
    head = ["日期*", " 形式 *", "audience", "主题＊", "村（社区）"]
    path = write_csv(tmp_path / "a.csv", [head[:4], ["2024-01-02", "其他", "其他", "x"]])
    assert import_file(store, "study_sessions", path).count == 1
    path = write_csv(
        tmp_path / "b.csv",
        [
            ["登记日期", "来源", "纠纷类型", "村(社区)", "纠纷概况", "状态"],
            ["2024-01-02", "其他", "邻里", "一村", "吵架", "调解中"],
        ],
    )
    assert import_file(store, "disputes", path).count == 1
    assert store.rows("disputes")[0]["village"] == "一村"


def test_a_column_twice_is_an_error_unknown_ones_a_warning(store, tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [["日期", "形式", "主题", "联系人", "主题"], ["2024-01-02", "其他", "x", "y", "z"]]
    )
    result = import_file(store, "study_sessions", path)
    assert not result.written and store.count("study_sessions") == 0
    assert _lines(result) == ["第1行 表头：“主题”列出现了两次"]  # no row noise after a bad header
    assert result.warnings() == ["这些列认不出是学法培训台账的哪一项，没有导入：“联系人”"]
    # --skip-bad does not get past a header it cannot read
    assert not import_file(store, "study_sessions", path, skip_bad=True).written


def test_a_missing_required_column_makes_its_rows_incomplete_not_an_error(store, tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [["日期", "形式", "主题"], ["2024-01-02", "其他", "x"], ["2024-01-03", "", "y"]]
    )
    result = import_file(store, "study_sessions", path)
    assert result.ok and result.written and result.count == 2 and result.incomplete == 2
    assert result.sheets[0].missing == ["audience"]
    rows = store.rows("study_sessions")
    assert [r["audience"] for r in rows] == [None, None]
    assert [json.loads(r["incomplete"]) for r in rows] == [{"audience": ""}, {"form": "", "audience": ""}]


def test_a_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(store, tmp_path):
    rows = [["2024年学法台账"], [], HEAD, GOOD[0], ["2024-13-01", "党委会", "领导班子", "x", "", ""]]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    result = import_file(store, "study_sessions", path)
    assert _lines(result) == ["第5行 日期：“2024-13-01”不是有效日期"]


def test_all_or_nothing_every_bad_row_listed_and_nothing_written(store, tmp_path):
    store.save("study_sessions", {"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "已有"})
    audit_before = store.audit_entries()
    rows = [
        HEAD,
        *GOOD,
        ["2024-05-01", "党委会", "领导班子", "第3行也好", "10", "5"],
        ["2024-13-01", "党委会", "领导班子", "日期错", "10", "5"],
        ["2024-05-02", "茶话会", "领导班子", "", "十几", "5"],
        ["2024-05-03", "党委会", "领导班子", "合格多于参加", "10", "11"],  # 待补充, not an error
    ]
    result = import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    assert not result.written and result.valid_count == 4
    assert store.count("study_sessions") == 1
    assert store.audit_entries() == audit_before
    # only what cannot be a record is an error: an impossible date, a count that is no number
    assert _lines(result) == ["第5行 日期：“2024-13-01”不是有效日期", "第6行 参加人数：应为整数，收到“十几”"]


def test_dry_run_checks_without_writing(store, tmp_path):
    path = write_csv(tmp_path / "a.csv", [HEAD, *GOOD])
    result = import_file(store, "study_sessions", path, dry_run=True)
    assert result.ok and result.count == 2 and not result.written
    assert store.count("study_sessions") == 0 and store.audit_entries() == []


def test_blank_rows_are_skipped_but_counted_in_row_numbers(store, tmp_path):
    rows = [
        HEAD,
        GOOD[0],
        [],
        ["", "", "", "", "", ""],
        ["  ", " ", "\u3000", "", "", ""],
        ["2024-02-30", *GOOD[1][1:]],
    ]
    result = import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    assert _lines(result) == ["第6行 日期：“2024-02-30”不是有效日期"]
    rows[-1] = GOOD[1]
    assert import_file(store, "study_sessions", write_csv(tmp_path / "b.csv", rows)).count == 2


def test_a_header_only_file_imports_nothing(store, tmp_path):
    result = import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", [HEAD]))
    assert result.ok and result.count == 0 and not result.written
    assert store.audit_entries() == []


def test_an_empty_file_is_an_error(store, tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    result = import_file(store, "study_sessions", tmp_path / "a.csv")
    assert _lines(result) == ["第1行 表头：文件是空的：第一行应为列名（表头）"]


def test_data_in_a_column_without_a_header_is_an_error(store, tmp_path):
    rows = [[*HEAD, "", ""], [*GOOD[0], "", ""], [*GOOD[1], "", "多出来的"], [*GOOD[1], "x"]]
    result = import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    assert _lines(result) == [
        "第3行 第8列：这一列没有表头，无法确定是哪一项",
        "第4行 第7列：这一列没有表头，无法确定是哪一项",
    ]


# -- the messy clerk spreadsheet ------------------------------------------------------------------

MESSY_HEAD = [
    "登记日期",
    "来源 ",
    "纠纷类型",
    "村(社区)",
    "当事人",
    "纠纷概况",
    "状态",
    "结案日期",
    "涉及金额（元）",
    "调解员",
]
MESSY = [
    [
        "2024/3/5 ",
        "自主排查",
        "邻里",
        "一村 ",
        "张三、李四",
        "排水沟纠纷  ",
        "调解成功",
        "2024年3月8日",
        "１，２００",
        "王五",
    ],
    ["2024.3.6", "群众申请 ", "房屋宅基地", "二村", "赵六,钱七", "宅基地边界", "调解中", "", "", ""],
    ["２０２４－０３－０７", "法院委派", "合同", "三村", "孙八", "欠款", "终止", "20240310", "￥500", "周九"],
    ["2024年3月8日", "部门移送", "劳动争议", "四村", "吴十", "工资", "调解不成", "2024-03-09 00:00:00", "300元", ""],
]


def test_messy_gbk_csv_imports(store, tmp_path):
    path = write_csv(tmp_path / "纠纷.csv", [MESSY_HEAD, *MESSY], encoding="gbk")
    assert detect_encoding(path) == "gb18030"
    result = import_file(store, "disputes", path)
    assert result.ok, _lines(result)
    rows = store.rows("disputes")
    assert [r["registered_on"] for r in rows] == ["2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"]
    assert [r["closed_on"] for r in rows] == ["2024-03-08", None, "2024-03-10", "2024-03-09"]
    assert [r["amount"] for r in rows] == [1200.0, None, 500.0, 300.0]
    assert rows[0]["village"] == "一村" and rows[0]["summary"] == "排水沟纠纷" and rows[1]["source"] == "群众申请"
    assert rows[1]["parties"] == "赵六,钱七"  # 当事人 is free text, kept as typed


def test_messy_spreadsheet_only_the_impossible_date_is_refused_the_rest_incomplete(store, tmp_path):
    bad = [r[:] for r in MESSY]
    bad[0][7] = ""  # 调解成功 without 结案日期
    bad[1][0] = "2024/2/30"
    bad[2][7] = "2024-03-01"  # closed before registered
    bad[3][2] = "打架"
    path = write_csv(tmp_path / "纠纷.csv", [MESSY_HEAD, *bad], encoding="gbk")
    result = import_file(store, "disputes", path)
    assert _lines(result) == ["第3行 登记日期：“2024/2/30”不是有效日期（月或日超出范围）"]
    assert store.count("disputes") == 0
    result = import_file(store, "disputes", path, skip_bad=True)
    assert result.written and result.count == 3 and result.incomplete == 3
    marks = [json.loads(r["incomplete"]) for r in store.rows("disputes")]
    assert marks == [{"closed_on": ""}, {"closed_on": "2024-03-01"}, {"dispute_type": "打架"}]
    assert [r["dispute_type"] for r in store.rows("disputes")] == ["邻里", "合同", None]


def test_names_fields_split_on_every_separator(store, tmp_path):
    head = ["日期", "检查对象", "领域", "检查方式", "执法人员", "处理结果"]
    rows = [head, ["2024-05-01", "某超市", "市场监管", "日常检查", "张三，李四;王五", "未发现问题"]]
    rows.append(["2024-05-02", "某饭店", "食品安全", "专项检查", "张三", "责令整改"])
    result = import_file(store, "inspections", write_csv(tmp_path / "a.csv", rows))
    assert result.ok and result.incomplete == 1  # one name where two are needed: 待补充
    first, second = store.rows("inspections")
    assert first["officers"] == "张三、李四、王五" and first["incomplete"] is None
    assert json.loads(second["incomplete"]) == {"officers": "张三"}


def test_office_extended_choices_are_accepted(store, tmp_path):
    store.set_setting("choices.study_sessions.form", ["支部学习"])
    path = write_csv(tmp_path / "a.csv", [HEAD, ["2024-03-05", "支部学习", "领导班子", "x", "", ""]])
    assert import_file(store, "study_sessions", path).count == 1


# -- encodings and formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter", "detected"),
    [("utf-8", ",", "utf-8-sig"), ("utf-8-sig", ",", "utf-8-sig"), ("gbk", ",", "gb18030"),
     ("gb18030", ";", "gb18030"), ("utf-16", "\t", "utf-16")],
)  # fmt: skip
def test_csv_encodings_and_delimiters(store, tmp_path, encoding, delimiter, detected):
    path = write_csv(tmp_path / "a.csv", [HEAD, *GOOD], encoding=encoding, delimiter=delimiter)
    assert detect_encoding(path) == detected
    result = import_file(store, "study_sessions", path)
    assert result.ok, _lines(result)
    assert [r["topic"] for r in store.rows("study_sessions")] == ["宪法学习", "民法典"]


def test_undecodable_csv_is_a_clear_error(store, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("日期,形式\n".encode() + b"\xff\xfe\x81\x20\x80\x80\n")
    with pytest.raises(ReadError, match="编码"):
        import_file(store, "study_sessions", path)


CELLS = [
    ["日期", "形式", "对象", "主题", "参加人数", "考试合格人数", "主讲人"],
    [dt.date(2024, 3, 5), "党委会", "领导班子", "宪法", 20, 18.0, 12345],
    [dt.datetime(2024, 3, 6, 9, 30), "其他", "其他", "民法典 ", 7.0, None, "  王老师"],
]


@pytest.mark.parametrize("writer", [write_xlsx, write_xls, write_ods], ids=["xlsx", "xls", "ods"])
def test_workbooks_with_real_date_and_number_cells(store, tmp_path, writer):
    suffix = {write_xlsx: ".xlsx", write_xls: ".xls", write_ods: ".ods"}[writer]
    path = writer(tmp_path / f"a{suffix}", CELLS)
    result = import_file(store, "study_sessions", path)
    assert result.ok, _lines(result)
    rows = store.rows("study_sessions")
    assert [(r["date"], r["topic"], r["participants"], r["passed"], r["speaker"]) for r in rows] == [
        ("2024-03-05", "宪法", 20, 18, "12345"),
        ("2024-03-06", "民法典", 7, None, "王老师"),
    ]


@pytest.mark.parametrize("writer", [write_xlsx, write_xls, write_ods], ids=["xlsx", "xls", "ods"])
def test_workbook_errors_use_sheet_row_numbers(store, tmp_path, writer):
    suffix = {write_xlsx: ".xlsx", write_xls: ".xls", write_ods: ".ods"}[writer]
    rows = [*CELLS, [dt.date(2024, 3, 7), "党委会", "领导班子", "x", 2.5, None, None]]
    result = import_file(store, "study_sessions", writer(tmp_path / f"a{suffix}", rows))
    assert _lines(result) == ["第4行 参加人数：应为整数，收到“2.5”"]


def test_excel_serial_numbers_in_a_date_column(store, tmp_path):
    path = write_xlsx(
        tmp_path / "a.xlsx", [HEAD[:4], [45356, "党委会", "领导班子", "x"], [45356.0, "其他", "其他", "y"]]
    )
    assert import_file(store, "study_sessions", path).count == 2
    assert {r["date"] for r in store.rows("study_sessions")} == {"2024-03-05"}


def test_the_sheet_named_after_the_ledger_is_preferred(store, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "请在第二个工作表填写"
    ws = wb.create_sheet("学法培训台账")
    for row in [HEAD, *GOOD]:
        ws.append(row)
    wb.save(tmp_path / "a.xlsx")
    result = import_file(store, "study_sessions", tmp_path / "a.xlsx")
    assert result.count == 2


def test_an_id_number_typed_as_a_number_gets_a_clear_reason(store, tmp_path):
    head = ["姓名", "身份证号", "类别", "列管日期"]
    path = write_xlsx(tmp_path / "a.xlsx", [head, ["张三", 500230199001011234, "社区矫正对象", "2024-01-01"]])
    (line,) = _lines(import_file(store, "key_persons", path))
    assert line.startswith("第2行 身份证号：身份证号被存成了数字") and "文本" in line


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("a.xlsx", b"not a zip", "无法读取"),
        ("a.pdf", b"%PDF", "不支持的文件类型"),
        ("a.ods", b"PK\x03\x04", "无法读取"),
    ],
)
def test_unreadable_files(store, tmp_path, name, content, match):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ReadError, match=match):
        import_file(store, "study_sessions", tmp_path / name)
    with pytest.raises(ReadError, match="找不到文件"):
        import_file(store, "study_sessions", tmp_path / "missing.csv")


# -- references: 走访记录 → 重点人员名册 -------------------------------------------------------------


def test_visits_name_the_person_by_id_number_or_unique_name(store, tmp_path):
    ids = fill_people(store, 3)
    people = {r["id"]: r for r in store.rows("key_persons")}
    first17 = "50023019800101123"
    twin = {"name": person_name(1), "id_number": first17 + id_check_char(first17), "category": "吸毒人员"}
    assert store.save("key_persons", {**twin, "listed_on": "2024-01-01"})
    head = ["日期", "重点人员", "走访人", "走访方式"]
    rows = [
        head,
        ["2024-03-01", person_name(0), "周干部", "电话"],
        ["2024-03-02", people[ids[1]]["id_number"].lower(), "周干部", "入户走访"],
        ["2024-03-03", person_name(2) + " ", "周干部", "视频"],
    ]
    result = import_file(store, "visits", write_csv(tmp_path / "a.csv", rows))
    assert result.ok, _lines(result)
    assert [r["person_id"] for r in store.rows("visits")] == [ids[0], ids[1], ids[2]]

    # a name that is not unique, or not in the roster: the visit comes in 待补充, the text kept
    bad = [head, ["2024-03-04", person_name(1), "周干部", "电话"], ["2024-03-05", "查无此人", "周干部", "电话"]]
    result = import_file(store, "visits", write_csv(tmp_path / "b.csv", bad))
    assert result.ok and result.incomplete == 2
    assert [json.loads(r["incomplete"]) for r in store.rows("visits")[3:]] == [
        {"person_id": person_name(1)},
        {"person_id": "查无此人"},
    ]


# -- progress, cancellation, preview ----------------------------------------------------------------


def _many(tmp_path, n=5000):
    rows = [HEAD] + [[f"2024-{i % 12 + 1:02d}-01", "党委会", "领导班子", f"第{i}期", "10", "9"] for i in range(n)]
    return write_csv(tmp_path / "many.csv", rows)


def test_progress_is_reported(store, tmp_path):
    seen = []
    result = import_file(
        store, "study_sessions", _many(tmp_path), progress=lambda done, total: seen.append((done, total))
    )
    assert result.count == 5000
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1][0] == seen[-1][1] >= 5000


def test_cancelling_writes_nothing(store, tmp_path):
    with pytest.raises(ImportCancelled):
        import_file(store, "study_sessions", _many(tmp_path), should_cancel=lambda: True)
    assert store.count("study_sessions") == 0 and store.audit_entries() == []
    with pytest.raises(ImportCancelled):
        preview_import(store, "study_sessions", _many(tmp_path), should_cancel=lambda: True)


def test_preview_then_commit(store, tmp_path):
    rows = [HEAD, GOOD[0], [], GOOD[1]]
    preview = preview_import(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    assert preview.ok and preview.headers == HEAD and preview.row_numbers == [2, 4] and preview.valid_count == 2
    assert preview.rows[0]["topic"] == "宪法学习" and preview.rows[1]["passed"] is None
    assert set(preview.rows[0]) == set(preview.ledger.keys)
    assert store.count("study_sessions") == 0
    assert commit_import(store, preview, "界面导入") == 2
    assert store.count("study_sessions") == 2
    (entry,) = store.audit_entries()
    assert entry["note"] == "界面导入"


def test_a_preview_with_errors_cannot_be_committed(store, tmp_path):
    rows = [HEAD, GOOD[0], ["x", "党委会", "领导班子", "y", "", ""]]
    preview = preview_import(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    assert not preview.ok and preview.rows == [] and [(e.row, e.label) for e in preview.errors] == [(3, "日期")]
    assert preview.valid_count == 1
    with pytest.raises(ValueError):
        commit_import(store, preview)
    assert store.count("study_sessions") == 0


def test_a_big_import_into_a_table_with_rows_keeps_them(store, tmp_path):
    store.save("study_sessions", {"date": "2023-01-01", "form": "其他", "audience": "其他", "topic": "旧"})
    assert import_file(store, "study_sessions", _many(tmp_path, 6000)).count == 6000
    assert store.count("study_sessions") == 6001 and store.count("study_sessions", 2023) == 1


# -- the cross-field rules through the import's fast path ----------------------------------------


@pytest.mark.parametrize(("ledger_id", "kind"), sorted(RULE_CASES))
def test_every_rule_at_its_boundary_through_import(store, tmp_path, ledger_id, kind):
    from app.core.ledgers import catalog

    good, bad, label = RULE_CASES[(ledger_id, kind)]
    lg = catalog.get(ledger_id)
    base = _valid(ledger_id)
    head = [f.label for f in lg.fields]
    rows = [head, [{**base, **good}[f.key] for f in lg.fields], [{**base, **bad}[f.key] for f in lg.fields]]
    result = import_file(store, ledger_id, write_csv(tmp_path / "a.csv", rows))
    # a cross-field rule that fails makes the row 待补充 on that field, never refuses it
    assert result.ok and result.count == 2 and result.incomplete == 1
    first, second = store.rows(ledger_id)[-2:]
    assert first["incomplete"] is None
    assert list(json.loads(second["incomplete"])) == [lg.by_label()[label].key]


def test_inside_a_callers_transaction_a_bad_file_adds_nothing(store, tmp_path):
    rows = [HEAD, *GOOD, ["2024-13-01", "党委会", "领导班子", "x", "", ""]]
    with store.transaction():
        store.save("study_sessions", {"date": "2024-01-01", "form": "其他", "audience": "其他", "topic": "先存"})
        result = import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
        assert not result.written and len(result.errors) == 1
    assert [r["topic"] for r in store.rows("study_sessions")] == ["先存"]
    with store.transaction():
        assert import_file(store, "study_sessions", write_csv(tmp_path / "b.csv", rows[:-1])).written
    assert store.count("study_sessions") == 3


def test_errors_beyond_the_cap_are_counted_not_kept(store, tmp_path, monkeypatch):
    import app.core.io.scan as importer

    monkeypatch.setattr(importer, "MAX_ERRORS", 5)
    rows = [HEAD] + [["坏日期", "党委会", "领导班子", "", "", ""] for _ in range(20)]
    result = import_file(store, "study_sessions", write_csv(tmp_path / "a.csv", rows))
    assert len(result.errors) == 5 and result.error_total == 20 and result.bad_rows == 20
    assert store.count("study_sessions") == 0
