"""The office's own wording: every paragraph rewordable per year with its numbers as tokens,
inherited by later years, refused when a number is lost; the empty database's report claims
no work; the checks name an unnamed office, empty ledgers and left-out sentences."""

from __future__ import annotations

import pytest

from app.cli import main
from app.core import checks
from app.core.ledgers import catalog
from app.core.report import paragraphs, text, tokens
from app.core.report.build import ReportRefused, build_report

from .test_figures import MID, Y, add

# sentences of the default wording that claim recorded work
CLAIMS = [
    "组织党员干部认真学习",
    "督促加强干部职工个人自学",
    "全年共组织开展法治学习教育",
    "严格执行重大政策充分论证和风险评估",
    "严格落实企业服务专员制度",
    "全年开展对接服务",
    "持续开展送法进企活动",
    "开展进企业法治宣传",
    "依法开展涉企行政检查和行政处罚",
    "配备执法人员",
    "承接执法事项",
    "线上培训",
    "认真落实月排查制度",
    "自主排查矛盾纠纷",
    "社会矛盾得到有效化解",
    "每月开展定期走访",
    "结对",
    "主持召开法治建设专题会议",
    "定期组织召开专题会议",
    "开展法治专题培训",
    "新增",
]


def name_office(store, county="丰都县", town="白马镇"):
    store.set_setting("county", county)
    store.set_setting("town", town)


def test_empty_database_report_claims_no_work(store):
    name_office(store)
    doc = text.render_store(store, Y)
    out = doc.plain_text()
    for claim in CLAIMS:
        assert claim not in out, claim
    # (issue 17) no program language: what has no record is left out, the items and
    # paragraphs left empty go and the rest are numbered again
    assert "台账" not in out and "没有" not in out and "记录" not in out
    for said in (
        "一、2024年推进法治政府建设的主要举措和成效\n（一）持续完善制度体系。严格执行行政决策合法性审查。"
        "本年度未制发行政规范性文件。\n（二）全力营造法治环境。强化司法保障。全年未发生行政复议、行政诉讼案件。\n二、",
        "党政主要领导严格落实法治建设第一责任人职责。\n三、存在的不足和原因",
    ):
        assert said in out, said
    for gone in ("深入学习贯彻习近平法治思想。", "综合执法大队", "一支队伍管执法", "送法进企", "走访", "政务公开制度"):
        assert gone not in out, gone
    # no 0 is printed as a figure anywhere
    assert not any(b.text[s.start : s.end] in ("0", "0%") for b in doc.blocks for s in b.spans)
    assert "10余" not in out and "视察" not in out  # no province set: no 视察重庆


def test_the_study_sentence_names_the_forms_the_ledger_holds(store):
    """通过…等形式 lists the forms of the year's 学法, not the reference town's meetings; the
    网络学院 sentence needs a 线上培训."""
    name_office(store)
    for form in ("专题讲座", "专题培训", "专题培训"):
        add(store, "study_sessions", date=MID, form=form, audience="全体干部职工", topic="民法典")
    out = text.render_store(store, Y).plain_text()
    assert "通过专题培训、专题讲座等形式组织党员干部认真学习" in out
    assert "党委会" not in out and "干部网络学院" not in out
    add(store, "study_sessions", date=MID, form="干部职工会", audience="全体干部职工", topic="宪法")
    add(store, "study_sessions", date=MID, form="线上培训", audience="行政执法人员", topic="行政处罚法")
    out = text.render_store(store, Y).plain_text()
    assert "通过干部职工会等形式组织党员干部认真学习" in out  # the meetings, as the reference words it
    assert "同时利用干部网络学院、法治教育网络平台等学习平台" in out


def test_the_monthly_screening_is_claimed_only_for_a_year_screened_every_month(store):
    name_office(store)
    for month in range(1, 12):
        add(store, "disputes", registered_on=f"{Y}-{month:02d}-10", source="自主排查", status="调解中")
    governance = text.render_store(store, Y).paragraph("governance").text
    assert "月排查制度" not in governance and "工作。积极排查、调处各类矛盾纠纷，坚持" in governance
    add(store, "disputes", registered_on=f"{Y}-12-10", source="自主排查", status="调解中")
    governance = text.render_store(store, Y).paragraph("governance").text
    assert "认真落实月排查制度，积极排查、调处各类矛盾纠纷" in governance


def test_the_enterprise_service_scheme_is_the_offices_own_words(store):
    """企业服务专员制度 and 班子成员一对一 are how an office is organised, which no ledger shows:
    until the office writes them, the sentence starts from what the 企业服务 rows show."""
    name_office(store)
    add(store, "enterprise_visits", date=MID)
    environment = text.render_store(store, Y).paragraph("environment").text
    assert "企业服务专员" not in environment
    assert "上门走访了解，收集解决企业实际困难，全年开展对接服务1次" in environment
    paragraphs.save_fact(store, Y, "enterprise_service", "建立〔unit〕领导联系企业制度")
    environment = text.render_store(store, Y).paragraph("environment").text
    assert "建立镇领导联系企业制度，上门走访了解，收集解决企业实际困难" in environment


def test_one_record_brings_its_sentences_back(store):
    name_office(store)
    add(store, "study_sessions", date=MID, form="专题培训", audience="全体干部职工", topic="宪法")
    out = text.render_store(store, Y).plain_text()
    assert "组织党员干部认真学习" in out and "全年共组织开展法治学习教育1次。" in out
    assert "全年组织全体干部职工开展法治专题培训1场次。" in out
    assert "学法培训台账中没有" not in out
    add(store, "consultations", date=MID, channel="来访", matter="继承")
    out = text.render_store(store, Y).plain_text()
    # nothing 化解, and the item left alone reads without its 一是
    assert "（四）强化提升治理能力。开展矛盾纠纷排查调处工作。提供法律咨询服务1次。\n" in out


def test_check_names_every_empty_ledger_and_each_left_out_sentence(store):
    name_office(store)
    found = checks.run(store, Y)
    empty = [f.ledger for f in found if f.code == "ledger_empty"]
    assert empty == [lg.id for lg in catalog.LEDGERS]
    assert all(f.severity == "warning" for f in found)
    omitted = next(f for f in found if f.code == "report_omitted")
    lines = omitted.detail.splitlines()
    assert "一、（一）深入学习贯彻习近平法治思想：未写入“全年共组织开展法治学习教育0次。”（法治学习教育为0）" in lines
    assert any(line.startswith("二、（一）加强组织领导") and "专题会议0次" in line for line in lines)
    # a record takes its ledger off the list
    add(store, "consultations", date=MID, channel="来访", matter="继承")
    empty = [f.ledger for f in checks.run(store, Y) if f.code == "ledger_empty"]
    assert "consultations" not in empty and len(empty) == len(catalog.LEDGERS) - 1


def test_unnamed_office_is_an_error_a_placeholder_and_no_report(store, tmp_path, capsys):
    name_office(store, county="", town="")
    codes = [(f.code, f.severity) for f in checks.run(store, Y)][:2]
    assert codes == [("office_unnamed", "error"), ("county_unnamed", "error")]
    doc = text.render_store(store, Y)
    assert doc.blocks[0].text == "【请在设置中填写单位名称】2024年法治政府建设情况报告"
    assert "紧紧围绕【请在设置中填写单位名称】发展大局" in doc.plain_text()
    assert doc.blocks[-2].text == "【请在设置中填写单位名称】"
    with pytest.raises(ReportRefused, match="还没有设置单位名称和所在区县"):
        build_report(store, Y, tmp_path / "r.docx", with_charts=False)
    assert not (tmp_path / "r.docx").exists()


def test_cli_report_refuses_an_unnamed_office(db_path, tmp_path, capsys):
    assert main(["--db", str(db_path), "settings", "town=", "county="]) == 0
    assert main(["--db", str(db_path), "report", "--year", "2024", "--out", str(tmp_path / "r.docx")]) != 0
    assert "还没有设置单位名称" in capsys.readouterr().err
    assert main(["--db", str(db_path), "check", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "[错误] 未设置单位名称（乡镇、街道）" in out and "[提醒] 学法培训台账2024年没有记录（学法培训台账）" in out


def test_reworded_paragraph_is_inherited_and_reset(store):
    name_office(store)
    mine = "（一）学法。全年学法〔study.sessions〕次。"
    paragraphs.save(store, 2024, "study", mine)
    assert store.report_text(2024, "study") == mine
    assert paragraphs.own_text(store, 2026, "study") == (mine, 2024)  # next years start from it
    assert paragraphs.own_text(store, 2023, "study") is None
    paragraphs.reset(store, 2025, "study")
    assert paragraphs.own_text(store, 2025, "study") is None
    assert paragraphs.own_text(store, 2026, "study") is None
    assert paragraphs.own_text(store, 2024, "study") == (mine, 2024)
    assert paragraphs.source(store, 2025, "study") == paragraphs.defaults()["study"]
    paragraphs.reset(store, 2024, "study")
    assert store.report_texts(2024) == {}
    # saving the default wording stores nothing
    paragraphs.save(store, 2024, "duty_tasks", paragraphs.defaults()["duty_tasks"])
    assert store.report_text(2024, "duty_tasks") is None


@pytest.mark.parametrize(
    ("para_id", "wording", "reason"),
    [
        ("study", "（一）学法。", "缺少数字〔study.sessions|approx〕"),
        ("governance", "（五）治理。", "缺少数字"),
        ("system", "（二）制度。〔docs.filed_rate|rate〕〔legality.reviews〕", "缺少数字〔p.docs〕"),
        ("study", "（一）学法〔study.sessions〕〔study.bogus〕", "没有这个数字或词语"),
        ("study", "（一）学法〔study.sessions|round〕", "写法只能是"),
        ("study", "（一）学法〔?nowhere〕〔study.sessions〕", "没有台账或数字“nowhere”"),
        ("study", "  \n ", "段落不能为空"),
        ("nowhere", "x", "没有段落"),
    ],
)
def test_a_wording_that_loses_a_number_is_refused(store, para_id, wording, reason):
    with pytest.raises(ValueError, match=reason.replace("|", r"\|").replace("?", r"\?")):
        paragraphs.save(store, 2024, para_id, wording)
    assert store.report_texts(2024) == {}


def test_every_default_paragraph_parses_and_keeps_every_figure_once():
    from app.core.figures.definitions import KEYS

    used = set()
    for para_id, source in paragraphs.defaults().items():
        found = tokens.tokens_of(source, paragraphs.figure_keys(), paragraphs.ledger_ids())
        used |= {t.key for t in found if t.kind == "figure"}
        assert paragraphs.validate(para_id, source) == source
    # figures of phrases and of 〔?figure〕 conditions
    phrase_figures = {
        "docs.count", "docs.filed_rate", "docs.lawful_rate", "lawsuits.reconsiderations", "lawsuits.litigations",
        "lawsuits.lost", "enforcement.joint_inspections", "enforcement.inspections", "study.officer_passed",
        "corrections.released", "corrections.active", "resettlement.active", "key_persons.reoffended",
        "enterprise.months", "visits.count", "visits.months", "key_persons.active", "study.leader_sessions",
        "study.forms", "study.online_sessions", "disputes.screened_months",
        *(f"publicity.{k}_events" for k in ("school", "village", "market", "office", "online")),
    }  # fmt: skip
    assert used | phrase_figures == set(KEYS)


def test_tokens_are_text_when_they_name_no_token():
    parts = tokens.split("文号〔2024〕15号，〔重庆〕，〔year〕年")
    assert parts == ["文号〔2024〕15号，〔重庆〕，", ("year",), "年"]


def test_cli_settings_and_paragraph(db_path, tmp_path, capsys):
    db = ["--db", str(db_path)]
    assert main([*db, "settings", "province=重庆市", "county=丰都县", "town=白马镇", "report.2024.date=2025/1/20"]) == 0
    assert main([*db, "settings", "report.2024.basis_no=丰都府办发〔2024〕15号"]) == 0
    out = capsys.readouterr().out
    assert "province=重庆市" in out and "report.2024.date=2025-01-20" in out
    assert main([*db, "settings", "report.2024.title=x"]) != 0
    assert "report.年份.basis_title" in capsys.readouterr().err
    mine = tmp_path / "opening.txt"
    mine.write_text("〔year〕年，〔we〕认真落实《〔basis_title〕》〔basis_no〕。\n", encoding="utf-8")
    assert main([*db, "paragraph", "--year", "2024", "opening", "--file", str(mine)]) == 0
    assert "（本单位2024年的改写）" in capsys.readouterr().out
    assert main([*db, "paragraph", "--year", "2024", "study", "--set", "（一）学法。"]) != 0
    assert "缺少数字" in capsys.readouterr().err
    assert main([*db, "report", "--year", "2024", "--out", str(tmp_path / "r.docx")]) == 0
    from docx import Document

    body = [p.text for p in Document(str(tmp_path / "r.docx")).paragraphs]
    assert "2024年，我镇认真落实《2024年全县法治政府建设工作要点》（丰都府办发〔2024〕15号）。" in body
    assert "2025年1月20日" in body
    assert main([*db, "paragraph", "--year", "2025"]) == 0
    listing = capsys.readouterr().out
    assert "[opening] 开头段（本单位2024年的改写）" in listing and "[duty_tasks] 二、（三）明确目标任务" in listing
