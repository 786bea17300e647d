"""Validation: every field kind and every cross-field rule of the catalog, valid and invalid."""

import datetime as dt

import pytest

from app.core.ledgers import catalog
from app.core.ledgers.validation import (
    ValidationError,
    Validator,
    id_check_char,
    mask_idcard,
    parse_date,
    parse_decimal,
    parse_idcard,
    parse_int,
    split_names,
)

ID = "11010519491231002X"  # the GB 11643 example number


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


# -- field kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "2024年03月05日", " 2024-03-05 ", "２０２４－０３－０５",
        "2024/03/05 00:00:00", "20240305", "2024 年 3 月 5 日", dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 14, 30),
        45356, 45356.0,
    ],
)  # fmt: skip
def test_dates_in_every_form_clerks_use(raw):
    assert parse_date(raw) == "2024-03-05"


@pytest.mark.parametrize("raw", ["2024-13-01", "2024-02-30", "2023年2月29日", "明天", "3/5", "2024-3", "", -1, 0])
def test_bad_dates_are_refused_with_the_value(raw):
    with pytest.raises(ValueError) as exc:
        parse_date(raw)
    assert "日期" in str(exc.value)
    if isinstance(raw, str) and raw:
        assert raw in str(exc.value)


def test_leap_day_is_a_date():
    assert parse_date("2024年2月29日") == "2024-02-29"


@pytest.mark.parametrize(
    ("raw", "value"), [("12", 12), (" 12 ", 12), ("１２", 12), (12.0, 12), ("12.0", 12), ("1,200", 1200), ("30人", 30)]
)
def test_ints(raw, value):
    assert parse_int(raw) == value


@pytest.mark.parametrize("raw", ["12.5", 12.5, "十二个半", "abc", True])
def test_bad_ints(raw):
    with pytest.raises(ValueError, match="整数"):
        parse_int(raw)


@pytest.mark.parametrize(("raw", "value"), [("1,234.567", 1234.57), ("￥500", 500.0), ("300元", 300.0), (2.5, 2.5)])
def test_decimals(raw, value):
    assert parse_decimal(raw) == value


@pytest.mark.parametrize("raw", ["很多", "nan", "inf", False])
def test_bad_decimals(raw):
    with pytest.raises(ValueError, match="数字"):
        parse_decimal(raw)


def test_id_numbers_checksum_birth_date_and_format():
    assert parse_idcard(ID) == ID
    assert parse_idcard(ID.lower()) == ID
    assert parse_idcard(" " + ID[:6] + " " + ID[6:]) == ID
    with pytest.raises(ValueError, match="校验位"):
        parse_idcard(ID[:-1] + "1")
    with pytest.raises(ValueError, match="18位"):
        parse_idcard(ID[:-2])
    with pytest.raises(ValueError, match="出生日期"):
        parse_idcard(_id("11010519491331002"))
    with pytest.raises(ValueError, match="文本"):
        parse_idcard(float(ID[:-1] + "0"))  # Excel turned it into a number
    assert mask_idcard(ID) == "110105********002X"
    assert mask_idcard(None) is None


def test_names_split_on_every_separator():
    assert split_names("张三、李四，王五,赵六；钱七;孙八") == ["张三", "李四", "王五", "赵六", "钱七", "孙八"]
    v = Validator(catalog.get("penalties"))
    clean, _ = v.clean({"officers": "张三,李四；王五"})
    assert clean["officers"] == "张三、李四、王五"


def _valid(ledger_id: str) -> dict:
    import random

    from tests.fixtures.samples import sample_row

    lg = catalog.get(ledger_id)
    return sample_row(lg, random.Random(5), 1, person_ids=[1])


def _errors(ledger_id: str, raw: dict) -> dict[str, str]:
    lg = catalog.get(ledger_id)
    _, errors = Validator(lg, resolve_ref=lambda f, v: 1).clean(raw)
    return {e.label: e.message for e in errors}


def test_required_fields_are_named():
    errs = _errors("study_sessions", {"date": " ", "form": None, "audience": "—", "topic": "\u3000"})
    assert set(errs) == {"日期", "形式", "对象", "主题"}
    assert all(m == "必填，不能为空" for m in errs.values())


def test_choice_outside_the_list_names_the_allowed_values():
    errs = _errors("lawsuits", {**_valid("lawsuits"), "result": "胜诉"})
    assert "“胜诉”不在可选值中" in errs["结果"] and "维持、驳回" in errs["结果"]


def test_choice_accepts_half_width_parentheses_and_spaces():
    clean, errors = Validator(catalog.get("legality_reviews")).clean(
        {**_valid("legality_reviews"), "matter_type": "行政协议(合同) "}
    )
    assert not errors and clean["matter_type"] == "行政协议（合同）"


def test_office_extended_choices():
    lg = catalog.get("lawsuits")
    v = Validator(lg, {"result": (*lg.field("result").choices, "调解结案")})
    _, errors = v.clean({**_valid("lawsuits"), "result": "调解结案"})
    assert not errors


def test_negative_numbers_are_refused():
    errs = _errors("publicity_events", {**_valid("publicity_events"), "participants": "-3"})
    assert "不能小于0" in errs["参与人数"]
    errs = _errors("penalties", {**_valid("penalties"), "amount": -1})
    assert "不能小于0" in errs["罚没金额（元）"]


def test_phone_and_text():
    clean, errors = Validator(catalog.get("legal_literates")).clean(
        {**_valid("legal_literates"), "phone": "023-7060 1234", "adviser": " 王律师 "}
    )
    assert not errors and clean["phone"] == "023-7060 1234" and clean["adviser"] == "王律师"
    assert "电话" in _errors("legal_literates", {**_valid("legal_literates"), "phone": "打我"})["联系电话"]


def test_reference_resolver_errors_are_reported():
    def resolve(f, value):
        raise ValueError("重点人员名册中没有“某某”")

    v = Validator(catalog.get("visits"), resolve_ref=resolve)
    _, errors = v.clean({**_valid("visits"), "person_id": "某某"})
    assert [(e.label, e.message) for e in errors] == [("重点人员", "重点人员名册中没有“某某”")]
    _, errors = Validator(catalog.get("visits")).clean({**_valid("visits"), "person_id": "某某"})
    assert errors[0].label == "重点人员"


def test_check_raises_with_every_error():
    v = Validator(catalog.get("meetings"))
    with pytest.raises(ValidationError) as exc:
        v.check({"date": "x", "title": "", "meeting_type": "茶话会", "chair": "王"})
    assert {e.label for e in exc.value.errors} == {"日期", "会议名称", "会议类型"}
    assert "日期：" in str(exc.value)


# -- cross-field rules: every rule of the catalog, valid and invalid -----------------------------

RULE_CASES = {
    # ledger: (rule kind, valid change, invalid change, label of the error)
    ("study_sessions", "le"): ({"participants": 10, "passed": 10}, {"participants": 10, "passed": 11}, "考试合格人数"),
    ("enterprise_visits", "le"): ({"collected": 5, "resolved": 0}, {"collected": 5, "resolved": 6}, "解决诉求数"),
    ("normative_documents", "date_order"): (
        {"issued_on": "2024-03-01", "filed_on": "2024-03-01"},
        {"issued_on": "2024-03-01", "filed_on": "2024-02-28"},
        "备案日期",
    ),
    ("enforcement_officers", "date_order"): (
        {"certified_on": "2020-01-01", "left_on": None},
        {"certified_on": "2020-01-01", "left_on": "2019-12-31"},
        "离岗日期",
    ),
    ("enforcement_matters", "date_order"): (
        {"taken_on": "2021-05-01", "cancelled_on": "2023-05-01"},
        {"taken_on": "2021-05-01", "cancelled_on": "2021-04-30"},
        "取消日期",
    ),
    ("inspections", "min_names"): ({"officers": "张三、李四"}, {"officers": "张三"}, "执法人员"),
    ("disputes", "required_when"): (
        {"status": "调解中", "closed_on": None},
        {"status": "调解成功", "closed_on": None},
        "结案日期",
    ),
    ("disputes", "date_order"): (
        {"registered_on": "2024-05-01", "status": "调解成功", "closed_on": "2024-05-01"},
        {"registered_on": "2024-05-01", "status": "调解成功", "closed_on": "2024-04-01"},
        "结案日期",
    ),
    ("key_persons", "required_when"): (
        {"category": "吸毒人员", "id_number": None},
        {"category": "社区矫正对象", "id_number": None},
        "身份证号",
    ),
    ("key_persons", "date_order"): (
        {"listed_on": "2022-01-01", "released_on": "2023-01-01"},
        {"listed_on": "2022-01-01", "released_on": "2021-01-01"},
        "解除日期",
    ),
    ("legal_literates", "date_order"): (
        {"recognized_on": "2022-01-01", "exited_on": None},
        {"recognized_on": "2022-01-01", "exited_on": "2021-12-31"},
        "退出日期",
    ),
}


def test_every_rule_of_the_catalog_has_a_case():
    declared = {(lg.id, r.kind) for lg in catalog.LEDGERS for r in lg.rules}
    assert declared == set(RULE_CASES)


@pytest.mark.parametrize(("ledger_id", "kind"), sorted(RULE_CASES))
def test_rule_valid_and_invalid(ledger_id, kind):
    good, bad, label = RULE_CASES[(ledger_id, kind)]
    base = _valid(ledger_id)
    assert _errors(ledger_id, {**base, **good}) == {}
    errs = _errors(ledger_id, {**base, **bad})
    assert list(errs) == [label]
    rule = next(r for r in catalog.get(ledger_id).rules if r.kind == kind)
    assert errs[label] == rule.message or (kind == "le" and "不能大于" in errs[label])


def test_le_rule_needs_the_upper_bound_when_the_lower_is_given():
    errs = _errors("study_sessions", {**_valid("study_sessions"), "participants": None, "passed": 3})
    assert "参加人数" in errs


def test_rules_wait_for_their_fields_to_be_clean():
    errs = _errors("disputes", {**_valid("disputes"), "registered_on": "昨天", "status": "调解成功", "closed_on": None})
    # 结案日期 is still required (its trigger, 状态, is clean); the date order waits for 登记日期
    assert set(errs) == {"登记日期", "结案日期"}
    assert errs["结案日期"].startswith("状态为")
