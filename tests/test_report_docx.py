"""The .docx read back: GB/T 9704 layout, fonts on every run, page numbers, the demo's numbers."""

from __future__ import annotations

import re
import zipfile

import pytest
from docx import Document
from docx.shared import Mm

from app.core.demo.generator import fill
from app.core.report.build import build_report
from app.core.storage.store import Store
from tests.test_report_word_file import report_in_scheme

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# every sentence of the reference that holds a number, as the demo's report must print it
REFERENCE_SENTENCES = [
    "2024年，在县委、县政府的坚强领导下",
    "认真落实《2024年全县法治政府建设工作要点》（丰都府办发〔2024〕15号）",
    "现将我镇2024年法治政府建设工作情况汇报如下：",
    "一、2024年推进法治政府建设的主要举措和成效",
    "全年共组织开展法治学习教育10余次。",
    "2024年我镇行政规范性文件备案率及合法合规率均达100%。",
    "全年开展对接服务80余次，回应解决企业诉求20余项。",
    "2024年以来开展进企业法治宣传共10余场次，发放宣传资料200余份。",
    "全年未发生行政复议、行政诉讼案件。",
    "成立镇综合执法大队，配备执法人员8人，全年执法活跃率达100%。",
    "聚焦教育、食品安全、交通运输、消防安全、生态环境等重点领域，"
    "承接执法事项91项，开展综合查一次5次，行政检查114次，实施行政处罚6次。",
    "组织行政执法人员参加年度行政执法人员线上培训9人，均已完成学习考试。",
    "全年累计自主排查矛盾纠纷58件，完成人民调解案件120件，提供法律咨询服务130余次，"
    "处理法院委派矛盾纠纷诉前调解49件，社会矛盾得到有效化解。",
    "2024年累计解除社区矫正对象1名，目前在册4名；在册安置帮教对象48名，新增12名，解除12名。",
    "实现刑释人员、吸毒人员、严重精神障碍患者等重点人群零犯罪。",
    "扎实开展“1名村（居）法律顾问+N名法律明白人”行动，组织村居法律顾问结对37名“法律明白人”，"
    "对“法律明白人”进行专题培训4次，",
    "党政主要领导全年主持召开法治建设专题会议6次，研究解决法治建设重大事项10项，",
    "全年组织全体干部职工开展法治专题培训6场次。",
    "四、2025年法治政府建设工作计划",
]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    s = Store.open(path)
    fill(s, year=2024)
    s.set_report_text(2024, "basis_no", "丰都府办发〔2024〕15号")
    s.set_report_text(2024, "date", "2025-01-20")
    s.set_setting("report.font_scheme", "gb2312")  # not this PC's fonts (auto): the 公文 fonts
    s.close()
    return path


@pytest.fixture(scope="module")
def built(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    s = Store.open(demo_db)
    stages = []
    path = build_report(
        s, 2024, out / "报告.docx", charts_dir=out / "charts", progress=lambda st, f: stages.append((st, f))
    )
    s.close()
    return path, out / "charts", stages


def xml(path, part="word/document.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def paragraphs_text(path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def test_every_reference_number_comes_out_of_the_demo_ledgers(built):
    path, _, _ = built
    body = "\n".join(paragraphs_text(path))
    for sentence in REFERENCE_SENTENCES:
        assert sentence in body, sentence
    assert "2025年1月20日" in body
    assert "附件：2024年法治政府建设主要工作数据图" in body  # (issue 17) the 附件 says what it holds


def test_page_setup_and_grid(built):
    path, _, _ = built
    sec = Document(str(path)).sections[0]
    twip = 635  # EMU; Word stores lengths in twips
    got = (sec.page_width, sec.page_height, sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)
    want = (Mm(210), Mm(297), Mm(37), Mm(35), Mm(28), Mm(26))
    for g, w in zip(got, want, strict=True):
        assert abs(g - w) <= twip
    assert 'w:w="11906" w:h="16838"' in xml(path)  # A4
    grid = re.search(r"<w:docGrid [^>]*/>", xml(path)).group(0)
    assert 'w:type="linesAndChars"' in grid and 'w:linePitch="579"' in grid and 'w:charSpace="-848"' in grid
    # 22 lines: exact 28.95 pt; 28 characters: 16 pt condensed by 0.45 pt fits 156 mm, 29 do not
    text_width_pt = (210 - 28 - 26) / 25.4 * 72
    styles = xml(path, "word/styles.xml")
    normal = re.search(r'w:styleId="Normal".*?</w:style>', styles, re.S).group(0)
    condensed = int(re.search(r'<w:spacing w:val="(-\d+)"/>', normal).group(1)) / 20
    assert 28 * (16 + condensed) <= text_width_pt < 29 * (16 + condensed)
    assert 28 * (16 + condensed + 0.2) <= text_width_pt  # LibreOffice's extra
    assert 22 * 28.95 <= (297 - 37 - 35) / 25.4 * 72 < 23 * 28.95


def test_settings_and_styles_disarm_the_template_traps(built):
    path, _, _ = built
    settings = xml(path, "word/settings.xml")
    assert 'w:eastAsia="zh-CN"' in settings and "ja-JP" not in settings
    assert "<w:evenAndOddHeaders" in settings
    styles = xml(path, "word/styles.xml")
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.S).group(0)
    assert "Theme" not in defaults and 'w:eastAsia="仿宋_GB2312"' in defaults
    doc = xml(path)
    used = set(re.findall(r'<w:pStyle w:val="([^"]+)"', doc)) | {"Normal"}
    assert not any(u.startswith("Heading") for u in used)
    for style_id in used:
        block = re.search(rf'<w:style [^>]*w:styleId="{re.escape(style_id)}".*?</w:style>', styles, re.S).group(0)
        assert "Theme" not in block and "theme" not in block, style_id


def runs(path):
    doc = Document(str(path))
    for p in doc.paragraphs:
        for r in p.runs:
            yield p, r


def test_every_run_names_its_east_asian_font_and_size(built):
    path, _, _ = built
    seen = {}
    for _p, r in runs(path):
        rfonts = r._r.rPr.find(f"{W}rFonts")
        assert rfonts is not None, r.text
        names = {rfonts.get(f"{W}{a}") for a in ("ascii", "hAnsi", "eastAsia")}
        assert len(names) == 1 and None not in names, (r.text, names)
        assert not any("Theme" in k or "theme" in k for k in rfonts.attrib)
        if r.text.strip():
            seen.setdefault((names.pop(), r.font.size.pt), []).append(r.text)
    body = "\n".join(t for (font, size), texts in seen.items() for t in texts if font == "仿宋_GB2312" and size == 16)
    assert "全年共组织开展法治学习教育10余次" in body
    title = seen[("方正小标宋简体", 22)]
    assert title == ["丰都县武平镇人民政府\n", "2024年法治政府建设情况报告", "2024年法治政府建设主要工作数据图"]
    heads = seen[("黑体", 16)]
    assert "一、2024年推进法治政府建设的主要举措和成效" in heads and "附件" in heads
    leads = seen[("楷体_GB2312", 16)]
    assert "（一）深入学习贯彻习近平法治思想。" in leads and "（三）执法人员专业素养有待提升。" in leads


def align(p):
    return p.alignment if p.alignment is not None else p.style.paragraph_format.alignment


def test_paragraph_layout(built):
    path, _, _ = built
    doc = Document(str(path))
    by_text = {p.text: p for p in doc.paragraphs if p.text}
    title = next(p for p in doc.paragraphs if "情况报告" in p.text)
    assert align(title) == 1  # centred
    assert title.text == "丰都县武平镇人民政府\n2024年法治政府建设情况报告"  # balanced two-line title
    body = next(p for t, p in by_text.items() if t.startswith("（一）深入学习贯彻"))
    ppr = body._p.pPr
    ind = ppr.find(f"{W}ind")
    styles_xml = xml(path, "word/styles.xml")
    assert 'w:firstLineChars="200"' in styles_xml
    assert ind is None or ind.get(f"{W}firstLineChars") in (None, "200")
    spacing = re.search(r'w:styleId="GWBody".*?<w:spacing ([^>]*)/>', styles_xml, re.S).group(1)
    assert 'w:line="579"' in spacing and 'w:lineRule="exact"' in spacing
    issuer = by_text["丰都县武平镇人民政府"]
    date = by_text["2025年1月20日"]
    assert align(issuer) == 2 and align(date) == 2  # right
    # 成文日期右空四字; the issuer centred over the date
    assert date._p.pPr.find(f"{W}ind").get(f"{W}rightChars") == "400"
    issuer_right = int(issuer._p.pPr.find(f"{W}ind").get(f"{W}rightChars")) / 100
    date_width = 4 * 0.5 + 1 + 0.5 + 1 + 2 * 0.5 + 1
    assert issuer_right + 10 / 2 == pytest.approx(4 + date_width / 2)


def test_page_numbers_outside_on_odd_and_even_pages(built):
    path, _, _ = built
    doc = Document(str(path))
    sec = doc.sections[0]
    for footer, align, side in ((sec.footer, 2, "right"), (sec.even_page_footer, 0, "left")):
        p = footer.paragraphs[0]
        assert p.alignment == align
        x = p._p.xml
        assert "PAGE" in x and 'w:fldCharType="begin"' in x and 'w:fldCharType="end"' in x
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p._p.pPr.find(f"{W}ind").get(f"{W}{side}") == "280"  # 空一字 of 四号
        for r in p.runs:
            rfonts = r._r.rPr.find(f"{W}rFonts")
            assert rfonts.get(f"{W}eastAsia") == "宋体" and rfonts.get(f"{W}ascii") == "宋体"
            assert r._r.rPr.find(f"{W}sz").get(f"{W}val") == "28"


def test_no_personal_data_in_the_report(built, demo_db):
    path, _, _ = built
    s = Store.open(demo_db)
    ids = [r[0] for r in s.conn.execute("SELECT id_number FROM key_persons WHERE id_number IS NOT NULL")]
    names = [r[0] for r in s.conn.execute("SELECT name FROM key_persons")]
    s.close()
    assert ids and names
    everything = "".join(xml(path, part) for part in ("word/document.xml", "docProps/core.xml"))
    assert not re.search(r"\d{17}[\dXx]", everything)
    for n in names:
        assert n not in everything, n


def test_charts_in_the_appendix_and_as_files(built):
    path, charts_dir, stages = built
    pngs = sorted(p.name for p in charts_dir.glob("*.png"))
    assert len(pngs) == 6 and pngs[0] == "01_disputes_by_month.png"
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 6
    captions = [t for t in paragraphs_text(path) if re.match(r"图\d　", t)]
    # (issue 17) titled by what it shows: the 自主排查 the text states, compared as last year has data
    assert len(captions) == 6 and captions[0] == "图1　2024年各月自主排查矛盾纠纷件数（与2023年对比）"
    assert stages[0][0] == "figures" and stages[-1] == ("done", 1.0)
    fractions = [f for _, f in stages]
    assert fractions == sorted(fractions)


def test_windows_font_scheme(demo_db, tmp_path):
    path = report_in_scheme(demo_db, tmp_path / "w.docx", "windows")
    doc = xml(path)
    assert "_GB2312" not in doc and "方正" not in doc
    assert 'w:eastAsia="仿宋"' in doc and 'w:eastAsia="楷体"' in doc and 'w:eastAsia="黑体"' in doc
    title = next(p for p in Document(str(path)).paragraphs if "情况报告" in p.text)
    assert all(r.bold for r in title.runs if r.text)


def test_cli_report(demo_db, tmp_path, capsys):
    from app.cli import main

    out = tmp_path / "r.docx"
    assert (
        main(["--db", str(demo_db), "report", "--year", "2024", "--out", str(out), "--charts", str(tmp_path / "c")])
        == 0
    )
    assert out.exists() and len(list((tmp_path / "c").glob("*.png"))) == 6
    assert "已生成 2024 年报告" in capsys.readouterr().out
    assert main(["--db", str(demo_db), "report", "--year", "2024", "--out", str(tmp_path / "r.txt")]) == 1
    assert "docx" in capsys.readouterr().err


def test_property_elements_in_schema_order(built):
    """Word refuses a file whose pPr/rPr children are out of the schema's order."""
    from lxml import etree

    from app.core.report.docx_writer import PPR_ORDER, RPR_ORDER

    path, _, _ = built
    order = {"pPr": [f"{W}{t[2:]}" for t in PPR_ORDER], "rPr": [f"{W}{t[2:]}" for t in RPR_ORDER]}
    checked = 0
    for part in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
        root = etree.fromstring(xml(path, part).encode("utf-8"))
        for name, tags in order.items():
            for el in root.iter(f"{W}{name}"):
                positions = [tags.index(child.tag) for child in el if child.tag in tags]
                assert positions == sorted(positions), (part, name, [c.tag for c in el])
                checked += 1
    assert checked > 100
